"""A zh user meets no English UI text and no RDF names (issue 20): every page, signed
out and signed in as each role, and every zh text report of the example inputs. Words
of the data itself (titles, codes, IRIs) are the registry's content, not its UI, and
are allowed; so are the few technical names a bureau uses as they are (an allow-list).
Before: "角色: submitter", "the request is malformed (请求格式错误)" on a zh page, and
reports naming `resourceCode` and messages naming `org:Organization`."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api import create_app
from registry.config import Settings
from registry.inputs.document import Document
from registry.register.sessions import open_session
from registry.register.tokens import authenticate, create_token
from registry.store import open_store
from registry.validation.reports import report_text
from tests.conftest import EXAMPLES

RDF_NAME = re.compile(r"\b(?:scs|dct|dcat|org|skos|prov|rdfs?|xsd|sh|earl|foaf):[A-Za-z]\w*")
WORD = re.compile(r"[A-Za-z][A-Za-z-]+")
# Names a bureau reads as they are: formats, protocols, programs, the switch to English.
ALLOWED = {
    "english",
    "sparql",
    "utc",
    "excel",
    "wps",
    "json",
    "json-ld",
    "rdf",
    "rdf-xml",
    "xml",
    "turtle",
    "n-triples",
    "cookie",
    "accept",
    "get",
    "post",
    "iri",
    "url",
    "http",
    "https",
    "api",
    "openapi",
    "csv",
    "xlsx",
    "xls",
    "dcat",
    "dcat-ap",
    "earl",
    "shacl",
    "etag",
    "yaml",
    "ics",
    "ccs",
    "iso",
    "iec",
    "gb",
    "rest",
    "redoc",
    "swagger",
    "ui",
    "id",
    "ldes",
}
PAGES = (
    "/",
    "/search?q=人口",
    "/search?q=GB",
    "/category/1",
    "/graph",
    "/graph?id=GB/T 22239-2019",
    "/impact",
    "/impact?id=GB/T 22239-2019",
    "/validate",
    "/register",
    "/reviews",
    "/sparql",
    "/admin/tokens",
    "/admin/departments",
    "/id/standard/GB-T-22239-2019",
    "/id/resource/101001-000001",
    "/id/interface/SY-DSJ-API-001",
    "/id/department/11210100EXAMPLE01N",
    "/id/standard/GB-T-0000-1999",  # an error page
)


def visible(page: str) -> str:
    """The text a person sees: no scripts, styles or code blocks, no markup."""
    page = re.sub(r"(?is)<(script|style|pre|code|textarea)\b.*?</\1>", " ", page)
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def client(seeded_dump: bytes, validator) -> Iterator[TestClient]:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    app = create_app(Settings(store="memory", seed=False), store=store, validator=validator)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.cookies.set("screg_lang", "zh")
        yield test_client


@pytest.fixture(scope="module")
def data_words(seeded_dump: bytes) -> set[str]:
    return {w.lower() for w in WORD.findall(seeded_dump.decode())} | ALLOWED


def leftovers(text: str, allowed: set[str]) -> set[str]:
    found = set(RDF_NAME.findall(text))
    text = re.sub(r"\b[0-9a-f]{16,}\b", " ", text)  # digests and node labels are codes
    found |= {w for w in WORD.findall(text) if w.lower() not in allowed}
    return found


@pytest.mark.parametrize("role", [None, "submitter", "registrar", "admin"])
def test_zh_pages_hold_no_english_ui_text(
    client: TestClient, data_words: set[str], role: str | None
) -> None:
    store = client.app.state.registry.store
    cookies = {}
    if role is not None:
        department = "11210100EXAMPLE01N" if role == "submitter" else None
        secret = create_token(store, role, department, "检查")[1]
        cookies["screg_session"] = open_session(store, authenticate(store, secret))
    found: dict[str, set[str]] = {}
    for path in PAGES:
        page = client.get(path, headers={"Accept": "text/html"}, cookies=cookies)
        assert page.headers["content-type"].startswith("text/html"), path
        left = leftovers(visible(page.text), data_words)
        if left:
            found[path] = left
    assert not found, found


def test_the_sweep_reads_the_zh_pages(client: TestClient) -> None:
    """The sweep could pass on a page in the wrong language: it reads the zh one."""
    page = visible(client.get("/", headers={"Accept": "text/html"}).text)
    assert "标准" in page and "Standards" not in page


@pytest.mark.parametrize(
    "example",
    sorted(p.name for p in (EXAMPLES / "invalid").iterdir() if not p.name.endswith(".json")),
)
def test_zh_reports_name_no_rdf_terms(
    client: TestClient, data_words: set[str], example: str
) -> None:
    path = EXAMPLES / "invalid" / example
    registry = client.app.state.registry
    report = registry.validate([Document(path.name, path.read_bytes(), None)])
    assert report.results, "an invalid example has results"
    text = report_text(report, "zh")
    source = path.read_bytes().decode("utf-8", "replace") + path.name
    own = {w.lower() for w in WORD.findall(source)}
    assert not leftovers(text, data_words | own), text
    assert "[违规]" in text or "[警告]" in text


def test_an_error_on_a_zh_page_is_in_chinese_only(client: TestClient) -> None:
    page = visible(client.get("/graph", headers={"Accept": "text/html"}).text)
    assert "请求格式错误" in page and "malformed" not in page
    english = client.get("/graph", headers={"Accept": "text/html"}, cookies={"screg_lang": "en"})
    assert "malformed" in visible(english.text)


def test_the_sweep_finds_what_it_must(data_words: set[str]) -> None:
    assert leftovers("已登录 · Signed in", data_words) == {"Signed"}
    assert leftovers("须为已登记的部门（org:Organization）", data_words) == {"org:Organization"}
    assert leftovers("GB/T 22239-2019 · SPARQL", data_words) == set()


@pytest.mark.parametrize(
    ("accept_language", "message"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "请求格式错误"),
        ("en-GB,en;q=0.9,zh;q=0.1", "the request is malformed"),
        ("fr", "请求格式错误"),
        (None, "请求格式错误"),
        ("en;q=0, zh;q=0", "请求格式错误"),
    ],
)
def test_api_error_messages_follow_accept_language(
    client: TestClient, accept_language: str | None, message: str
) -> None:
    """`message` is in the language the client names, Chinese when it names neither;
    `messages` always holds both, and the code is the same whatever the language."""
    headers = {"Accept-Language": accept_language} if accept_language else {}
    answer = client.get("/api/v1/standards", params={"limit": "x"}, headers=headers)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["message"] == message and error["code"] == "invalid_request"
    assert error["messages"] == {"zh": "请求格式错误", "en": "the request is malformed"}
