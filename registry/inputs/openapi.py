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
from urllib.parse import unquote

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from registry.bilingual import Text
from registry.errors import InputError
from registry.inputs.characters import refuse_unstorable_in_tree
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
    if text.lstrip().startswith("<"):
        # YAML reads an XML document as one string, refused as "not a mapping"
        kind = "WSDL" if "wsdl" in text[:4096].lower() else "XML"
        raise InputError(
            Text(
                zh=f"“{source}”：这是“{kind}”文档，不是开放接口文档（须为“YAML”或“JSON”）",
                en=f"{source}: this is {'a WSDL' if kind == 'WSDL' else 'an XML'} document, "
                "not an OpenAPI document (YAML or JSON)",
            ),
            {"file": source, "rule": "openapi", "found": kind},
        )
    try:
        # JSON first when it looks like JSON: YAML 1.1 reads some JSON differently.
        is_json = text.lstrip().startswith("{")
        document = _json_once_per_key(text, source) if is_json else _yaml_once_per_key(text, source)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise _syntax_error(exc, source, "JSON" if is_json else "YAML") from None
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


def _syntax_error(exc: Exception, source: str, kind: str) -> InputError:
    """The parser's whole problem: its reason with the line and column it names (PyYAML
    puts them on lines after the first, which alone said "while scanning for the next
    token")."""
    line = column = None
    if isinstance(exc, json.JSONDecodeError):
        reason, line, column = exc.msg, exc.lineno, exc.colno
    else:
        reason = (
            "; ".join(
                str(part)
                for part in (getattr(exc, "context", None), getattr(exc, "problem", None))
                if part
            )
            or str(exc).strip()
        )
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        if mark is not None:
            line, column = mark.line + 1, mark.column + 1
    where_zh = f"第 {line} 行第 {column} 列" if line is not None else ""
    where_en = f" at line {line}, column {column}" if line is not None else ""
    tabs = "'\\t'" in reason
    return InputError(
        Text(
            zh=f"“{source}”：{where_zh}不是有效的“{kind}”（“{reason}”）"
            + ("：缩进须用空格，不能用制表符" if tabs else ""),
            en=f"{source}: not valid {kind}{where_en}: {reason}"
            + (" (indent with spaces, not tabs)" if tabs else ""),
        ),
        {"file": source, "rule": "syntax", "reason": reason, "line": line, "column": column},
    )


def openapi_read_as_jsonld(doc_name: str, data: bytes) -> InputError | None:
    """The refusal of an OpenAPI JSON document that came as JSON-LD (`application/json`
    and `.json` are JSON-LD's as much as OpenAPI's, and formats are not guessed from
    content) and so held no entry: it said only "the submission holds no entry". None
    when the document has no top-level `openapi` or `swagger` key."""
    try:
        top = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    key = next((k for k in ("openapi", "swagger") if isinstance(top, dict) and k in top), None)
    if key is None:
        return None
    return InputError(
        Text(
            zh=f"“{doc_name}”按“JSON-LD”读取，没有可登记的条目；它顶层有“{key}”字段，"
            "是开放接口文档：请加“?format=openapi”，或以“Content-Type: "
            "application/vnd.oai.openapi+json”发送，或提交到“POST /api/v1/interfaces/openapi”"
            "（命令行：“screg import-openapi”）",
            en=f"{doc_name} was read as JSON-LD and holds no entry; its top-level {key!r} "
            "key says it is an OpenAPI document: add ?format=openapi, send it as "
            "Content-Type: application/vnd.oai.openapi+json, or POST it to "
            "/api/v1/interfaces/openapi (command line: screg import-openapi)",
        ),
        {"file": doc_name, "rule": "openapi-as-jsonld", "found": key},
    )


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


_NOWHERE = object()


def _resolve(document: Any, pointer: str) -> Any:
    """The node a local reference's fragment points to, or _NOWHERE. The fragment is
    percent-decoded first: a JSON pointer in a URI fragment is percent-encoded (RFC 6901
    §6), so `#/components/schemas/Foo%20Bar` names "Foo Bar" (and was refused)."""
    node = document
    for raw in unquote(pointer).split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _NOWHERE
    return node


def _at(pointer: str) -> str:
    return pointer or "/"


def _not_openapi_3(document: dict[str, Any]) -> Text | None:
    """What the document is when it is no OpenAPI 3.0/3.1 document: a Swagger 2.0
    document or a Postman collection is named as such, with what to do."""
    info = document.get("info")
    if "swagger" in document:
        return Text(
            zh=f"这是“Swagger 2.0”文档（“swagger: {document['swagger']}”），不是本系统接受的"
            "开放接口 3.0 或 3.1 文档：请先转换（例如用“swagger2openapi”）",
            en=f"this is a Swagger 2.0 document (swagger: {document['swagger']!s}), not "
            "OpenAPI 3.0 or 3.1: convert it first (e.g. with swagger2openapi)",
        )
    if (isinstance(info, dict) and "_postman_id" in info) or (
        "item" in document and "openapi" not in document
    ):
        return Text(
            zh="这是“Postman”接口集合（有“info._postman_id”或“item”），不是开放接口文档："
            "请从“Postman”导出为“OpenAPI 3”后再提交",
            en="this is a Postman collection (info._postman_id, item), not an OpenAPI "
            "document: export it from Postman as OpenAPI 3 first",
        )
    version = document.get("openapi")
    if version is None:
        return Text(
            zh="缺少“openapi”字段（文档所用的版本，如“3.0.3”）：这不是开放接口 3.0 或 3.1 文档",
            en="no 'openapi' field (the version the document follows, such as '3.0.3'): "
            "this is not an OpenAPI 3.0 or 3.1 document",
        )
    if not isinstance(version, str):
        return Text(
            zh=f"“openapi”须为带引号的文本，如“3.0.3”，而不是数字“{version}”",
            en=f"'openapi' is a quoted string such as '3.0.3', not the number {version}",
        )
    if not re.match(r"^3\.[01]\.\d+", version):
        return Text(
            zh=f"“openapi”须为“3.0.x”或“3.1.x”，而不是“{version}”",
            en=f"'openapi' must be 3.0.x or 3.1.x, not '{version}'",
        )
    return None


def _missing_fields(document: dict[str, Any]) -> dict[str, Text]:
    """What the validator says only as "not valid under any of the schemas listed in
    the 'oneOf' keyword" (or stops on, with a KeyError): a parameter without `name` or
    `in`, a response without `description`; by pointer."""
    found: dict[str, Text] = {}
    paths = document.get("paths") if isinstance(document.get("paths"), dict) else {}
    components = document.get("components") if isinstance(document.get("components"), dict) else {}

    def parameters(items: Any, pointer: str) -> None:
        for index, parameter in enumerate(items if isinstance(items, list) else []):
            if isinstance(parameter, dict) and "$ref" not in parameter:
                check_parameter(parameter, f"{pointer}/{index}")

    def check_parameter(parameter: dict[str, Any], pointer: str) -> None:
        if isinstance(parameter.get("name"), bool):
            # YAML 1.1 reads an unquoted no, yes, on, off as true or false
            found[pointer] = Text(
                zh=f"位置“{pointer}/name”：参数名被读成了真假值“{str(parameter['name']).lower()}”："
                "“no”“on”这类名称须加引号",
                en=f"{pointer}/name: the parameter's name was read as "
                f"{str(parameter['name']).lower()}: "
                "quote a name such as no or on (unquoted, YAML reads true or false)",
            )
            return
        lacking = [k for k in ("name", "in") if k not in parameter]
        if lacking:
            names_zh = "”和“".join(lacking)
            found[pointer] = Text(
                zh=f"位置“{pointer}”：参数缺少“{names_zh}”"
                + (
                    "（参数所在位置：“query”、“header”、“path”或“cookie”）"
                    if "in" in lacking
                    else ""
                ),
                en=f"{pointer}: the parameter has no {' and no '.join(repr(k) for k in lacking)}"
                + (" (where it goes: query, header, path or cookie)" if "in" in lacking else ""),
            )

    def responses(items: Any, pointer: str) -> None:
        for status, response in (items if isinstance(items, dict) else {}).items():
            if isinstance(response, dict) and "$ref" not in response:
                check_response(response, f"{pointer}/{_escape(str(status))}")

    def check_response(response: dict[str, Any], pointer: str) -> None:
        if "description" not in response:
            found[pointer] = Text(
                zh=f"位置“{pointer}”：响应缺少“description”（对该响应的说明，必填）",
                en=f"{pointer}: the response has no 'description' (required)",
            )

    for path, item in (paths or {}).items():
        if not isinstance(item, dict):
            continue
        where = f"/paths/{_escape(str(path))}"
        parameters(item.get("parameters"), f"{where}/parameters")
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                parameters(operation.get("parameters"), f"{where}/{method}/parameters")
                responses(operation.get("responses"), f"{where}/{method}/responses")
    for name, parameter in (components.get("parameters") or {}).items():
        if isinstance(parameter, dict) and "$ref" not in parameter:
            check_parameter(parameter, f"/components/parameters/{_escape(str(name))}")
    responses(components.get("responses"), "/components/responses")
    return found


def _ref_cycles(document: dict[str, Any], refs: list[tuple[str, str]]) -> list[Text]:
    """`$ref`s that lead back to themselves through nothing but `$ref`s (A is B, B is
    A): no schema is ever reached, and the validator recursed until Python stopped it
    ("maximum recursion depth exceeded"). A schema that refers to itself inside its
    properties or items (a tree) is no cycle."""
    found: list[Text] = []
    seen: set[frozenset[str]] = set()
    for _where, ref in refs:
        chain: list[str] = []
        pointer = ref[1:]
        while pointer not in chain:
            chain.append(pointer)
            target = _resolve(document, pointer)
            if not (isinstance(target, dict) and isinstance(target.get("$ref"), str)):
                break
            if not target["$ref"].startswith("#"):
                break
            pointer = target["$ref"][1:]
        else:
            cycle = chain[chain.index(pointer) :]
            if frozenset(cycle) not in seen:
                seen.add(frozenset(cycle))
                steps = " → ".join([*cycle, pointer])
                found.append(
                    Text(
                        zh=f"位置“{_at(cycle[0])}”：引用成环（“{steps}”），"
                        "始终到不了一个真正的定义",
                        en=f"{_at(cycle[0])}: a $ref cycle ({steps}) that never reaches "
                        "a definition",
                    )
                )
    return found


def _where_it_stopped(exc: BaseException) -> str | None:
    """The pointer of the document node the validator was reading when it raised: the
    last of its own path objects (jsonschema_path.SchemaPath) on the traceback. Its
    KeyError said only 'in', and its RecursionError nothing of where."""
    from jsonschema_path import SchemaPath

    parts = None
    tb = exc.__traceback__
    while tb is not None:
        for value in list(tb.tb_frame.f_locals.values()):
            if isinstance(value, SchemaPath):
                parts = value.parts
        tb = tb.tb_next
    if parts is None:
        return None
    return "".join(f"/{_escape(str(p))}" for p in parts)


_REQUIRED = re.compile(r'^"(?P<name>[^"]+)" is a required property$')
_NOT_OF_TYPE = re.compile(r'^(?P<value>.+) is not of type "(?P<type>[a-z]+)"$')
_TYPE_ZH = {
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "boolean": "布尔值",
    "object": "映射",
    "array": "列表",
}


def _validator_problem(pointer: str, message: str) -> Text:
    """One message of openapi-spec-validator, with a Chinese text: in words for the
    kinds that say what is missing or wrong, else its English quoted."""
    required, not_of_type = _REQUIRED.match(message), _NOT_OF_TYPE.match(message)
    if required:
        zh = f"缺少必填字段“{required['name']}”"
    elif not_of_type and not_of_type["type"] in _TYPE_ZH:
        zh = f"值“{not_of_type['value']}”应为{_TYPE_ZH[not_of_type['type']]}"
        if not_of_type["type"] == "string":
            zh += "（如“1.10”“no”这类值须加引号，否则会被读成数字或真假值）"
            message += (
                " (quote a value such as 1.10 or no: unquoted, YAML reads a number or true/false)"
            )
    else:
        zh = f"“{message}”"
    return Text(
        zh=f"位置“{_at(pointer)}”：{zh}", en=f"{pointer}: {message}" if pointer else message
    )


def check_spec(document: dict[str, Any]) -> list[Text]:
    """The problems of an OpenAPI document, each with its pointer: what kind of document
    it is, its own $ref rules, then the validator's, with what is missing said in words."""
    from openapi_spec_validator.validation import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    other = _not_openapi_3(document)
    if other is not None:
        return [other]
    version = str(document["openapi"])
    errors = []
    refs = list(_refs(document))
    for where, ref in refs:
        if not ref.startswith("#"):
            errors.append(
                Text(
                    zh=f"位置“{_at(where)}”：引用“{ref}”指向文档之外；只接受文档内的引用"
                    "（以“#/”开头），不从网络或磁盘读取",
                    en=f"{_at(where)}: $ref {ref!r} points outside the document; only "
                    "local references (#/...) are accepted, nothing is fetched",
                )
            )
        elif _resolve(document, ref[1:]) is _NOWHERE:
            errors.append(
                Text(
                    zh=f"位置“{_at(where)}”：引用“{ref}”在文档中找不到所指的内容",
                    en=f"{_at(where)}: $ref {ref!r} points to nothing in the document",
                )
            )
    if errors:
        return errors
    errors = _ref_cycles(document, refs)
    if errors:
        return errors
    missing = _missing_fields(document)
    errors = list(missing.values())
    cls = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    try:
        for error in cls(document).iter_errors():
            pointer = "".join(f"/{_escape(str(p))}" for p in getattr(error, "path", []) or [])
            if pointer in missing:
                continue  # said in words above
            message = str(getattr(error, "message", error)).splitlines()[0]
            errors.append(_validator_problem(pointer, message))
            if len(errors) >= MAX_ERRORS:
                break
    except Exception as exc:  # the validator raises on some broken structures itself
        where = _where_it_stopped(exc)
        if where not in missing:
            errors.append(_validator_stopped(exc, where))
    return errors


def _validator_stopped(exc: Exception, where: str | None) -> Text:
    at_zh, at_en = (f"在位置“{_at(where)}”", f" at {_at(where)}") if where is not None else ("", "")
    if isinstance(exc, RecursionError):
        return Text(
            zh=f"校验{at_zh}陷入无尽的递归而中止：检查该处的引用是否兜了圈子",
            en=f"the validator recursed without end{at_en} and stopped: look for a $ref "
            "there that leads back to itself",
        )
    if isinstance(exc, KeyError):
        return Text(
            zh=f"校验{at_zh}中止：缺少字段“{exc.args[0] if exc.args else ''}”",
            en=f"the validator stopped{at_en}: the field {exc.args[0] if exc.args else ''!r} "
            "is missing",
        )
    return Text(
        zh=f"校验{at_zh}未能完成（“{type(exc).__name__}”）",
        en=f"the validator could not finish{at_en} ({type(exc).__name__})",
    )


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
    for path, given in (document.get("paths") or {}).items():
        item = _path_item(document, given)
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                summary = operation.get("summary") or operation.get("operationId") or ""
                found.append(f"{method.upper()} {path}" + (f": {summary}" if summary else ""))
    return found


def _path_item(document: Mapping[str, Any], item: Any) -> Any:
    """A path item with its local `$ref` followed (3.1's `#/components/pathItems/A`),
    the fields beside the `$ref` over those it names: its operations were left out of
    the registered description. check_spec has refused unresolvable and cyclic refs."""
    seen: set[str] = set()
    while isinstance(item, dict) and isinstance(item.get("$ref"), str):
        ref = item["$ref"]
        if not ref.startswith("#") or ref in seen:
            break
        seen.add(ref)
        target = _resolve(document, ref[1:])
        if not isinstance(target, dict):
            break
        item = {**target, **{k: v for k, v in item.items() if k != "$ref"}}
    return item


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
    # Before anything is made of it: a character no RDF/XML can carry is named at its
    # pointer, not at a position in the description the registry puts together.
    refuse_unstorable_in_tree(document, doc.name)
    errors = check_spec(document)
    if errors:
        more = len(errors) - 1
        raise InputError(
            Text(
                zh=f"“{doc.name}”：不是有效的开放接口文档：{errors[0].zh}"
                + (f"；另有 {more} 个问题" if more else ""),
                en=f"{doc.name}: not a valid OpenAPI document: {errors[0].en}"
                + (f"; {more} more" if more else ""),
            ),
            # `errors` in English, as ever; `errors_zh` the same problems in Chinese
            {
                "file": doc.name,
                "rule": "openapi-spec",
                "errors": [e.en for e in errors],
                "errors_zh": [e.zh for e in errors],
            },
        )
    url = endpoint_url(document)
    code = str(options.get("code") or interface_code(document, department, url))
    if not INTERFACE_CODE.match(code):
        # Where the code came from: the `code` option, or the document's info.
        given = "the code option" if options.get("code") else "/info/x-interface-code"
        given_zh = "参数“code”" if options.get("code") else "“/info/x-interface-code”"
        raise InputError(
            Text(
                zh=f"“{code}”（{given_zh}）不是接口代码：只能由字母、数字和 . _ - 组成",
                en=f"“{code}” ({given}) is not an interface code: letters, digits, . _ - only",
            ),
            {"code": code, "location": {"file": doc.name, "pointer": given}},
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
