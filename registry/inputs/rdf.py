"""Reading submitted RDF safely.

Rules of DESIGN.md's security section, each seen to fail with the defaults:
parse from bytes with an explicit format (a client string given to rdflib as a
source would be fetched or read from disk), refuse DTDs and entities in
RDF/XML, refuse remote JSON-LD contexts, never follow owl:imports (nothing here
does; pyshacl is called with its import following off).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from xml.sax import SAXParseException

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from registry.bilingual import Text
from registry.errors import InputError, UnsupportedFormatError
from registry.inputs.characters import UPLOAD_BASE, refuse_bad_iris, relative_iri_refusal
from registry.inputs.identifiers import normalise_standard_id
from registry.inputs.oxparse import Triple, graph_of, parse_triples
from registry.namespaces import SCS
from registry.runtime.collector import collector_paused


@dataclass(frozen=True)
class RdfFormat:
    name: str  # the name users write: turtle, nt, jsonld, rdfxml
    rdflib_name: str
    media_types: tuple[str, ...]
    extensions: tuple[str, ...]


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "turtle", ("text/turtle", "application/x-turtle"), (".ttl",)),
    RdfFormat("nt", "nt", ("application/n-triples",), (".nt",)),
    RdfFormat(
        "jsonld", "json-ld", ("application/ld+json", "application/json"), (".jsonld", ".json")
    ),
    RdfFormat("rdfxml", "xml", ("application/rdf+xml",), (".rdf", ".xml", ".owl")),
)
_ALIASES = {
    "ttl": "turtle",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "jsonld",
    "xml": "rdfxml",
    "rdf/xml": "rdfxml",
}


def rdf_format(name: str, others: Sequence[str] = ()) -> RdfFormat:
    """The format called `name` (or one of its aliases); UnsupportedFormatError
    otherwise, naming the RDF formats and `others` (the mapped formats, where the
    caller takes them too)."""
    key = _ALIASES.get(name.lower(), name.lower())
    for fmt in RDF_FORMATS:
        if fmt.name == key:
            return fmt
    names = [f.name for f in RDF_FORMATS] + list(others)
    raise UnsupportedFormatError(
        Text(
            zh=f"不支持的格式 {name!r}；可用：" + "、".join(names),
            en=f"unsupported format {name!r}; use one of: " + ", ".join(names),
        ),
        {"format": name[:40], "known": names},
    )


# Spreadsheets of other programs, which clerks save by default: the registry reads
# none of them, and "cannot tell the format" sent them looking for a flag.
OTHER_SPREADSHEETS = {
    ".ods": Text(zh="LibreOffice 的 .ods 表格", en="a LibreOffice .ods spreadsheet"),
    ".et": Text(zh="WPS 表格的 .et 文件", en="a WPS Spreadsheets .et file"),
    ".numbers": Text(zh="Numbers 表格", en="a Numbers spreadsheet"),
}


def refuse_other_spreadsheet(filename: str) -> None:
    """UnsupportedFormatError for a spreadsheet of a program whose files are not read
    (OTHER_SPREADSHEETS), saying to save it as .xlsx."""
    what = OTHER_SPREADSHEETS.get(PurePath(filename).suffix.lower())
    if what is None:
        return
    name = PurePath(filename).name
    raise UnsupportedFormatError(
        Text(
            zh=f"{name!r} 是{what.zh}，不能直接读取；请另存为 Excel 工作簿（.xlsx）或 CSV 后提交",
            en=f"{name!r} is {what.en}, which is not read; save it as an Excel workbook "
            "(.xlsx) or CSV and submit that",
        ),
        {"file": name},
    )


def format_for_filename(filename: str) -> RdfFormat:
    refuse_other_spreadsheet(filename)
    suffix = PurePath(filename).suffix.lower()
    for fmt in RDF_FORMATS:
        if suffix in fmt.extensions:
            return fmt
    raise UnsupportedFormatError(
        Text(
            zh=(f"无法从扩展名判断 {PurePath(filename).name!r} 的格式；请用 --format 指明"),
            en=(
                f"cannot tell the format of {PurePath(filename).name!r} from "
                "its extension; name it with --format"
            ),
        ),
        {"file": PurePath(filename).name},
    )


def format_for_media_type(media_type: str) -> RdfFormat:
    base = media_type.split(";")[0].strip().lower()
    for fmt in RDF_FORMATS:
        if base in fmt.media_types:
            return fmt
    raise UnsupportedFormatError(
        Text(zh=f"不支持的媒体类型 {base!r}", en=f"unsupported media type {base!r}")
    )


_XML_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def read_rdf(
    data: bytes,
    fmt: RdfFormat,
    source: str = "upload",
    *,
    renamed_tags: set[str] | None = None,
) -> list[Triple] | Graph:
    """The triples of `data` in format `fmt`, standard identifiers normalised, Chinese
    and English text tagged `zh` and `en` (primary_language), or InputError; the tags
    read so are added to `renamed_tags` when given, for the caller to report.

    Turtle and N-Triples, of any size, are read by pyoxigraph into a list (no graph is
    built: registration indexes the triples its own way) whenever it
    reads them exactly as rdflib would (registry.inputs.oxparse); anything else, and
    any document it gives up on, is rdflib's graph, with rdflib's error messages.

    `source` names the input in messages (a file name, never a path to read).
    """
    if not isinstance(data, bytes):
        raise TypeError("read_rdf takes bytes; never hand rdflib a client string")
    _quiet_ill_typed_literals()
    # Windows editors begin UTF-8 with a byte order mark; Turtle and JSON parsers
    # stop at it ("expected directive or statement" at line 1, column 1).
    data = data.removeprefix(b"\xef\xbb\xbf")
    _refuse_another_syntax(data, fmt, source)
    if fmt.name == "rdfxml" and (data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:64]):
        # A DTD written in UTF-16 would slip past the byte check below.
        raise InputError(
            Text(zh=f"{source}：RDF/XML 须为 UTF-8 编码", en=f"{source}: RDF/XML must be UTF-8"),
            {"file": source, "rule": "xml-utf8"},
        )
    if fmt.name == "rdfxml" and _XML_DTD.search(data):
        raise InputError(
            Text(
                zh=f"{source}：拒绝含 DOCTYPE 或 ENTITY 声明的 RDF/XML",
                en=(f"{source}: RDF/XML with a DOCTYPE or ENTITY declaration is refused"),
            ),
            {"file": source, "rule": "no-xml-dtd"},
        )
    if fmt.name == "jsonld":
        _refuse_remote_contexts(data, source)
    with collector_paused():  # a few acyclic objects per triple: registry.runtime.collector
        triples = parse_triples(data, fmt.name)
    if triples is not None:
        if may_have_regional_tag(data):
            fixes = dict(_language_fixes(triples, renamed_tags))
            triples = [fixes.get(triple, triple) for triple in triples] if fixes else triples
        return _normalised(triples)
    graph = Graph()
    try:
        graph.parse(data=data, format=fmt.rdflib_name, publicID=UPLOAD_BASE)
    except (InputError, RecursionError):
        raise  # RecursionError: the reader's caller answers "nested too deeply"
    except Exception as exc:  # the parsers raise many unrelated types; all mean "bad input"
        not_utf8 = _not_utf8(data) if fmt.name != "rdfxml" else None
        if not_utf8 is not None:
            # GBK or UTF-16 Turtle was "not valid turtle" with no word of the encoding.
            raise InputError(
                Text(
                    zh=f"{source}：第 {not_utf8} 行不是 UTF-8 编码的文本；{fmt.name} 文件须为 "
                    "UTF-8 编码，请另存为 UTF-8 后重新提交",
                    en=f"{source}: line {not_utf8} is not UTF-8 text; a {fmt.name} file must "
                    "be UTF-8: save it as UTF-8 and submit it again",
                ),
                {"file": source, "format": fmt.name, "rule": "utf8", "line": not_utf8},
            ) from None
        relative = _RELATIVE.search(str(exc)) if isinstance(exc, ValueError) else None
        if relative is not None:
            # rdflib's Turtle reader stops at a relative IRI ("Base ... has no slash
            # after colon"), which was answered "not valid turtle" with no line.
            raise relative_iri_refusal(relative.group(1), data, source) from None
        raise InputError(
            Text(
                zh=f"{source}：无法按 {fmt.name} 读取", en=f"{source}: cannot be read as {fmt.name}"
            ),
            _error_location(exc, data, fmt, source),
        ) from None
    # pyoxigraph refuses such IRIs as it reads; rdflib keeps them.
    refuse_bad_iris(graph, source)
    fixes = _language_fixes(graph, renamed_tags) if may_have_regional_tag(data) else ()
    standards = set(graph.subjects(RDF.type, SCS.Standard))
    identifiers = graph.triples((None, DCTERMS.identifier, None))
    for old, new in [*fixes, *_identifier_fixes(identifiers, standards)]:
        graph.remove(old)
        graph.add(new)
    return graph


# What a body begins with that no document of the format read could: a compressed body,
# an XML document read as Turtle or N-Triples (a catalogue sent as application/xml or
# labelled text/turtle), a JSON object read as either. Each was answered with the first
# reader's own puzzle ("“?xml version=…” is a relative IRI", "line 1 is not UTF-8").
_STARTS = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"<?xml", "rdfxml"),
    (b"<rdf:RDF", "rdfxml"),
    (b"{", "jsonld"),
)
_NOT_TEXT = {
    "gzip": Text(
        zh="而是 gzip 压缩的数据；不接受压缩的请求体，请解压后提交",
        en="it is gzip-compressed; compressed bodies are not accepted: send it uncompressed",
    ),
    "zip": Text(
        zh="而是 ZIP 包（或 XLSX 工作簿）；工作簿请以 .xlsx 文件名或 format=xlsx 提交",
        en="it is a ZIP archive (or an XLSX workbook); send a workbook named .xlsx or with "
        "format=xlsx",
    ),
}
_OTHER_SYNTAX = {
    "rdfxml": ("RDF/XML", "application/rdf+xml", ".rdf"),
    "jsonld": ("JSON-LD", "application/ld+json", ".jsonld"),
}


def _refuse_another_syntax(data: bytes, fmt: RdfFormat, source: str) -> None:
    """InputError when `data` plainly is not `fmt`: compressed, or XML or JSON where
    Turtle or N-Triples was to be read; the message says what it looks like and how to
    send it."""
    head = data[:64].lstrip()
    seen = next((name for start, name in _STARTS if head.startswith(start)), None)
    if (
        seen is None
        or seen == fmt.name
        or (seen in _OTHER_SYNTAX and fmt.name not in ("turtle", "nt"))
    ):
        return
    if seen in _NOT_TEXT:
        why = _NOT_TEXT[seen]
        raise InputError(
            Text(
                zh=f"{source}：内容不是 {fmt.name} 文本，{why.zh}",
                en=f"{source}: the content is no {fmt.name} text: {why.en}",
            ),
            {"file": source, "format": fmt.name, "rule": "not-text", "looks_like": seen},
        )
    # The media type and the file extension say the syntax both for an RDF document and
    # under ?format=dcat (where format= names the mapping, not the syntax).
    name, media, extension = _OTHER_SYNTAX[seen]
    raise InputError(
        Text(
            zh=f"{source}:内容看起来是 {name},却按 {fmt.name} 读取;请以 Content-Type: {media} "
            f"提交,或使用扩展名为 {extension} 的文件",
            en=f"{source}: the content looks like {name} but was to be read as {fmt.name}; "
            f"send it as Content-Type: {media}, or as a file named {extension}",
        ),
        {"file": source, "format": fmt.name, "rule": "syntax", "looks_like": seen},
    )


class _IllTypedLiteral(logging.Filter):
    """Drops rdflib's record of a literal whose text is no value of its datatype
    ("2024-13-45"^^xsd:date): a warning with a traceback, eight lines in the log for
    each such literal of every anonymous upload. The shapes report the literal to its
    submitter instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


_RDFLIB_TERMS = logging.getLogger("rdflib.term")
_ILL_TYPED = _IllTypedLiteral()


def _quiet_ill_typed_literals() -> None:
    """Install the filter once in this process (upload readers run in workers)."""
    if _ILL_TYPED not in _RDFLIB_TERMS.filters:
        _RDFLIB_TERMS.addFilter(_ILL_TYPED)


def parse_rdf(
    data: bytes, fmt: RdfFormat, source: str = "upload", *, renamed_tags: set[str] | None = None
) -> Graph:
    """read_rdf's triples as an rdflib graph."""
    triples = read_rdf(data, fmt, source, renamed_tags=renamed_tags)
    return triples if isinstance(triples, Graph) else graph_of(triples)


def _normalised(triples: list[Triple]) -> list[Triple]:
    """`triples` with the standards' identifiers normalised. Terms are compared as
    text (str.__eq__): rdflib's own __eq__ is Python code, and this reads every triple
    of a large catalogue."""
    rdf_type, standard, identifier = str(RDF.type), str(SCS.Standard), str(DCTERMS.identifier)
    standards = {
        s
        for s, p, o in triples
        if str.__eq__(p, rdf_type) and type(o) is URIRef and str.__eq__(o, standard)
    }
    if not standards:
        return triples
    identifiers = (t for t in triples if str.__eq__(t[1], identifier))
    fixes = dict(_identifier_fixes(identifiers, standards))
    return [fixes.get(triple, triple) for triple in triples] if fixes else triples


# A language tag of Chinese or English with a region or script, as Turtle and N-Triples
# (@zh-CN), RDF/XML (xml:lang="en-GB") and JSON-LD ("@language": "zh-Hans", language
# maps) write it; a document without one is not scanned.
def may_have_regional_tag(data: bytes) -> bool:
    """Whether `data` may write such a tag: `zh-` or `en-` in any case after `@`, `"` or
    `'`. Found by C searches of the lowered bytes and a look at each hit's byte before:
    one case-blind expression with a leading character class tried every byte (0.14 s
    for a 40 MB catalogue)."""
    lowered = data.lower()
    for needle in (b"zh-", b"en-"):
        at = lowered.find(needle, 1)
        while at != -1:
            if lowered[at - 1] in b"@\"'":
                return True
            at = lowered.find(needle, at + 1)
    return False


def primary_language(tag: str) -> str:
    """`zh` for zh-CN, zh-Hans, zh-cn..., `en` for en-GB, en-US...; any other tag as it
    is. The shapes take zh-CN as Chinese (sh:languageIn matches by range), but every
    reader of the registry (the API, CSV, pages) keys on `zh` and `en`, and titles
    tagged zh-CN were registered and then shown nowhere."""
    primary = tag.split("-", 1)[0].lower()
    return primary if primary in ("zh", "en") else tag


def _language_fixes(
    triples: Iterable[Triple], renamed: set[str] | None
) -> list[tuple[Triple, Triple]]:
    """(triple, its form with the primary language) for each literal of a regional
    Chinese or English tag; each such tag is added to `renamed` when given."""
    fixes = []
    for s, p, o in triples:
        tag = o.language if type(o) is Literal else None
        if tag and primary_language(tag) != tag:
            fixes.append(((s, p, o), (s, p, Literal(str(o), lang=primary_language(tag)))))
            if renamed is not None:
                renamed.add(tag)
    return fixes


def _identifier_fixes(
    identifiers: Iterable[Triple], standards: set[Node]
) -> Iterator[tuple[Triple, Triple]]:
    """(triple, its normalised form) for each dct:identifier triple of a standard whose
    identifier is not spelt normalised."""
    for s, p, o in identifiers:
        if s in standards:
            normalised = normalise_standard_id(str(o))
            if normalised != str(o):
                yield (s, p, o), (s, p, Literal(normalised))


def _refuse_remote_contexts(data: bytes, source: str) -> None:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        details: dict[str, Any] = {"file": source}
        if isinstance(exc, json.JSONDecodeError):
            details.update(line=exc.lineno, column=exc.colno, reason=exc.msg)
        raise InputError(
            Text(zh=f"{source}：不是有效的 JSON", en=f"{source}: not valid JSON"), details
        ) from None
    if _is_dcat_us(document):
        # Told to inline its context, a DCAT-US data.json still maps nothing: it is
        # JSON of its own schema, not RDF.
        raise InputError(
            Text(
                zh=f"{source}：这是 DCAT-US 的 data.json（美国 Project Open Data 的 JSON 格式），"
                "不是 RDF。登记库读取 RDF 形式的 DCAT（Turtle、RDF/XML 或 JSON-LD）；"
                "请从门户导出 DCAT-AP 的 RDF 后提交",
                en=f"{source}: this is a DCAT-US data.json (Project Open Data's JSON schema), "
                "not RDF. The registry reads DCAT as RDF (Turtle, RDF/XML or JSON-LD): "
                "export the portal's DCAT-AP RDF and submit that",
            ),
            {"file": source, "rule": "dcat-us"},
        )
    for context in _contexts(document):
        if isinstance(context, str) or (isinstance(context, dict) and "@import" in context):
            raise InputError(
                Text(
                    zh=f"{source}：拒绝远程 JSON-LD 上下文；请将上下文写在文档内",
                    en=(f"{source}: remote JSON-LD contexts are refused; put the context inline"),
                ),
                {"file": source, "rule": "no-remote-context"},
            )


def _is_dcat_us(document: Any) -> bool:
    """A Project Open Data (DCAT-US) catalogue: its schema named in `conformsTo` or
    `@context`, or its `dataset` list without any JSON-LD keyword."""
    if not isinstance(document, dict):
        return False
    named = " ".join(
        str(document.get(key, "")) for key in ("conformsTo", "@context", "describedBy")
    )
    if "project-open-data" in named:
        return True
    keywords = any(str(key).startswith("@") for key in document)
    return not keywords and isinstance(document.get("dataset"), list)


def _contexts(node: Any) -> Iterator[Any]:
    """Every context value in a JSON-LD document, nested and scoped ones included."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                yield from value if isinstance(value, list) else [value]
            yield from _contexts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _contexts(item)


_RELATIVE = re.compile(r"with relative '([^']*)'")


def _not_utf8(data: bytes) -> int | None:
    """The line of the first byte that is not UTF-8, or None for UTF-8 text."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return data.count(b"\n", 0, bad.start) + 1
    return None


def _error_location(exc: Exception, data: bytes, fmt: RdfFormat, source: str) -> dict[str, Any]:
    """File, line, column and reason where the parser tells them; never the input itself."""
    details: dict[str, Any] = {"file": source, "format": fmt.name}
    if isinstance(exc, SAXParseException):
        details.update(
            line=exc.getLineNumber(), column=exc.getColumnNumber(), reason=exc.getMessage()
        )
    elif isinstance(exc, json.JSONDecodeError):
        details.update(line=exc.lineno, column=exc.colno, reason=exc.msg)
    elif hasattr(exc, "_why") and hasattr(exc, "lines"):  # rdflib's notation3 BadSyntax
        text = exc._str if isinstance(exc._str, str) else exc._str.decode("utf-8", "replace")
        start = text.rfind("\n", 0, exc._i) + 1
        details.update(line=exc.lines + 1, column=exc._i - start + 1, reason=exc._why)
    elif fmt.name == "nt":
        details.update(_first_bad_ntriples_line(data))
    else:
        # The parser's own exception class (KeyError, TypeError...) tells a person
        # nothing and names the code inside: the format is what failed.
        details["reason"] = f"not valid {fmt.name}"
    return details


def _first_bad_ntriples_line(data: bytes) -> dict[str, Any]:
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith(b"#"):
            continue
        try:
            Graph().parse(data=line + b"\n", format="nt")
        except Exception:
            return {"line": number, "reason": "not a valid N-Triples statement"}
    return {"reason": "not valid N-Triples"}
