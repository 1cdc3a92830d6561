"""A body sent over HTTP as a Document: its format by name, media type or file name.

The CLI names a file, whose extension (or --format) says its format. A body sent over
HTTP has three ways to say it, tried in this order: a format name (`?format=`, a form's
select), its media type (`Content-Type`, unless it says nothing: none, or
application/octet-stream, or a form's multipart type), and a file name (a form's
file, `Content-Disposition: ...; filename=`, `?filename=`). Every format the CLI reads
can be named: turtle, nt, jsonld, rdfxml, csv, xlsx, xls, openapi, dcat.

A DCAT catalogue is RDF in one of the four syntaxes, mapped rather than read as is:
`format=dcat` says so, and the syntax comes from the media type or the file name, else
Turtle (a DCAT document was refused with "cannot tell the format of 'upload.dcat'",
the made-up name standing in for a file name).

A `multipart/form-data` body holds several documents, one a part (`form_parts`), each
said in the same three ways: `?format=` for all of them, else the part's own
Content-Type, else its file name; they are submitted together, as the CLI submits
several files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from registry.bilingual import Text
from registry.errors import InputError, UnsupportedFormatError
from registry.inputs.document import MAPPED_FORMATS, Document
from registry.inputs.rdf import RDF_FORMATS, rdf_format, refuse_other_spreadsheet

#: Media types of the formats that are not RDF syntaxes.
MAPPED_MEDIA_TYPES = {
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel": "xls",
    # OpenAPI's registered types (YAML and JSON), and YAML's.
    "application/vnd.oai.openapi": "openapi",
    "application/vnd.oai.openapi+json": "openapi",
    "application/yaml": "openapi",
    "application/x-yaml": "openapi",
    "text/yaml": "openapi",
}
# Media types that say nothing of the format: the file name decides.
_UNSAID = ("", "application/octet-stream", "multipart/form-data")
_RDF_MEDIA = {media: fmt.name for fmt in RDF_FORMATS for media in fmt.media_types}
_EXTENSIONS = {
    **{ext: fmt.name for fmt in RDF_FORMATS for ext in fmt.extensions},
    ".csv": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    # A macro-enabled workbook is read as the workbook it is; one that holds macros
    # is refused by the XLSX reader (rule no-macros), as under ?format=xlsx.
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".yaml": "openapi",
    ".yml": "openapi",
}
#: Every format name a body may be given, for messages and the OpenAPI document.
FORMAT_NAMES = (*(fmt.name for fmt in RDF_FORMATS), *MAPPED_FORMATS)
ACCEPTED_MEDIA_TYPES = (*_RDF_MEDIA, *MAPPED_MEDIA_TYPES)


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _file_name(filename: str | None) -> str:
    # Only the last part of a name, for messages and the extension: never opened.
    return PurePath((filename or "").replace("\\", "/")).name


# RDF syntaxes of quads: a submission is triples about entries, and the registry
# makes its own graphs. A TriG body was read as Turtle ("upload.ttl: cannot be read as
# turtle", at the first graph's brace) and said nothing of what it was.
_QUADS = {"application/trig": "TriG", "application/n-quads": "N-Quads"}
_QUAD_EXTENSIONS = {".trig": "TriG", ".nq": "N-Quads"}


def _refuse_quads(content_type: str | None, filename: str | None) -> None:
    """415 for a TriG or N-Quads body, named by its media type or its file name."""
    kind = _QUADS.get(_media(content_type)) or _QUAD_EXTENSIONS.get(
        PurePath(_file_name(filename)).suffix.lower()
    )
    if kind is None:
        return
    raise UnsupportedFormatError(
        Text(
            zh=f"不接受 {kind}：提交的是关于条目的三元组，命名图由登记库自己建立。请将三元组"
            "另存为 Turtle（.ttl）或 N-Triples（.nt）后提交",
            en=f"{kind} is not read: a submission is triples about entries, and the registry "
            "makes its own named graphs. Save the triples as Turtle (.ttl) or N-Triples "
            "(.nt) and submit those",
        ),
        {"format": kind, "accepted": list(ACCEPTED_MEDIA_TYPES)},
    )


def format_of_upload(
    fmt: str | None = None, content_type: str | None = None, filename: str | None = None
) -> str:
    """The format name of a body (see the module's docstring), or 415 naming the ways to
    say it."""
    _refuse_quads(content_type, filename)
    if fmt and fmt.strip():
        name = fmt.strip().lower()
        if name in MAPPED_FORMATS:
            return name
        return rdf_format(name, MAPPED_FORMATS).name
    media = _media(content_type)
    if media not in _UNSAID:
        if media in MAPPED_MEDIA_TYPES:
            return MAPPED_MEDIA_TYPES[media]
        if media in _RDF_MEDIA:
            return _RDF_MEDIA[media]
    name = _file_name(filename)
    by_name = _EXTENSIONS.get(PurePath(name).suffix.lower())
    if by_name is not None:
        return by_name
    refuse_other_spreadsheet(name)
    raise UnsupportedFormatError(
        Text(
            zh=f"无法判断上传内容的格式（Content-Type {media!r}"
            + (f"，文件 {name!r}" if name else "")
            + "）：请用 ?format= 指明",
            en=f"cannot tell the format of the body (Content-Type {media!r}"
            + (f", file {name!r}" if name else "")
            + "): name it with ?format=",
        ),
        {"format": list(FORMAT_NAMES), "accepted": list(ACCEPTED_MEDIA_TYPES)},
    )


def upload_document(
    data: bytes,
    *,
    fmt: str | None = None,
    content_type: str | None = None,
    filename: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> Document:
    """The Document of an uploaded body, with a name for messages and what its reader
    needs to know: a DCAT catalogue's RDF syntax."""
    name = format_of_upload(fmt, content_type, filename)
    given = _file_name(filename)
    extra: dict[str, Any] = dict(options or {})
    if name == "dcat":
        extra["syntax"] = _dcat_syntax(content_type, given)
    document_name = given or f"upload.{_suffix(name, extra)}"
    return Document(document_name, data, name, extra)


#: At most this many parts in one multipart body.
MAX_FORM_PARTS = 100


@dataclass(frozen=True)
class FormPart:
    """One part of a multipart/form-data body: its file name and Content-Type (either
    may be missing) and its bytes."""

    filename: str | None
    content_type: str | None
    data: bytes


def is_form(content_type: str | None) -> bool:
    """Whether a body of this media type is a multipart/form-data of parts."""
    return _media(content_type) == "multipart/form-data"


def form_parts(body: bytes, content_type: str | None) -> list[FormPart]:
    """The parts of a multipart/form-data body (python-multipart's parser, the one
    Starlette's forms use), in order; 400 for a body that is not one, has no part, or
    more than MAX_FORM_PARTS."""
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    boundary = parse_options_header(content_type)[1].get(b"boundary")
    if not boundary:
        raise InputError(
            Text(
                zh="multipart/form-data 请求缺少 boundary 参数",
                en="a multipart/form-data body needs its boundary parameter",
            )
        )
    parts: list[FormPart] = []
    headers: dict[bytes, bytes] = {}
    header = [b"", b""]  # the field and the value being read
    data: list[bytes] = []

    def part_begin() -> None:
        headers.clear()
        data.clear()

    def header_field(chunk: bytes, start: int, end: int) -> None:
        header[0] += chunk[start:end]

    def header_value(chunk: bytes, start: int, end: int) -> None:
        header[1] += chunk[start:end]

    def header_end() -> None:
        headers[header[0].strip().lower()] = header[1].strip()
        header[:] = [b"", b""]

    def part_data(chunk: bytes, start: int, end: int) -> None:
        data.append(chunk[start:end])

    def part_end() -> None:
        _disposition, params = parse_options_header(headers.get(b"content-disposition"))
        name = params.get(b"filename")
        media = headers.get(b"content-type")
        parts.append(
            FormPart(
                name.decode("utf-8", "replace") if name else None,
                media.decode("latin-1") if media else None,
                b"".join(data),
            )
        )
        if len(parts) > MAX_FORM_PARTS:
            raise InputError(
                Text(
                    zh=f"一次最多提交 {MAX_FORM_PARTS} 个文件",
                    en=f"at most {MAX_FORM_PARTS} files in one request",
                ),
                {"limit": MAX_FORM_PARTS},
            )

    callbacks = {
        "on_part_begin": part_begin,
        "on_header_field": header_field,
        "on_header_value": header_value,
        "on_header_end": header_end,
        "on_part_data": part_data,
        "on_part_end": part_end,
    }
    try:
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        parser.write(body)
        parser.finalize()
    except MultipartParseError as exc:
        raise InputError(
            Text(
                zh=f"无法解析 multipart/form-data 请求：{exc}",
                en=f"cannot read the multipart/form-data body: {exc}",
            )
        ) from None
    if not parts:
        raise InputError(
            Text(
                zh="multipart/form-data 请求中没有文件",
                en="the multipart/form-data body holds no file",
            )
        )
    return parts


# A DCAT catalogue is RDF: a generic XML media type is its RDF/XML (portals serve it so).
_DCAT_XML_MEDIA = ("application/xml", "text/xml")


def _dcat_syntax(content_type: str | None, filename: str) -> str:
    media = _media(content_type)
    if media in _RDF_MEDIA:
        return _RDF_MEDIA[media]
    if media in _DCAT_XML_MEDIA:
        return "rdfxml"
    by_name = _EXTENSIONS.get(PurePath(filename).suffix.lower())
    if by_name in _RDF_MEDIA.values():
        return str(by_name)
    return "turtle"


def _suffix(name: str, options: Mapping[str, Any]) -> str:
    """A file extension for a body sent without a file name (messages only)."""
    if name == "dcat":
        name = str(options["syntax"])
    if name == "openapi":
        return "yaml"
    for fmt in RDF_FORMATS:
        if fmt.name == name:
            return fmt.extensions[0].lstrip(".")
    return name
