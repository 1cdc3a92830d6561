"""Every refused input of the foundation issue, and where parse errors point."""

import json

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from registry.errors import InputError, PayloadTooLargeError, UnsupportedFormatError
from registry.inputs.document import Document
from registry.inputs.load import load_submission
from registry.inputs.rdf import format_for_filename, parse_rdf, rdf_format

TTL = b"""@prefix scs: <https://w3id.org/smartcity-std#> .
@prefix dct: <http://purl.org/dc/terms/> .
<http://127.0.0.1:8000/id/standard/x> a scs:Standard ; dct:identifier "GB/T22239\xe2\x80\x942019" .
"""


def test_identifiers_are_normalised_on_input() -> None:
    graph = parse_rdf(TTL, rdf_format("turtle"))
    ident = graph.value(URIRef("http://127.0.0.1:8000/id/standard/x"), DCTERMS.identifier)
    assert ident == Literal("GB/T 22239-2019")


def test_turtle_error_names_file_line_and_column_without_echoing_input() -> None:
    data = b'@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b "secret-unterminated .\n'
    with pytest.raises(InputError) as err:
        parse_rdf(data, rdf_format("turtle"), "cat.ttl")
    assert err.value.details["file"] == "cat.ttl"
    assert err.value.details["line"] == 3
    assert err.value.details["column"] > 1
    assert "secret" not in str(err.value.message) + json.dumps(err.value.details)


def test_ntriples_error_names_the_line() -> None:
    data = b"<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n"
    with pytest.raises(InputError) as err:
        parse_rdf(data, rdf_format("nt"), "x.nt")
    assert err.value.details["line"] == 2


def test_rdfxml_error_names_line_and_column() -> None:
    data = b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n<a></b></rdf:RDF>"
    with pytest.raises(InputError) as err:
        parse_rdf(data, rdf_format("rdfxml"), "x.rdf")
    assert (err.value.details["line"], err.value.details["column"]) == (2, 5)


@pytest.mark.parametrize(
    "data",
    [
        b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
        b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>",
        b"<?xml version='1.0'?><!doctype r><rdf:RDF "
        b"xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>",
        b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
        b"<!ENTITY x 'y'></rdf:RDF>",
        "<?xml version='1.0' encoding='utf-16'?><!DOCTYPE r><r/>".encode("utf-16"),
    ],
)
def test_rdfxml_with_dtd_or_entity_is_refused(data: bytes) -> None:
    with pytest.raises(InputError) as err:
        parse_rdf(data, rdf_format("rdfxml"), "evil.rdf")
    assert err.value.details["rule"] in {"no-xml-dtd", "xml-utf8"}


@pytest.mark.parametrize(
    "document",
    [
        {"@context": "http://schema.org/", "@id": "http://a"},
        {"@context": ["https://www.w3.org/ns/dcat.jsonld", {"x": "http://x/"}], "@id": "http://a"},
        {"@context": {"@import": "http://example.org/ctx.jsonld"}, "@id": "http://a"},
        {"@graph": [{"@context": "http://example.org/scoped", "@id": "http://a"}]},
    ],
)
def test_jsonld_remote_context_is_refused(document: dict) -> None:
    with pytest.raises(InputError) as err:
        parse_rdf(json.dumps(document).encode(), rdf_format("jsonld"), "x.jsonld")
    assert err.value.details["rule"] == "no-remote-context"


def test_jsonld_inline_context_is_read() -> None:
    doc = {"@context": {"dct": "http://purl.org/dc/terms/"}, "@id": "http://a", "dct:title": "t"}
    graph = parse_rdf(json.dumps(doc).encode(), rdf_format("jsonld"))
    assert graph.value(URIRef("http://a"), DCTERMS.title) == Literal("t")


def test_owl_imports_is_not_followed() -> None:
    data = b"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
<http://a> owl:imports <http://127.0.0.1:9/never-fetched.ttl> ."""
    graph = parse_rdf(data, rdf_format("turtle"))
    assert len(graph) == 1


def test_a_string_is_never_handed_to_rdflib_as_a_source() -> None:
    with pytest.raises(TypeError):
        parse_rdf("/etc/passwd", rdf_format("turtle"))  # type: ignore[arg-type]


def test_unknown_format_and_extension_are_refused() -> None:
    with pytest.raises(UnsupportedFormatError):
        rdf_format("n3-with-formulae")
    with pytest.raises(UnsupportedFormatError):
        format_for_filename("catalogue.docx")
    assert format_for_filename("a.TTL").name == "turtle"
    assert format_for_filename("a.jsonld").name == "jsonld"


def test_submission_over_the_size_limit_is_refused() -> None:
    docs = [Document("a.ttl", b"# " + b"x" * 100), Document("b.ttl", b"# " + b"x" * 100)]
    with pytest.raises(PayloadTooLargeError):
        load_submission(docs, max_bytes=150)
    assert len(load_submission(docs, max_bytes=1000)) == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.ttl", b'<urn:x:a> <http://purl.org/dc/terms/title> "BOM"@zh .'),
        ("a.nt", b'<urn:x:a> <http://purl.org/dc/terms/title> "BOM"@zh .\n'),
        ("a.jsonld", b'{"@id": "urn:x:a", "http://purl.org/dc/terms/title": "BOM"}'),
        (
            "a.rdf",
            b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            b' xmlns:dct="http://purl.org/dc/terms/"><rdf:Description rdf:about="urn:x:a">'
            b"<dct:title>BOM</dct:title></rdf:Description></rdf:RDF>",
        ),
    ],
)
def test_a_byte_order_mark_made_turtle_and_json_ld_unreadable(name: str, data: bytes) -> None:
    """Windows editors begin UTF-8 with a BOM: Turtle and JSON-LD were refused at line
    1, column 1 without saying why (RDF/XML took it)."""
    graph = load_submission([Document(name, b"\xef\xbb\xbf" + data)])
    assert [str(o) for o in graph.objects(URIRef("urn:x:a"), DCTERMS.title)] == ["BOM"]


def test_each_ill_typed_literal_logged_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """rdflib logs a warning with a traceback for a literal that is no value of its
    datatype: eight lines of log for each one in an anonymous upload."""
    data = b"".join(
        b'<urn:x:a> <http://purl.org/dc/terms/issued> "2024-13-%02d"'
        b"^^<http://www.w3.org/2001/XMLSchema#date> .\n" % day
        for day in range(1, 30)
    )
    with caplog.at_level("WARNING"):
        graph = load_submission([Document("dates.nt", data)])
    assert len(graph) == 29
    assert not [r for r in caplog.records if r.name.startswith("rdflib")]


RDFXML_SERVICE = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#">
  <dcat:DataService rdf:about="https://p.example/svc/1">
    <dcat:endpointURL rdf:resource="{endpoint}"/>
  </dcat:DataService>
</rdf:RDF>"""


@pytest.mark.parametrize(
    ("endpoint", "rule"),
    [
        ("https://api.example.org/v 1/", "bad-iri"),
        ("https://api.example.org/{tenant}/", "bad-iri"),
        ("openapi.json", "relative-iri"),
    ],
)
def test_an_iri_no_store_takes_conformed_and_failed_the_write(endpoint: str, rule: str) -> None:
    """rdflib reads such IRIs from RDF/XML; validation said the document conformed and
    the submission answered 500 when it hashed the IRI (or the store refused it with its
    parser's English text). They are refused where the document is read, named."""
    doc = Document("svc.rdf", RDFXML_SERVICE.format(endpoint=endpoint).encode(), "rdfxml")
    with pytest.raises(InputError) as refused:
        load_submission([doc])
    details = refused.value.details
    assert details["rule"] == rule and details["iri"] == endpoint
    assert details["property"] == "http://www.w3.org/ns/dcat#endpointURL"
    assert endpoint in refused.value.message.zh and "svc.rdf" in refused.value.message.zh


def test_a_relative_json_ld_id_was_made_an_iri_of_the_registrys_own() -> None:
    """A relative @id became <urn:screg:upload:/dataset/rel>, a name nobody wrote."""
    document = {"@id": "/dataset/rel", "http://purl.org/dc/terms/title": "x"}
    doc = Document("d.jsonld", json.dumps(document).encode(), "jsonld")
    with pytest.raises(InputError) as refused:
        load_submission([doc])
    assert refused.value.details["rule"] == "relative-iri"
    assert refused.value.details["iri"] == "/dataset/rel"


def test_a_relative_iri_in_turtle_was_not_valid_turtle_with_no_line() -> None:
    """rdflib stops at a relative IRI in a document without @base ("Base ... has no
    slash after colon"): that was answered "not valid turtle", naming no line."""
    data = b'@prefix dct: <http://purl.org/dc/terms/> .\n<dataset/rel> dct:title "x"@zh .\n'
    with pytest.raises(InputError) as refused:
        load_submission([Document("rel.ttl", data)])
    assert refused.value.details["rule"] == "relative-iri"
    assert refused.value.details["iri"] == "dataset/rel"
    assert refused.value.details["line"] == 2
    assert "第 2 行" in refused.value.message.zh


def test_gbk_turtle_was_not_valid_turtle_without_a_word_of_the_encoding() -> None:
    data = (
        '@prefix dct: <http://purl.org/dc/terms/> .\n<http://x.example/a> dct:title "人口"@zh .\n'
    )
    with pytest.raises(InputError) as refused:
        load_submission([Document("gbk.ttl", data.encode("gbk"))])
    assert refused.value.details["rule"] == "utf8" and refused.value.details["line"] == 2
    assert "UTF-8" in refused.value.message.zh


@pytest.mark.parametrize(
    ("content_type", "filename", "kind"),
    [
        ("application/trig", None, "TriG"),
        ("application/n-quads", None, "N-Quads"),
        (None, "catalogue.trig", "TriG"),
        ("application/octet-stream", "dump.nq", "N-Quads"),
    ],
)
def test_trig_was_read_as_turtle_and_refused_at_its_first_brace(
    content_type: str | None, filename: str | None, kind: str
) -> None:
    """A TriG body (?format=dcat with Content-Type application/trig) was read as Turtle:
    "upload.ttl: cannot be read as turtle", with nothing of what it was."""
    from registry.inputs.upload import format_of_upload

    for fmt in ("dcat", None):
        with pytest.raises(UnsupportedFormatError) as refused:
            format_of_upload(fmt, content_type, filename)
        assert refused.value.details["format"] == kind
        assert kind in refused.value.message.zh and "Turtle" in refused.value.message.zh


@pytest.mark.parametrize(
    "document",
    [
        {
            "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
            "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
            "dataset": [{"title": "Bus stops", "identifier": "x-1"}],
        },
        {"dataset": [{"title": "Bus stops", "identifier": "x-1"}]},
    ],
)
def test_a_dcat_us_data_json_was_told_to_inline_its_context(document: dict) -> None:
    """With its @context URL it was told remote contexts are refused (inlining would
    still map nothing); without one, 'nothing mapped' with a dcat:Catalog found."""
    doc = Document("data.json", json.dumps(document).encode(), "jsonld")
    with pytest.raises(InputError) as refused:
        load_submission([doc])
    assert refused.value.details["rule"] == "dcat-us"
    assert "DCAT-US" in refused.value.message.zh
