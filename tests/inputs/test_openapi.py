"""OpenAPI documents as data interfaces: the example imports, broken specs are refused
with the validator's messages, and nothing is fetched or expanded without bound."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from registry.config import Settings
from registry.errors import InputError, NotFoundError
from registry.inputs.document import Document
from registry.inputs.load import load_submission
from registry.namespaces import SCS
from registry.register.submission import Principal
from registry.register.tokens import create_token
from registry.store import open_store
from tests.conftest import EXAMPLES

SPECS = EXAMPLES / "openapi"
BASE = "http://127.0.0.1:8000/id/"
DEPT = "11210100EXAMPLE01N"
IFACE = URIRef(f"{BASE}interface/SY-DSJ-API-003")
OPTIONS = {"department": DEPT, "serves": ["101001/000001"], "conforms_to": ["GB/T38672—2020"]}


def spec(name: str, options: dict | None = None) -> Document:
    return Document(name, (SPECS / name).read_bytes(), "openapi", options or OPTIONS)


def test_example_spec_maps_to_a_data_interface() -> None:
    graph = load_submission([spec("population-verify.yaml")])
    assert str(graph.value(IFACE, DCTERMS.title)) == "人口身份信息批量核验接口"
    assert str(graph.value(IFACE, URIRef("http://www.w3.org/ns/dcat#version"))) == "1.2.0"
    # The server variable {version} filled with its default.
    assert graph.value(IFACE, DCAT.endpointURL) == URIRef(
        "https://data.example.org/api/v1/population"
    )
    operations = str(graph.value(IFACE, DCTERMS.description))
    assert "POST /verify: 核验一个人的身份信息" in operations
    assert "POST /verify/batch" in operations
    assert "openapi: 3.0.3" in str(graph.value(IFACE, DCAT.endpointDescription))
    assert str(graph.value(IFACE, SCS.authMethod)) == "OAuth 2.0 (clientCredentials)"
    assert graph.value(IFACE, DCTERMS.conformsTo) == URIRef(f"{BASE}standard/GB-T-38672-2020")


def test_example_spec_imports_through_the_submission_path(memory_registry) -> None:
    principal = Principal("submitter", URIRef(f"{BASE}department/{DEPT}"), DEPT)
    result = memory_registry.submit([spec("population-verify.yaml")], principal)
    assert result.accepted, [r.as_dict() for r in result.report.results]
    assert [(c.item, c.outcome) for c in result.changes] == [(str(IFACE), "new")]
    assert (IFACE, SCS.interfaceCode, Literal("SY-DSJ-API-003")) in memory_registry.show(str(IFACE))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("invalid-spec.yaml", '"version" is a required property'),
        ("invalid-remote-ref.yaml", "only local references"),
    ],
)
def test_spec_with_errors_is_refused_with_the_validators_messages(name: str, message: str) -> None:
    with pytest.raises(InputError) as refused:
        load_submission([spec(name)])
    assert refused.value.status == 400
    assert any(message in e for e in refused.value.details["errors"]), refused.value.details


def test_yaml_alias_bombs_and_python_tags_are_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    with pytest.raises(InputError, match="too many nodes"):
        load_submission([Document("bomb.yaml", bomb.encode(), "openapi", OPTIONS)])
    with pytest.raises(InputError, match="not valid YAML"):
        load_submission(
            [
                Document(
                    "p.yaml", b"openapi: !!python/object/apply:os.system [id]\n", "openapi", OPTIONS
                )
            ]
        )


def test_cli_import_openapi(tmp_path: Path) -> None:
    from registry.cli import main

    store = str(tmp_path / "store")
    runner = CliRunner()
    bad = runner.invoke(
        main,
        [
            "import-openapi",
            str(SPECS / "invalid-spec.yaml"),
            "--department",
            DEPT,
            "--store",
            store,
        ],
    )
    assert bad.exit_code == 2
    assert '"version" is a required property' in bad.output
    good = runner.invoke(
        main,
        [
            "import-openapi",
            str(SPECS / "population-verify.yaml"),
            "--department",
            DEPT,
            "--serves",
            "101001/000001",
            "--store",
            store,
        ],
    )
    assert good.exit_code == 0, good.output
    assert '"outcome": "new"' in good.output


def test_api_endpoint(seeded_dump: bytes, validator) -> None:
    from api import create_app
    from api.routers import openapi_import

    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    secret = create_token(store, "submitter", DEPT, "bureau")[1]
    app = create_app(Settings(store="memory", seed=False), store=store, validator=validator)
    if not any(getattr(r, "path", "") == "/api/v1/interfaces/openapi" for r in app.routes):
        app.include_router(openapi_import.router)
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/yaml"}
    with TestClient(app, raise_server_exceptions=False) as client:
        bad = client.post(
            "/api/v1/interfaces/openapi",
            headers=headers,
            content=(SPECS / "invalid-spec.yaml").read_bytes(),
        )
        assert bad.status_code == 400
        assert any("version" in e for e in bad.json()["error"]["details"]["errors"])
        unauthenticated = client.post(
            "/api/v1/interfaces/openapi", content=(SPECS / "population-verify.yaml").read_bytes()
        )
        assert unauthenticated.status_code == 401
        good = client.post(
            "/api/v1/interfaces/openapi?serves=101001/000001",
            headers=headers,
            content=(SPECS / "population-verify.yaml").read_bytes(),
        )
        assert good.status_code == 201, good.text
        assert good.json()["entries"][0]["item"] == str(IFACE)
        foreign = client.post(
            "/api/v1/interfaces/openapi?department=11210100EXAMPLE02R",
            headers=headers,
            content=(SPECS / "population-verify.yaml").read_bytes(),
        )
        assert foreign.status_code == 403


# An English-only OpenAPI document, as the OAI's own examples (uspto.yaml) are.
ENGLISH_ONLY = b"""openapi: 3.0.1
info:
  title: USPTO Data Set API
  version: 1.0.0
servers:
  - url: https://developer.uspto.gov/ds-api
paths:
  /:
    get:
      summary: List available data sets
      responses:
        '200':
          description: Returns a list of data sets
"""


def test_english_only_openapi_was_refused_for_want_of_a_chinese_title(memory_registry) -> None:
    """Regression: a document from outside China was refused only for lacking a Chinese
    title, with no way to supply one. --title (and --title-en) give them."""
    base = {**OPTIONS, "code": "USPTO-DS-API"}
    without = memory_registry.validate([Document("uspto.yaml", ENGLISH_ONLY, "openapi", base)])
    assert not without.conforms
    assert any(r.path == str(DCTERMS.title) for r in without.results if r.severity == "Violation")
    options = {**base, "title": "美国专利商标局数据集接口", "title_en": "USPTO data sets"}
    graph = load_submission([Document("uspto.yaml", ENGLISH_ONLY, "openapi", options)])
    iri = URIRef(f"{BASE}interface/USPTO-DS-API")
    assert set(graph.objects(iri, DCTERMS.title)) == {
        Literal("美国专利商标局数据集接口", lang="zh"),
        Literal("USPTO data sets", lang="en"),
    }
    report = memory_registry.validate([Document("uspto.yaml", ENGLISH_ONLY, "openapi", options)])
    assert report.conforms, [r.as_dict() for r in report.results if r.severity == "Violation"]


def test_cli_import_openapi_takes_title_and_title_en(tmp_path: Path) -> None:
    from registry.cli import main

    spec_file = tmp_path / "uspto.yaml"
    spec_file.write_bytes(ENGLISH_ONLY)
    args = ["import-openapi", str(spec_file), "--store", "memory", "--department", DEPT]
    args += ["--serves", "101001/000001", "--code", "USPTO-DS-API", "--dry-run"]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1, refused.output
    accepted = CliRunner().invoke(main, [*args, "--title", "美国专利商标局数据集接口"])
    assert accepted.exit_code == 0, accepted.output


# A Chinese message holds no English word outside its quoted values (as
# tests/inputs/test_workbooks.py checks for spreadsheet messages).
LATIN = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,}")
QUOTED = re.compile(r"“[^”]*”")


def assert_chinese(message: str) -> None:
    assert not LATIN.findall(QUOTED.sub("", message)), message


def one_server(url: str, variables: str = "") -> bytes:
    return f"""openapi: 3.0.3
info: {{title: 服务地址接口, version: '1', x-interface-code: PROBE-WS-003}}
servers: [{{url: '{url}'{variables}}}]
paths:
  /a:
    get:
      responses: {{'200': {{description: ok}}}}
""".encode()


@pytest.mark.parametrize(
    ("body", "url"),
    [
        (one_server("https://a.example.org/{tenant}/api"), "https://a.example.org/{tenant}/api"),
        (
            one_server("https://a.example.org/my api/{v}", ", variables: {v: {default: 'v 1'}}"),
            "https://a.example.org/my api/v 1",
        ),
        (one_server('https://a.example.org/x>y"z'), 'https://a.example.org/x>y"z'),
    ],
)
def test_server_url_that_is_no_iri_conformed_and_then_failed_to_register(
    memory_registry, body: bytes, url: str
) -> None:
    """Regression: an undeclared server variable, a space or a `>` conformed in
    validation and the dry run, and the registration answered 500 (rdflib would not
    write the IRI). All three now give the same Violation at /servers/0/url."""
    principal = Principal("submitter", URIRef(f"{BASE}department/{DEPT}"), DEPT)
    doc = Document("openapi", body, "openapi", OPTIONS)
    reports = [
        memory_registry.validate([doc]),
        memory_registry.try_submit([doc], principal).report,
        memory_registry.submit([doc], principal).report,
    ]
    for report in reports:
        violations = [r for r in report.results if r.severity == "Violation"]
        assert [(r.source_shape.rsplit("#", 1)[-1], r.value) for r in violations] == [
            ("Input-openapi-server", url)
        ]
        assert dict(violations[0].location) == {"file": "openapi", "pointer": "/servers/0/url"}
        assert "not a valid IRI" in violations[0].message_en
        assert "不是有效的网址" in violations[0].message_zh
        assert_chinese(violations[0].message_zh)
    with pytest.raises(NotFoundError):
        memory_registry.show(f"{BASE}interface/PROBE-WS-003")


DUPLICATE_PATH_YAML = b"""openapi: 3.0.3
info: {title: dup, version: '1', x-interface-code: PROBE-DUP-001}
servers: [{url: 'https://a.example.org/api'}]
paths:
  /users:
    get:  {summary: list, responses: {'200': {description: ok}}}
  /users:
    post: {summary: add, responses: {'200': {description: ok}}}
"""
DUPLICATE_PATH_JSON = (
    b'{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {'
    b'"/a": {"get": {"responses": {"200": {"description": "ok"}}}}, '
    b'"/a": {"post": {"responses": {"200": {"description": "ok"}}}}}}'
)


def test_path_given_twice_was_merged_silently_and_lost_its_operations() -> None:
    """Regression: PyYAML and `json` kept the last of two equal keys, so the first
    path's GET vanished from the registered description. The document is refused,
    naming the key and its lines (YAML) or its pointer (JSON)."""
    with pytest.raises(InputError) as yaml_refused:
        load_submission([Document("dup.yaml", DUPLICATE_PATH_YAML, "openapi", OPTIONS)])
    assert yaml_refused.value.details == {
        "file": "dup.yaml",
        "rule": "duplicate-key",
        "key": "/users",
        "line": 7,
        "column": 3,
        "first_line": 5,
    }
    assert "'/users' is given twice in one mapping (lines 5 and 7)" in (
        yaml_refused.value.message.en
    )
    assert "键“/users”在同一映射中出现了两次（第 5 行与第 7 行）" in yaml_refused.value.message.zh
    assert_chinese(yaml_refused.value.message.zh)
    with pytest.raises(InputError) as json_refused:
        load_submission([Document("dup.json", DUPLICATE_PATH_JSON, "openapi", OPTIONS)])
    assert json_refused.value.details == {
        "file": "dup.json",
        "rule": "duplicate-key",
        "key": "/a",
        "pointer": "/paths/~1a",
    }
    assert "'/a' is given twice in one mapping (/paths/~1a)" in json_refused.value.message.en
    assert_chinese(json_refused.value.message.zh)


def test_yaml_merge_key_overridden_beside_it_is_no_duplicate() -> None:
    merged = b"""openapi: 3.0.3
info: {title: merge, version: '1', x-interface-code: PROBE-MERGE}
servers: [{url: 'https://a.example.org/api'}]
x-base: &base {summary: base, responses: {'200': {description: ok}}}
paths:
  /a:
    get: {<<: *base, summary: override}
"""
    graph = load_submission([Document("m.yaml", merged, "openapi", OPTIONS)])
    assert "GET /a: override" in str(
        graph.value(URIRef(f"{BASE}interface/PROBE-MERGE"), DCTERMS.description)
    )


def refusal(body: bytes, name: str = "spec.yaml", **options: str) -> InputError:
    with pytest.raises(InputError) as refused:
        load_submission([Document(name, body, "openapi", {**OPTIONS, **options})])
    for zh in [refused.value.message.zh, *refused.value.details.get("errors_zh", [])]:
        assert_chinese(zh)
    return refused.value


def test_invalid_spec_example_said_the_validator_stopped_on_in() -> None:
    """Regression: the shipped example answered "the validator stopped: 'in'" (a
    KeyError inside openapi-spec-validator) and two oneOf messages that named nothing
    missing. Each problem now says what is missing, at its pointer, in zh and en."""
    refused = refusal((SPECS / "invalid-spec.yaml").read_bytes(), "invalid-spec.yaml")
    assert refused.details["errors"] == [
        "/paths/~1items/get/parameters/0: the parameter has no 'in' "
        "(where it goes: query, header, path or cookie)",
        "/paths/~1items/get/responses/200: the response has no 'description' (required)",
        '/info: "version" is a required property',
    ]
    assert refused.details["errors_zh"] == [
        "位置“/paths/~1items/get/parameters/0”：参数缺少“in”"
        "（参数所在位置：“query”、“header”、“path”或“cookie”）",
        "位置“/paths/~1items/get/responses/200”：响应缺少“description”（对该响应的说明，必填）",
        "位置“/info”：缺少必填字段“version”",
    ]
    assert refused.message.en.startswith(
        "invalid-spec.yaml: not a valid OpenAPI document: /paths/~1items/get/parameters/0:"
    )
    assert refused.message.en.endswith("; 2 more")


def test_ref_cycle_answered_pythons_maximum_recursion_depth() -> None:
    """Regression: A -> B -> A (or A -> A) made the validator recurse until Python
    stopped it, and the answer was "maximum recursion depth exceeded"."""
    cycle = b"""openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    A: {$ref: '#/components/schemas/B'}
    B: {$ref: '#/components/schemas/A'}
    Self: {$ref: '#/components/schemas/Self'}
    Tree:
      type: object
      properties: {children: {type: array, items: {$ref: '#/components/schemas/Tree'}}}
"""
    refused = refusal(cycle)
    assert refused.details["errors"] == [
        "/components/schemas/B: a $ref cycle (/components/schemas/B → /components/schemas/A "
        "→ /components/schemas/B) that never reaches a definition",
        "/components/schemas/Self: a $ref cycle (/components/schemas/Self → "
        "/components/schemas/Self) that never reaches a definition",
    ]
    assert "引用成环" in refused.details["errors_zh"][0]
    assert not any("recursion" in e for e in refused.details["errors"])


def test_yaml_syntax_error_kept_only_the_first_line_of_pyyamls_problem() -> None:
    """Regression: a tab-indented document answered "(while scanning for the next
    token)" alone: the character found and its line and column were dropped."""
    refused = refusal(b"openapi: 3.0.3\ninfo:\n\ttitle: x\n")
    assert refused.details == {
        "file": "spec.yaml",
        "rule": "syntax",
        "reason": "while scanning for the next token; "
        "found character '\\t' that cannot start any token",
        "line": 3,
        "column": 1,
    }
    assert refused.message.en == (
        "spec.yaml: not valid YAML at line 3, column 1: while scanning for the next token; "
        "found character '\\t' that cannot start any token (indent with spaces, not tabs)"
    )
    assert "第 3 行第 1 列" in refused.message.zh
    assert "缩进须用空格" in refused.message.zh


@pytest.mark.parametrize(
    ("body", "words_en", "words_zh"),
    [
        (
            b"swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
            "this is a Swagger 2.0 document (swagger: 2.0), not OpenAPI 3.0 or 3.1: "
            "convert it first (e.g. with swagger2openapi)",
            "“Swagger 2.0”文档",
        ),
        (
            b'{"info": {"_postman_id": "1", "name": "n"}, "item": []}',
            "this is a Postman collection (info._postman_id, item), not an OpenAPI document: "
            "export it from Postman as OpenAPI 3 first",
            "“Postman”接口集合",
        ),
        (
            b"openapi: 3.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
            "'openapi' is a quoted string such as '3.0.3', not the number 3.0",
            "而不是数字“3.0”",
        ),
    ],
)
def test_other_api_documents_were_called_swagger_with_a_python_repr(
    body: bytes, words_en: str, words_zh: str
) -> None:
    """Regression: Swagger 2.0 was told "not 'missing'" (a Python repr), and a Postman
    collection or `openapi: 3.0` (a number) were told they were Swagger documents."""
    refused = refusal(body)
    assert refused.details["errors"] == [words_en]
    assert words_zh in refused.details["errors_zh"][0]


def test_wsdl_was_told_only_that_the_top_is_no_mapping() -> None:
    wsdl = (
        b'<?xml version="1.0"?>\n<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"/>'
    )
    refused = refusal(wsdl, "service.wsdl")
    assert refused.details == {"file": "service.wsdl", "rule": "openapi", "found": "WSDL"}
    assert refused.message.en == (
        "service.wsdl: this is a WSDL document, not an OpenAPI document (YAML or JSON)"
    )


def test_parameter_named_no_showed_false_with_no_reason() -> None:
    """Regression: `name: no` (编号) became false and the answer showed only the changed
    value inside a oneOf message."""
    body = b"""openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      parameters: [{name: no, in: query}]
      responses: {'200': {description: ok}}
"""
    refused = refusal(body)
    assert refused.details["errors"] == [
        "/paths/~1a/get/parameters/0/name: the parameter's name was read as false: "
        "quote a name such as no or on (unquoted, YAML reads true or false)"
    ]


def test_dry_run_conformed_with_another_departments_interface_code(
    seeded_dump: bytes, validator
) -> None:
    """Regression: `dry_run=true` only validated, so a department that named another's
    interface code was told it conformed, and the registration answered 403. The dry
    run now gives the registration's refusal, and writes nothing."""
    from api import create_app

    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    other = "11210100EXAMPLE02R"
    secret = create_token(store, "submitter", other, "bureau")[1]
    app = create_app(Settings(store="memory", seed=False), store=store, validator=validator)
    steal = b"""openapi: 3.0.3
info: {title: steal, version: '9', x-interface-code: SY-DSJ-API-001}
servers: [{url: 'https://evil.example.org/v'}]
paths: {}
"""
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/yaml"}
    url = "/api/v1/interfaces/openapi?serves=101001/000001"
    with TestClient(app, raise_server_exceptions=False) as client:
        before = client.get("/api/v1/interfaces/SY-DSJ-API-001").json()
        tried = client.post(f"{url}&dry_run=true", headers=headers, content=steal)
        registered = client.post(url, headers=headers, content=steal)
        after = client.get("/api/v1/interfaces/SY-DSJ-API-001").json()
    assert (tried.status_code, registered.status_code) == (403, 403)
    assert tried.json()["error"] == registered.json()["error"]
    assert "SY-DSJ-API-001" in tried.json()["error"]["messages"]["zh"]
    assert after == before


def test_dry_run_lists_the_entry_the_import_would_make(seeded_dump: bytes, validator) -> None:
    from api import create_app

    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    secret = create_token(store, "submitter", DEPT, "bureau")[1]
    app = create_app(Settings(store="memory", seed=False), store=store, validator=validator)
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/yaml"}
    with TestClient(app, raise_server_exceptions=False) as client:
        tried = client.post(
            "/api/v1/interfaces/openapi?serves=101001/000001&dry_run=true",
            headers=headers,
            content=ENGLISH_ONLY.replace(b"USPTO Data Set API", "数据集接口".encode()),
        )
    assert tried.status_code == 200, tried.text
    body = tried.json()
    assert body["accepted"] is None
    assert body["report"]["conforms"] is True
    assert [e["outcome"] for e in body["entries"]] == ["new"]


def test_openapi_json_sent_as_json_was_told_it_holds_no_entry(
    seeded_dump: bytes, validator
) -> None:
    """Regression: an OpenAPI document sent as `application/json` (or `.json`) is read
    as JSON-LD, as documented, and was answered only "the submission holds no entry".
    The answer now says it is an OpenAPI document and how to send it as one."""
    from api import create_app

    spec_json = json.dumps(
        {
            "openapi": "3.0.3",
            "info": {"title": "接口", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
        }
    ).encode()
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    app = create_app(Settings(store="memory", seed=False), store=store, validator=validator)
    with TestClient(app, raise_server_exceptions=False) as client:
        as_json = client.post(
            f"/api/v1/validate?department={DEPT}&report=json",
            headers={"Content-Type": "application/json"},
            content=spec_json,
        )
        by_name = client.post(
            "/api/v1/validate?filename=openapi.json",
            files={"file": ("接口.json", spec_json, "application/octet-stream")},
        )
    for answer in (as_json, by_name):
        assert answer.status_code == 400, answer.text
        error = answer.json()["error"]
        assert error["code"] == "invalid_input"
        assert error["details"]["rule"] == "openapi-as-jsonld"
        assert error["details"]["found"] == "openapi"
        for words in (
            "?format=openapi",
            "application/vnd.oai.openapi+json",
            "/api/v1/interfaces/openapi",
        ):
            assert words in error["messages"]["en"]
            assert words in error["messages"]["zh"]
        assert_chinese(error["messages"]["zh"])


def test_json_ld_without_an_entry_is_still_no_entry(memory_registry) -> None:
    with pytest.raises(InputError) as refused:
        memory_registry.validate([Document("x.json", b'{"name": "n"}', "jsonld")])
    assert "holds no entry" in refused.value.message.en


@pytest.mark.parametrize("name", ["Foo Bar", "人口"])
def test_percent_encoded_local_ref_was_refused_as_pointing_to_nothing(name: str) -> None:
    """Regression: `#/components/schemas/Foo%20Bar` is the correct form of a pointer in
    a URI fragment (RFC 6901 §6), and was refused as "points to nothing"."""
    from urllib.parse import quote

    spec_json = json.dumps(
        {
            "openapi": "3.0.3",
            "info": {"title": "百分号引用接口", "version": "1", "x-interface-code": "PROBE-PCT"},
            "servers": [{"url": "https://a.example.org/api"}],
            "paths": {
                "/a": {
                    "get": {
                        "summary": "取",
                        "responses": {
                            "200": {
                                "description": "ok",
                                "content": {
                                    "application/json": {
                                        "schema": {"$ref": f"#/components/schemas/{quote(name)}"}
                                    }
                                },
                            }
                        },
                    }
                }
            },
            "components": {"schemas": {name: {"type": "string"}}},
        },
        ensure_ascii=False,
    ).encode()
    graph = load_submission([Document("pct.json", spec_json, "openapi", OPTIONS)])
    assert "GET /a: 取" in str(
        graph.value(URIRef(f"{BASE}interface/PROBE-PCT"), DCTERMS.description)
    )


def test_path_item_given_by_ref_lost_its_operations() -> None:
    """Regression: a 3.1 path item given as `$ref: '#/components/pathItems/A'` was
    accepted, but its operations were missing from the registered description."""
    body = """openapi: 3.1.0
info: {title: 路径引用接口, version: '1', x-interface-code: PROBE-PI}
servers: [{url: 'https://a.example.org/api'}]
paths:
  /a: {$ref: '#/components/pathItems/A'}
  /b:
    post: {summary: 新建, responses: {'200': {description: ok}}}
components:
  pathItems:
    A:
      get: {summary: 列出, responses: {'200': {description: ok}}}
      delete: {summary: 删除, responses: {'200': {description: ok}}}
""".encode()
    graph = load_submission([Document("pi.yaml", body, "openapi", OPTIONS)])
    description = str(graph.value(URIRef(f"{BASE}interface/PROBE-PI"), DCTERMS.description))
    assert description.splitlines() == ["GET /a: 列出", "DELETE /a: 删除", "POST /b: 新建"]


@pytest.mark.parametrize(
    ("code_option", "pointer"), [(None, "/info/x-interface-code"), ("坏/代码", "the code option")]
)
def test_a_bad_interface_code_was_named_with_a_python_repr_and_no_place(
    code_option: str | None, pointer: str
) -> None:
    """`info.x-interface-code: '接口/001'` was refused as "'接口/001' 不是接口代码" (a
    Python repr), with no place: where the code came from is now named."""
    body = one_server("https://a.example.org/api").replace(b"PROBE-WS-003", "接口/001".encode())
    options = {"code": code_option} if code_option else {}
    refused = refusal(body, "spec.yaml", **options)
    code = code_option or "接口/001"
    assert refused.details == {"code": code, "location": {"file": "spec.yaml", "pointer": pointer}}
    assert refused.message.en.startswith(f"“{code}” ({pointer}) is not an interface code")
    assert_chinese(refused.message.zh)


@pytest.mark.parametrize(
    ("body", "pointer", "position"),
    [
        (
            b'{"openapi": "3.0.3", "info": {"title": "\\u8bf4\\u660e", "version": "1", '
            b'"description": "\\u8bf4\\u660e"}, "servers": [{"url": "https://a.example.org"}], '
            b'"paths": {"/a": {"get": {"summary": "\\u67e5\\udc00\\u8be2", '
            b'"responses": {"200": {"description": "ok"}}}}}}',
            "/paths/~1a/get/summary",
            2,
        ),
        (
            b'{"openapi": "3.0.3", "info": {"title": "\\u63a5\\u53e3", "version": "1"}, '
            b'"paths": {"/a\\u0008b": {}}}',
            "/paths/~1a\x08b",
            3,
        ),
    ],
)
def test_a_bad_character_in_a_summary_was_placed_in_a_text_the_registry_built(
    body: bytes, pointer: str, position: int
) -> None:
    """A lone surrogate in an operation's summary was reported at "character 14 of
    dct:description", a text the registry put together from info.description and every
    summary: nothing the submitter wrote. It is named at its own pointer."""
    name = "spec.json"
    refused = refusal(body, name)
    assert refused.details["rule"] == "unstorable-character"
    assert refused.details["location"] == {"file": name, "pointer": pointer}
    assert refused.details["position"] == position
