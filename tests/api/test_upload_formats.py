"""Every format the CLI reads, validated and submitted over HTTP, its format told by
Content-Type, ?format= or a file name (registry/inputs/upload.py, api/deps.py); a DCAT
document that maps nothing is 422, never "conforms".

Through create_app on a seeded store of the back end under test (`open_seeded`), as the
other API tests: the tests that only validate (or are refused) on one app per module
(`reader`), those that write on a fresh one each (`client`).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from api import create_app
from registry.config import Settings
from registry.register.tokens import create_token
from registry.store import Store
from tests import documents
from tests.api.test_api import assert_error
from tests.api.test_pages import csrf, sign_in
from tests.conftest import (
    EXAMPLES,
    ONE_WORKER_EACH,
    SHARED_SERVERS,
    dump_after,
    shared_app,
    skip_unless_available,
)
from tests.inputs.test_dcat import dcat_ap_dir

BUREAU = "11210100EXAMPLE01N"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CKAN = EXAMPLES / "dcat" / "ckan-catalogue.ttl"
OPENAPI = EXAMPLES / "openapi" / "population-verify.yaml"


@pytest.fixture(scope="module")
def seeded_with_registrar(seeded_dump: bytes) -> tuple[bytes, str]:
    """The seeded examples and a registrar's token, made once per module (a shared
    server keeps them loaded while no test writes)."""
    return dump_after(seeded_dump, lambda store: create_token(store, "registrar", name="r")[1])


@pytest.fixture
def api_store(open_seeded, seeded_with_registrar: tuple[bytes, str]) -> Store:
    """The seeded examples on the back end under test; the app closes it on shutdown."""
    return open_seeded(seeded_with_registrar[0])


@pytest.fixture
def registrar(seeded_with_registrar: tuple[bytes, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded_with_registrar[1]}"}


def _app(store: Store, validator, **overrides: object):
    settings = Settings(store="memory", seed=False, **{**ONE_WORKER_EACH, **overrides})
    return create_app(settings, store=store, validator=validator)


@pytest.fixture
def client(api_store: Store, validator, registrar: dict[str, str]) -> Iterator[TestClient]:
    """A fresh seeded store and app: for the tests that write."""
    with TestClient(_app(api_store, validator), raise_server_exceptions=False) as test_client:
        yield test_client


def _validating_app(store: Store, validator):
    # The shared app's ~40 validations come from one client within a minute, past the
    # per-client rate of an anonymous validation (30; tests/security/test_upload_limits.py
    # tests that rate): on a fast run the later ones were refused with 429.
    return _app(store, validator, validate_rate_per_minute=1000)


# One app for the tests that only validate (and refusals, which write nothing), started
# once per module (tests/conftest.py shared_app).
shared, reader = shared_app("seeded_with_registrar", _validating_app)


def resource() -> bytes:
    return documents.resource_ttl(
        "109001/000001", title="格式测试资源", description="测试用。", items=(documents.NAME,)
    )


def converted(rdflib_format: str) -> bytes:
    return (
        Graph()
        .parse(data=resource(), format="turtle")
        .serialize(format=rdflib_format, encoding="utf-8")
    )


# (format name, body, Content-Type, file name): each of the eight ways in.
EIGHT = {
    "turtle": (resource, "text/turtle", "r.ttl"),
    "nt": (lambda: converted("nt"), "application/n-triples", "r.nt"),
    "jsonld": (lambda: converted("json-ld"), "application/ld+json", "r.jsonld"),
    "rdfxml": (lambda: converted("xml"), "application/rdf+xml", "r.rdf"),
    "csv": (lambda: (EXAMPLES / "catalogue-valid.csv").read_bytes(), "text/csv", "c.csv"),
    "xlsx": (lambda: (EXAMPLES / "catalogue-valid.xlsx").read_bytes(), XLSX, "c.xlsx"),
    "openapi": (OPENAPI.read_bytes, "application/yaml", "spec.yaml"),
    "dcat": (CKAN.read_bytes, None, None),
}


def post(client: TestClient, path: str, body: bytes, way: str, fmt: str, **headers: str):
    _, media, filename = EIGHT[fmt]
    params: dict[str, str] = {}
    if fmt == "openapi":
        params = {"department": BUREAU, "serves": "101001/000001"}
    if way == "format" or fmt == "dcat":  # DCAT has no media type: it is named
        params["format"] = fmt
        headers["Content-Type"] = "application/octet-stream"
    elif way == "content-type":
        headers["Content-Type"] = str(media)
    else:  # the file name alone
        headers["Content-Type"] = "application/octet-stream"
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return client.post(path, content=body, params=params, headers=headers)


@pytest.mark.parametrize("fmt", list(EIGHT))
@pytest.mark.parametrize("way", ["content-type", "format", "filename"])
def test_every_format_validates_over_http(
    reader: TestClient, fmt: str, way: str, api_backend: str
) -> None:
    if api_backend in SHARED_SERVERS and (way != "format" or fmt != "turtle"):
        # How the format is named, and reading it, happen before the store is reached;
        # on a server one validation stands for them (each format's submission below
        # validates it against the server's registry too), so that the remote suites
        # stay within CI's time.
        pytest.skip("each format's way in is validated on the embedded store")
    body = EIGHT[fmt][0]()
    answer = post(reader, "/api/v1/validate", body, way, fmt)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["conforms"] is True, [
        r for r in report["results"] if r["severity"] == "Violation"
    ]


@pytest.mark.parametrize("fmt", list(EIGHT))
def test_every_format_submits_over_http(
    client: TestClient, registrar: dict[str, str], fmt: str
) -> None:
    answer = post(client, "/api/v1/submissions", EIGHT[fmt][0](), "format", fmt, **registrar)
    assert answer.status_code == 201, answer.text
    assert answer.json()["accepted"] is True


def test_validate_format_dcat_was_415_for_want_of_a_file_name(reader: TestClient) -> None:
    """Regression: `?format=dcat` answered 415 "cannot tell the format of
    'upload.dcat' from its extension": the made-up name stood in for a file name."""
    answer = reader.post(
        "/api/v1/validate?format=dcat",
        content=CKAN.read_bytes(),
        headers={"Content-Type": "text/turtle"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["conforms"] is True
    # The syntax follows Content-Type: the same catalogue as RDF/XML.
    as_xml = Graph().parse(CKAN, format="turtle").serialize(format="xml", encoding="utf-8")
    xml = reader.post(
        "/api/v1/validate?format=dcat",
        content=as_xml,
        headers={"Content-Type": "application/rdf+xml"},
    )
    assert xml.status_code == 200 and xml.json()["conforms"] is True, xml.text


@pytest.mark.parametrize("media", ["application/xml", "text/xml"])
def test_a_dcat_catalogue_as_generic_xml_was_read_as_turtle(reader: TestClient, media: str) -> None:
    """RDF/XML sent with ?format=dcat as application/xml (as portals serve it) was read
    as Turtle: '“?xml version=…” on line 1 is a relative IRI'. A DCAT catalogue is RDF:
    generic XML is its RDF/XML."""
    as_xml = Graph().parse(CKAN, format="turtle").serialize(format="xml", encoding="utf-8")
    answer = reader.post(
        "/api/v1/validate?format=dcat", content=as_xml, headers={"Content-Type": media}
    )
    assert answer.status_code == 200 and answer.json()["conforms"] is True, answer.text


def test_a_body_plainly_of_another_syntax_says_so(reader: TestClient) -> None:
    """RDF/XML labelled text/turtle, and a gzip-compressed body, were answered with the
    Turtle reader's puzzle (a relative IRI; 'line 1 is not UTF-8 text')."""
    as_xml = Graph().parse(CKAN, format="turtle").serialize(format="xml", encoding="utf-8")
    mislabelled = reader.post(
        "/api/v1/validate?format=dcat", content=as_xml, headers={"Content-Type": "text/turtle"}
    )
    error = assert_error(mislabelled, 400, "invalid_input")
    assert error["details"]["looks_like"] == "rdfxml"
    assert "application/rdf+xml" in error["messages"]["zh"]
    packed = reader.post(
        "/api/v1/validate",
        content=gzip.compress(CKAN.read_bytes()),
        headers={"Content-Type": "text/turtle"},
    )
    error = assert_error(packed, 400, "invalid_input")
    assert "压缩" in error["messages"]["zh"] and error["details"]["looks_like"] == "gzip"


def test_a_body_whose_format_nothing_says_is_415_naming_the_ways(reader: TestClient) -> None:
    answer = reader.post(
        "/api/v1/validate",
        content=b"x",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert answer.status_code == 415
    error = answer.json()["error"]
    assert "dcat" in error["details"]["format"] and "openapi" in error["details"]["format"]


def test_several_documents_in_one_multipart_body_are_one_submission(
    client: TestClient, registrar: dict[str, str]
) -> None:
    """The CLI registers several files as one submission, but beside a running server
    it could send one file only (the body was one document): a multipart/form-data
    body now carries several, each read by its own format, submitted together."""
    xlsx = (EXAMPLES / "catalogue-valid.xlsx").read_bytes()
    parts = [
        # By its Content-Type, under a Chinese file name; by its file name alone.
        ("file", ("资源.rdf", converted("turtle"), "text/turtle")),
        ("file", ("c.xlsx", xlsx, "application/octet-stream")),
    ]
    answer = client.post("/api/v1/submissions", files=parts, headers=registrar)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    outcomes = {e["item"].rsplit("/", 1)[-1]: e["outcome"] for e in body["entries"]}
    assert outcomes["109001-000001"] == "new"  # from the Turtle part
    assert outcomes["101001-000001"] == "unchanged"  # from the spreadsheet (seeded)
    record = client.get(f"/api/v1/submissions/{body['id']}").json()
    assert record["submission"] == body["submission"]
    # A broken part names its file; a part whose format nothing says is 415; ?format=
    # names every part's; a body that is not a form, or an empty one, is 400.
    broken = client.post(
        "/api/v1/submissions",
        files=[("file", ("坏.ttl", b"<a> <b>")), ("file", ("c.xlsx", xlsx))],
        headers=registrar,
    )
    assert broken.status_code == 400 and broken.json()["error"]["details"]["file"] == "坏.ttl"
    unsaid = client.post(
        "/api/v1/submissions", files=[("file", ("r", resource()))], headers=registrar
    )
    assert unsaid.status_code == 415, unsaid.text
    named = client.post(
        "/api/v1/submissions?format=turtle", files=[("file", ("r", resource()))], headers=registrar
    )
    assert named.status_code == 201 and named.json()["entries"][0]["outcome"] == "unchanged"
    form = {"Content-Type": "multipart/form-data; boundary=x", **registrar}
    for bad in (b"--x\r\ngarbage", b""):
        refused = client.post("/api/v1/submissions", content=bad, headers=form)
        assert refused.status_code == 400, (bad, refused.text)
    # Validation takes the same form: the report covers both parts.
    checked = client.post("/api/v1/validate", files=parts)
    assert checked.status_code == 200 and checked.json()["conforms"] is True, checked.text


def semic_examples() -> list[Path]:
    folder = dcat_ap_dir() / "examples"
    skip_unless_available(folder.is_dir(), f"SEMIC examples not found at {folder}")
    return sorted(folder.glob("*.ttl"))


def test_a_dcat_document_that_maps_nothing_is_422_never_conforms(
    reader: TestClient, registrar: dict[str, str]
) -> None:
    """Regression: a SEMIC example catalogue validated as "conforms" while nothing in it
    mapped to an entry (and registering it then said it held none)."""
    for example in semic_examples():
        for path, headers in (("/api/v1/validate", {}), ("/api/v1/submissions", registrar)):
            answer = reader.post(
                f"{path}?format=dcat",
                content=example.read_bytes(),
                headers={"Content-Type": "text/turtle", **headers},
            )
            assert answer.status_code == 422, (example.name, answer.text)
            error = answer.json()["error"]
            assert error["code"] == "nothing_mapped"
            assert "没有可映射为条目的内容" in error["message"]
            assert error["details"]["types"], example.name  # what was found


def test_dcat_with_assign_codes_over_http(client: TestClient, registrar: dict[str, str]) -> None:
    text = CKAN.read_text(encoding="utf-8").replace(
        'dct:identifier "204009/000002" ;', 'dct:identifier "PARKING-LOTS" ;'
    )
    answer = client.post(
        "/api/v1/submissions?format=dcat&assign_codes=209001",
        content=text.encode(),
        headers={"Content-Type": "text/turtle", **registrar},
    )
    assert answer.status_code == 201, answer.text
    entries = {c["item"] for c in answer.json()["entries"]}
    # 209001/000001 is a seeded resource's: the first code free is the next.
    assert "http://127.0.0.1:8000/id/resource/209001-000002" in entries


# -- the upload forms (/validate, /register) ---------------------------------------------


def form_post(client: TestClient, path: str, name: str, body: bytes, **fields: str):
    data = {"csrf_token": csrf(client, path), **fields}
    # The part's type as a browser guesses it: never read, the name and the select decide.
    return client.post(path, data=data, files={"file": (name, body, "application/octet-stream")})


@pytest.mark.parametrize(
    ("name", "fmt", "fields"),
    [
        ("spec.yaml", "", {"department": BUREAU, "serves": "101001/000001"}),
        ("spec.txt", "openapi", {"department": BUREAU, "serves": "101001/000001"}),
        ("ckan.ttl", "dcat", {}),
        ("r.nt", "", {}),
    ],
)
def test_the_validate_form_takes_openapi_and_dcat(
    reader: TestClient, name: str, fmt: str, fields: dict[str, str]
) -> None:
    """The upload forms took neither OpenAPI nor DCAT."""
    bodies = {
        ".yaml": OPENAPI.read_bytes(),
        ".txt": OPENAPI.read_bytes(),
        ".ttl": CKAN.read_bytes(),
        ".nt": converted("nt"),
    }
    body = bodies[Path(name).suffix]
    answer = form_post(reader, "/validate", name, body, format=fmt, **fields)
    assert answer.status_code == 200, answer.text
    assert "符合规范" in answer.text and "不符合规范" not in answer.text


def test_the_register_form_registers_a_dcat_catalogue_with_assigned_codes(
    client: TestClient, api_store: Store
) -> None:
    secret = create_token(api_store, "submitter", BUREAU, "bureau")[1]
    sign_in(client, secret)
    text = CKAN.read_text(encoding="utf-8").replace(
        'dct:identifier "204009/000002" ;', 'dct:identifier "PARKING-LOTS" ;'
    )
    answer = form_post(
        client, "/register", "ckan.ttl", text.encode(), format="dcat", assign_codes="209001"
    )
    assert answer.status_code == 201, answer.text
    assert "209001-000002" in answer.text  # 000001 is a seeded resource's


def test_the_validate_form_says_nothing_maps(reader: TestClient) -> None:
    text = b"@prefix dcat: <http://www.w3.org/ns/dcat#> . <urn:x> a dcat:Catalogue ."
    answer = form_post(reader, "/validate", "x.ttl", text, format="dcat")
    assert answer.status_code == 422
    assert "没有可映射为条目的内容" in answer.text


def test_an_unknown_format_named_four_of_the_nine_formats(reader) -> None:
    """`?format=bogus` answered "use one of: turtle, nt, jsonld, rdfxml", the RDF
    syntaxes only: a clerk with a spreadsheet was not told that xlsx is one."""
    answer = reader.post(
        "/api/v1/validate?format=bogus", content=b"x", headers={"Content-Type": "text/plain"}
    )
    assert answer.status_code == 415, answer.text
    known = answer.json()["error"]["details"]["known"]
    assert {"turtle", "nt", "jsonld", "rdfxml", "csv", "xlsx", "xls", "openapi", "dcat"} <= set(
        known
    )
    assert "xlsx" in answer.json()["error"]["messages"]["en"]


@pytest.mark.parametrize("body", [b"", b'<urn:x:note> <urn:x:says> "nothing to register" .'])
def test_a_document_without_an_entry_conformed_on_validation(reader, body: bytes) -> None:
    """docs/api.md: validation gives the answer the submission would. An empty Turtle
    document (or one of no entry) "conformed" on /validate and was 400 "holds no entry"
    on /submissions."""
    answer = reader.post("/api/v1/validate", content=body, headers={"Content-Type": "text/turtle"})
    assert answer.status_code == 400, answer.text
    assert "no entry" in answer.json()["error"]["messages"]["en"]


def test_a_raw_chinese_file_name_came_out_garbled_in_the_report(reader: TestClient) -> None:
    """curl sends `filename="目录.csv"` raw in UTF-8; read as Latin-1 it was reported as
    `ç\\x9b®å½\\x95.csv`, and its extension still told the format."""
    body = (EXAMPLES / "invalid" / "spreadsheet-cells.csv").read_bytes()
    header = 'attachment; filename="目录.csv"'.encode()
    answer = reader.post(
        "/api/v1/validate",
        content=body,
        headers={"Content-Type": "application/octet-stream", "Content-Disposition": header},
    )
    assert answer.status_code == 200, answer.text
    files = {r["location"].get("file") for r in answer.json()["results"] if r.get("location")}
    assert files == {"目录.csv"}
