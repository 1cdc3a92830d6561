"""OpenAPI 3.0/3.1 documents as data-interface entries (docs/inputs.md).

The document is read safely: JSON, or YAML through `yaml.safe_load` (no Python
objects), its expanded size bounded (YAML aliases can multiply a small file),
every `$ref` local (`#/...`: nothing is fetched from the network or disk), then
checked with openapi-spec-validator. An invalid document is refused with the
validator's messages (InputError: HTTP 400, exit 2); a valid one becomes one
scs:DataInterface that goes through the same validation and registration as
any other submission.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from registry.bilingual import Text
from registry.errors import InputError
from registry.inputs.document import Document, Lookup, SubmissionGraph, input_problem
from registry.inputs.identifiers import (
    RESOURCE_CODE_PATTERN,
    is_valid_credit_code,
    resource_slug,
)
from registry.namespaces import SCS

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
INTERFACE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")  # shapes/interface.ttl
_CJK = re.compile(r"[\u3400-\u9fff]")
MAX_ERRORS = 50
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")  # DCAT 3; rdflib's DCAT is DCAT 2


def parse_document(data: bytes, source: str, max_nodes: int) -> dict[str, Any]:
    """The OpenAPI document as plain JSON-like data, or InputError."""
    import yaml

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            Text(
                zh=f"{source}：OpenAPI 文档须为 UTF-8 编码",
                en=f"{source}: an OpenAPI document must be UTF-8",
            ),
            {"file": source, "rule": "encoding"},
        ) from None
    try:
        # JSON first when it looks like JSON: YAML 1.1 reads some JSON differently.
        is_json = text.lstrip().startswith("{")
        document = _json_once_per_key(text, source) if is_json else _yaml_once_per_key(text, source)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(
            Text(
                zh=f"{source}：不是有效的 YAML 或 JSON（{_first_line(exc)}）",
                en=f"{source}: not valid YAML or JSON ({_first_line(exc)})",
            ),
            {"file": source, "rule": "syntax"},
        ) from None
    if not isinstance(document, dict):
        raise InputError(
            Text(
                zh=f"{source}：OpenAPI 文档的顶层须为映射",
                en=f"{source}: an OpenAPI document is a mapping at the top",
            ),
            {"file": source, "rule": "openapi"},
        )
    _bounded(document, max_nodes, source)
    return _plain(document)


def _repeated_key(
    source: str, key: object, where: tuple[str, str], details: dict[str, Any]
) -> InputError:
    """The refusal of a mapping that gives a key twice: YAML (1.2 §3.2.1.1), JSON as
    OpenAPI reads it, and OpenAPI itself want each key once, and PyYAML and `json`
    kept the last one silently (a path given twice lost the first one's operations)."""
    return InputError(
        Text(
            zh=f"“{source}”：键“{key}”在同一映射中出现了两次（{where[0]}），前一个的内容会丢失；"
            "请合并为一个",
            en=f"{source}: the key {str(key)!r} is given twice in one mapping ({where[1]}); "
            "the first one's content would be lost, give it once",
        ),
        {"file": source, "rule": "duplicate-key", "key": str(key), **details},
    )


def _yaml_once_per_key(text: str, source: str) -> Any:
    """`yaml.safe_load` refusing a key given twice in one mapping, with its lines."""
    import yaml

    class OncePerKeyLoader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            first: dict[Any, Any] = {}
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *base` is meant to be overridden by the keys beside it
                key = self.construct_object(key_node, deep=deep)
                try:
                    earlier = first.setdefault(key, key_node.start_mark)
                except TypeError:  # a mapping as a key: the constructor refuses it
                    continue
                if earlier is not key_node.start_mark:
                    lines = (earlier.line + 1, key_node.start_mark.line + 1)
                    raise _repeated_key(
                        source,
                        key,
                        (f"第 {lines[0]} 行与第 {lines[1]} 行", f"lines {lines[0]} and {lines[1]}"),
                        {
                            "line": lines[1],
                            "column": key_node.start_mark.column + 1,
                            "first_line": lines[0],
                        },
                    )
            return super().construct_mapping(node, deep)

    return yaml.load(text, Loader=OncePerKeyLoader)


def _json_once_per_key(text: str, source: str) -> Any:
    """`json.loads` refusing a key given twice in one object, named by its pointer."""
    repeated: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(items)
        if len(obj) == len(items):
            return obj
        marked = _Repeated(obj)
        seen: set[str] = set()
        for key, _value in items:
            if key in seen:
                marked.repeated = key
                break
            seen.add(key)
        repeated.append(True)
        return marked

    document = json.loads(text, object_pairs_hook=pairs)
    if repeated:
        pointer, key = _first_repeated(document)
        raise _repeated_key(source, key, (f"位置“{pointer}”", pointer), {"pointer": pointer})
    return document


class _Repeated(dict):
    """A JSON object that gave `repeated` twice: found after the parse, for its pointer."""

    repeated: str


def _first_repeated(node: Any, pointer: str = "") -> tuple[str, str]:
    stack = [(node, pointer)]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, _Repeated):
            return f"{pointer}/{_escape(node.repeated)}", node.repeated
        if isinstance(node, dict):
            stack.extend((v, f"{pointer}/{_escape(k)}") for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((v, f"{pointer}/{i}") for i, v in reversed(list(enumerate(node))))
    raise AssertionError("a repeated key was seen but not found")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else "no reason given"


def _bounded(document: Any, limit: int, source: str) -> None:
    """Refuse a document whose expanded tree is larger than `limit` nodes: YAML aliases
    make a few lines into billions of nodes ("billion laughs") that the validator and
    serialiser would walk."""
    count = 0
    stack = [document]
    while stack:
        node = stack.pop()
        count += 1
        if count > limit:
            raise InputError(
                Text(
                    zh=f"{source}：文档展开后的节点过多",
                    en=f"{source}: the document expands to too many nodes",
                ),
                {"file": source, "rule": "too-large", "limit": limit},
            )
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _plain(node: Any) -> Any:
    """YAML dates and non-string keys made JSON-like, as the validator expects."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, datetime | date):
        return node.isoformat()
    return node


def _refs(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield pointer, value
            else:
                yield from _refs(value, f"{pointer}/{_escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs(value, f"{pointer}/{index}")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _resolve_pointer(document: Any, pointer: str) -> bool:
    node = document
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def check_spec(document: dict[str, Any]) -> list[str]:
    """The problems of an OpenAPI document: its own $ref rules, then the validator's."""
    from openapi_spec_validator.validation import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    version = str(document.get("openapi", ""))
    if not re.match(r"^3\.[01]\.\d+", version):
        return [
            f"'openapi' must be 3.0.x or 3.1.x, not {version or 'missing'!r} "
            "(Swagger 2.0 documents are not accepted)"
        ]
    errors = []
    for where, ref in _refs(document):
        if not ref.startswith("#"):
            errors.append(
                f"{where or '/'}: $ref {ref!r} points outside the document; only "
                "local references (#/...) are accepted, nothing is fetched"
            )
        elif not _resolve_pointer(document, ref[1:]):
            errors.append(f"{where or '/'}: $ref {ref!r} points to nothing in the document")
    if errors:
        return errors
    cls = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    try:
        for error in cls(document).iter_errors():
            path = "/".join(_escape(str(p)) for p in getattr(error, "path", []) or [])
            message = str(getattr(error, "message", error)).splitlines()[0]
            errors.append(f"/{path}: {message}" if path else message)
            if len(errors) >= MAX_ERRORS:
                break
    except Exception as exc:  # the validator raises on some broken structures itself
        errors.append(f"the validator stopped: {_first_line(exc)}")
    return errors


def endpoint_url(document: Mapping[str, Any]) -> str | None:
    """The first server's URL with its variables filled by their defaults."""
    servers = document.get("servers") or []
    if not servers or not isinstance(servers[0], dict):
        return None
    url = str(servers[0].get("url", ""))
    for name, variable in (servers[0].get("variables") or {}).items():
        if isinstance(variable, dict) and "default" in variable:
            url = url.replace("{" + name + "}", str(variable["default"]))
    return url


def is_iri(text: str) -> bool:
    """Whether `text` is an absolute IRI (RFC 3987) as the store parses it: a server URL
    with an undeclared `{variable}`, a space or a `<` conformed, and then the write of
    the entry failed (rdflib will not write such an IRI) with a 500."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def operations(document: Mapping[str, Any]) -> list[str]:
    """`METHOD /path: summary` for every operation, in document order."""
    found = []
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                summary = operation.get("summary") or operation.get("operationId") or ""
                found.append(f"{method.upper()} {path}" + (f": {summary}" if summary else ""))
    return found


def auth_method(document: Mapping[str, Any]) -> str | None:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    names = []
    for scheme in schemes.values():
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type", "")
        if kind == "http":
            names.append(f"HTTP {scheme.get('scheme', '')}".strip())
        elif kind == "apiKey":
            names.append(f"API key ({scheme.get('in', '')} {scheme.get('name', '')})".strip())
        elif kind == "oauth2":
            flows = ", ".join(sorted((scheme.get("flows") or {}).keys()))
            names.append(f"OAuth 2.0 ({flows})" if flows else "OAuth 2.0")
        elif kind == "openIdConnect":
            names.append("OpenID Connect")
        elif kind == "mutualTLS":
            names.append("mutual TLS")
    return "; ".join(names) or None


def interface_code(document: Mapping[str, Any], department: str, url: str | None) -> str:
    """The code given in the document (`x-interface-code`), else one derived from the
    department and the endpoint: importing a new version of the same API then updates
    the same entry instead of making another."""
    given = (document.get("info") or {}).get("x-interface-code")
    if given:
        return str(given)
    digest = hashlib.sha256(f"{department}|{url or ''}".encode()).hexdigest()[:10].upper()
    return f"OAS-{department[-6:]}-{digest}"


def read_openapi(doc: Document, base_iri: str, lookup: Lookup, max_bytes: int | None) -> Graph:
    """One data-interface entry from an OpenAPI document; options: department (credit
    code, required), serves (resource codes), conforms_to (standard identifiers), code,
    title and title_en (the zh and en titles, in place of the document's)."""
    options = doc.options
    department = str(options.get("department") or "").strip().upper()
    if not is_valid_credit_code(department):
        raise InputError(
            Text(
                zh=(
                    "OpenAPI "
                    "导入须指明提供接口部门的统一社会信用代码（--department / "
                    "?department=）"
                ),
                en=(
                    "an OpenAPI import needs the department's unified social "
                    "credit code (--department / ?department=)"
                ),
            ),
            {"department": department or None},
        )
    limit = max(10_000, (max_bytes or 20 * 1024 * 1024) // 4)
    document = parse_document(doc.data, doc.name, limit)
    errors = check_spec(document)
    if errors:
        raise InputError(
            Text(
                zh=f"{doc.name}：不是有效的 OpenAPI 文档",
                en=f"{doc.name}: not a valid OpenAPI document",
            ),
            {"file": doc.name, "rule": "openapi-spec", "errors": errors},
        )
    url = endpoint_url(document)
    code = str(options.get("code") or interface_code(document, department, url))
    if not INTERFACE_CODE.match(code):
        raise InputError(
            Text(
                zh=f"{code!r} 不是接口代码（字母、数字、. _ -）",
                en=f"{code!r} is not an interface code (letters, digits, . _ -)",
            ),
            {"code": code},
        )
    graph = SubmissionGraph()
    iri = URIRef(f"{base_iri}interface/{code}")
    source = (("file", doc.name),)
    graph.locations[str(iri)] = {
        None: source,
        str(DCAT.endpointURL): (*source, ("pointer", "/servers/0/url")),
        str(DCTERMS.title): (*source, ("pointer", "/info/title")),
        str(DCAT_VERSION): (*source, ("pointer", "/info/version")),
        str(DCAT.servesDataset): (*source, ("option", "serves")),
        str(DCTERMS.conformsTo): (*source, ("option", "conforms_to")),
        str(DCTERMS.publisher): (*source, ("option", "department")),
    }
    info = document.get("info") or {}
    title = str(info.get("title", "")).strip()
    graph.add((iri, RDF.type, SCS.DataInterface))
    graph.add((iri, SCS.interfaceCode, Literal(code)))
    # The document's title in its language, unless the options give one for it: a
    # document from outside China has no Chinese title, which the shapes require.
    titles = {"zh" if _CJK.search(title) else "en": title} if title else {}
    for lang, key in (("zh", "title"), ("en", "title_en")):
        given = str(options.get(key) or "").strip()
        if given:
            titles[lang] = given
    for lang, text in titles.items():
        graph.add((iri, DCTERMS.title, Literal(text, lang=lang)))
    dept_iri, _name = lookup.departments().get(
        department, (f"{base_iri}department/{department}", "")
    )
    graph.add((iri, DCTERMS.publisher, URIRef(dept_iri)))
    if url and re.match(r"^https?://", url) and is_iri(url):
        graph.add((iri, DCAT.endpointURL, URIRef(url)))
    elif url and re.match(r"^https?://", url):
        graph.problems.append(
            input_problem(
                "openapi-server",
                f"第一个服务地址填入变量默认值后是“{url}”，不是有效的网址：其中有未声明的变量"
                "（花括号）、空格或尖括号、引号等不能出现在网址中的字符。",
                f"The first server's URL, its variables filled, is {url!r}: not a valid IRI "
                '(an undeclared {variable}, a space, or a character such as < > " that an '
                "IRI cannot hold).",
                focus=str(iri),
                path=str(DCAT.endpointURL),
                value=url,
                location=(*source, ("pointer", "/servers/0/url")),
            )
        )
    else:
        graph.problems.append(
            input_problem(
                "openapi-server",
                "OpenAPI 文档的 servers 中没有 http(s) 绝对地址,无法确定接口地址。",
                "The document's servers give no absolute http(s) URL for the endpoint.",
                focus=str(iri),
                path=str(DCAT.endpointURL),
                value=url,
                location=(*source, ("pointer", "/servers/0/url")),
            )
        )
    # The spec itself is the endpoint description (vocabulary: IRI or string (OpenAPI)).
    graph.add((iri, DCAT.endpointDescription, Literal(doc.data.decode("utf-8-sig"))))
    graph.add((iri, SCS.protocol, Literal("HTTP/REST")))
    if info.get("version") is not None:
        graph.add((iri, DCAT_VERSION, Literal(str(info["version"]))))
    auth = auth_method(document)
    if auth:
        graph.add((iri, SCS.authMethod, Literal(auth)))
    ops = operations(document)
    description = str(info.get("description") or "").strip()
    text = "\n".join(([description, ""] if description else []) + ops)
    if text:
        lang = "zh" if _CJK.search(text) else "en"
        graph.add((iri, DCTERMS.description, Literal(text, lang=lang)))
    for resource in options.get("serves") or ():
        resource = str(resource).strip()
        if RESOURCE_CODE_PATTERN.match(resource):
            graph.add(
                (iri, DCAT.servesDataset, URIRef(f"{base_iri}resource/{resource_slug(resource)}"))
            )
        else:
            graph.problems.append(
                input_problem(
                    "resource-code",
                    f"“{resource}”不是信息资源代码。",
                    f"{resource!r} is not a resource code.",
                    focus=str(iri),
                    path=str(DCAT.servesDataset),
                    value=resource,
                    location=(*source, ("option", "serves")),
                )
            )
    from registry.inputs.tabular import CellError, resolve_standard

    for text_id in options.get("conforms_to") or ():
        try:
            graph.add(
                (iri, DCTERMS.conformsTo, URIRef(resolve_standard(str(text_id), lookup, base_iri)))
            )
        except CellError as error:
            graph.problems.append(
                input_problem(
                    error.rule,
                    error.zh,
                    error.en,
                    focus=str(iri),
                    path=str(DCTERMS.conformsTo),
                    value=str(text_id),
                    location=(*source, ("option", "conforms_to")),
                )
            )
    return graph
