"""The web pages through create_app on a fresh seeded memory store per test: every
route's status codes, error pages in the visitor's language, the language switch,
the forms (validate, sign in, register) with their errors, and CSRF refusals."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.namespace import RDF

from api import create_app
from api.pages import browse as pages_module
from api.pages.render import local_time
from registry.config import Settings
from registry.namespaces import SH
from registry.register.tokens import create_token, revoke_token
from registry.store import Store
from registry.validation.labels import property_name
from registry.validation.reports import PEOPLE_CSV_COLUMNS
from registry.validation.validator import SCSH
from synthetic.generate import write_registry
from synthetic.registered import write_registered_extra
from tests import documents
from tests.conftest import (
    EXAMPLES,
    ONE_WORKER_EACH,
    dump_after,
    hold_dataset,
    seeded_store,
    shared_app,
)

BASE = "http://127.0.0.1:8000/id/"
BUREAU = "11210100EXAMPLE01N"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
MAX_BODY = 200_000
SHARING = EXAMPLES / "invalid" / "sharing.ttl"


def bureau_resource(title: bool = True) -> bytes:
    """One information resource of the bureau; without its title it has a Violation."""
    return documents.resource_ttl(
        "109001/000001",
        title="页面测试资源" if title else None,
        description="页面测试用的信息资源。",
    )


# -- fixtures ---------------------------------------------------------------------------------


def _make_tokens(store: Store) -> dict[str, str]:
    made = {
        "bureau": create_token(store, "submitter", BUREAU, "大数据局 页面测试")[1],
        "registrar": create_token(store, "registrar", name="registrar")[1],
    }
    revoked, made["revoked"] = create_token(store, "submitter", BUREAU, "gone")
    revoke_token(store, revoked.id)
    return made


@pytest.fixture(scope="module")
def dataset(seeded_dump: bytes) -> tuple[bytes, dict[str, str]]:
    """The seeded examples and the tests' tokens, made once per module."""
    return dump_after(seeded_dump, _make_tokens)


@pytest.fixture
def page_store(open_seeded, dataset: tuple[bytes, dict[str, str]]) -> Store:
    return open_seeded(dataset[0])


@pytest.fixture
def tokens(dataset: tuple[bytes, dict[str, str]]) -> dict[str, str]:
    return dataset[1]


def _app(store: Store, validator):
    settings = Settings(store="memory", seed=False, max_body_bytes=MAX_BODY, **ONE_WORKER_EACH)
    return create_app(settings, store=store, validator=validator)


def _client(store: Store, validator) -> TestClient:
    return TestClient(_app(store, validator), raise_server_exceptions=False)


@pytest.fixture
def client(page_store: Store, validator, tokens: dict[str, str]) -> Iterator[TestClient]:
    """A fresh seeded store and app: for the tests that write."""
    with _client(page_store, validator) as test_client:
        yield test_client


# One app for the tests that only read (validation writes nothing): building the
# read model and the dependency graph once keeps the module fast (tests/conftest.py
# shared_app).
shared, reader = shared_app("dataset", _app)


@pytest.fixture(scope="module")
def large_registry(
    api_backend: str, validator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, bytes]]:
    """A generated registry larger than one page of every list (300 standards, 150
    resources), as registered, for the tests that only read; and its quads."""
    folder: Path = tmp_path_factory.mktemp("large")
    nq, extra = folder / "registry.nq", folder / "extra.nq"
    with nq.open("w", encoding="utf-8") as out:
        write_registry(out, "nq", n_standards=300, n_resources=150, seed=5, invalid_ratio=0)
    write_registered_extra(nq, extra)
    dump = nq.read_bytes() + extra.read_bytes()
    store = seeded_store(api_backend, dump, folder)
    with _client(store, validator) as test_client:
        yield test_client, dump


@pytest.fixture
def large(large_registry: tuple[TestClient, bytes], open_seeded, api_backend: str) -> TestClient:
    test_client, dump = large_registry
    hold_dataset(open_seeded, dump, api_backend)
    return test_client


class Page(HTMLParser):
    """What the accessibility checks look at: headings, form fields and their labels."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[int] = []
        self.fields: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.links: list[str] = []
        self.hidden: dict[str, str] = {}
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        elif tag in ("input", "select", "textarea"):
            if a.get("type") == "hidden":
                self.hidden[a.get("name") or ""] = a.get("value") or ""
            elif a.get("type") not in ("submit", "button"):
                self.fields.append(a)


def assert_page(response, status: int = 200, lang: str = "zh") -> Page:
    """An HTML page with `status`, its language set, headings in order from one h1, and
    a label for every visible form field."""
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith("text/html")
    page = Page(response.text)
    assert page.lang == lang
    assert page.headings and page.headings[0] == 1 and page.headings.count(1) == 1
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, page.headings  # no level skipped
    for field in page.fields:
        assert field.get("id") in page.labels, field
    return page


def csrf(client: TestClient, path: str = "/validate") -> str:
    page = Page(client.get(path).text)
    token = page.hidden["csrf_token"]
    assert token == client.cookies.get("screg_csrf")
    return token


def sign_in(client: TestClient, token: str) -> None:
    response = client.post(
        "/register/sign-in",
        data={"token": token, "csrf_token": csrf(client, "/register")},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/register"


# -- every route answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/category/1",
        "/category/3.2?status=current&level=national",
        "/search",
        "/search?q=%E6%A0%B8%E5%BF%83%E5%85%83%E6%95%B0%E6%8D%AE",
        "/search?kind=resource",
        "/graph?id=GB%2FT%2035273-2017",
        "/graph?id=101001-000001&depth=1&direction=dependencies",
        "/impact",
        "/impact?standard=GB%2FT%2035273-2017&change=abolished",
        "/validate",
        "/register",
        "/id/standard/GB-T-35273-2017",
        "/id/resource/101001-000001",
        "/id/interface/SY-DSJ-API-001",
        "/id/department/11210100EXAMPLE01N",
        "/id/assessment/SY-CA-2026-002",
        "/search?kind=assessment",
        "/id/resource/101001-000001/version/1",
        "/id/resource/101001-000001/item/1",
        "/sparql",
        "/sparql?format=html&query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%203",
    ],
)
def test_every_page_answers_200_with_accessible_html(reader: TestClient, path: str) -> None:
    assert_page(reader.get(path, headers=HTML))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/category/99", 404),
        ("/category/1?status=bogus", 400),
        ("/category/1?level=bogus", 400),
        ("/search?kind=bogus", 400),
        ("/graph?id=GB%2FT%201-2099", 404),
        ("/graph?id=GB%2FT%2035273-2017&depth=9", 422),
        ("/graph?id=GB%2FT%2035273-2017&direction=sideways", 400),
        ("/impact?standard=GB%2FT%201-2099", 404),
        ("/impact?standard=GB%2FT%2035273-2017&change=renamed", 400),
        ("/lang/fr", 404),
        ("/no/such/page", 404),
        ("/id/standard/GB-T-1-2099", 404),
    ],
)
def test_page_errors_are_pages_with_their_status(
    reader: TestClient, path: str, status: int
) -> None:
    assert_page(reader.get(path, headers=HTML), status)


def test_machine_clients_keep_the_json_error_shape(reader: TestClient) -> None:
    for path, headers in (
        ("/api/v1/standards/GB-T-1-2099", HTML),
        ("/id/standard/GB-T-1-2099", {"Accept": "text/turtle"}),
        ("/no/such/page", {}),
    ):
        response = reader.get(path, headers=headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_missing_entry_is_a_404_page_in_the_chosen_language(reader: TestClient) -> None:
    zh = assert_page(reader.get("/id/standard/GB-T-1-2099", headers=HTML), 404)
    assert "未找到该页面或条目" in reader.get("/id/standard/GB-T-1-2099", headers=HTML).text
    assert "/search" in " ".join(zh.links)
    reader.get("/lang/en", follow_redirects=False)
    response = reader.get("/id/standard/GB-T-1-2099", headers=HTML)
    assert_page(response, 404, lang="en")
    assert "Not found" in response.text and "未找到该页面或条目" not in response.text


def test_language_switch_is_remembered_and_goes_back(reader: TestClient) -> None:
    assert "智慧城市标准体系" in reader.get("/").text
    switched = reader.get("/lang/en?next=/category/1", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/category/1"
    assert "screg_lang=en" in switched.headers["set-cookie"]
    category = reader.get("/category/1")
    assert_page(category, lang="en")
    assert "Overall standards" in category.text
    assert "The smart-city standard system" in reader.get("/").text  # remembered
    # Only local paths to go back to: no open redirect.
    for target in ("//evil.example/", "https://evil.example/", "/\\evil"):
        away = reader.get("/lang/zh", params={"next": target}, follow_redirects=False)
        assert away.headers["location"] == "/"
    assert "智慧城市标准体系" in reader.get("/").text


# -- browsing ----------------------------------------------------------------------------------


def test_home_shows_the_tree_progress_and_recent_registrations(reader: TestClient) -> None:
    page = assert_page(reader.get("/"))
    text = reader.get("/").text
    for code in ("1", "2", "3", "4", "5", "6"):
        assert f"/category/{code}" in page.links
    # the plan's two targets, and how far the standards are applied (docs/assessment.md)
    assert text.count('<progress aria-labelledby="target-') == 2
    assert text.count('<progress aria-labelledby="application-') == 3
    assert "/id/resource/101001-000001" in page.links  # a recent registration
    assert "/api/v1/categories" in page.links and "/docs" in page.links


def test_category_filters_by_status_and_level(reader: TestClient) -> None:
    everything = reader.get("/category/6").text
    assert "GB/T 35273-2017" in everything and "GB/T 35273-2020" in everything
    current = reader.get("/category/6?status=current").text
    assert "GB/T 35273-2017" not in current and "GB/T 35273-2020" in current
    local = reader.get("/category/6?level=local").text
    assert "GB/T 35273-2020" not in local


def test_standard_page_links_both_ways_and_draws_its_picture(reader: TestClient) -> None:
    response = reader.get("/id/standard/GB-T-35273-2017", headers=HTML)
    page = assert_page(response)
    text = response.text
    assert "/id/standard/GB-T-35273-2020" in page.links  # the successor
    assert "/id/standard/GB-T-37932-2019" in page.links  # cites it
    assert "/id/resource/203002-000001" in page.links  # conforms to it
    # The inline picture: every entry a link to its page on this server.
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert 'href="/id/standard/GB-T-37932-2019"' in svg
    assert 'href="/id/standard/GB-T-35273-2020"' in svg
    assert "<?xml" not in text and "<!DOCTYPE svg" not in text


def test_resource_and_interface_pages(reader: TestClient) -> None:
    resource = reader.get("/id/resource/101001-000001", headers=HTML)
    page = assert_page(resource)
    assert "/id/interface/SY-DSJ-API-001" in page.links  # serves it
    assert "/id/resource/101001-000001/item/1" in page.links  # a data item
    assert "/id/resource/101001-000001/version/1" in page.links  # its history
    interface = assert_page(reader.get("/id/interface/SY-DSJ-API-001", headers=HTML))
    assert "/id/resource/101001-000001" in interface.links
    assert "/id/standard/GB-T-22239-2019" in interface.links


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("GB/T21063.3—2007", "GB/T 21063.3-2007"),
        ("ＧＢ／Ｔ　２１０６３．３－２００７", "GB/T 21063.3-2007"),
        ("核心元数据", "GB/T 21063.3-2007"),
        ("personal information", "GB/T 35273-2020"),
        ("人口基础信息", "101001/000001"),
        ("SY-DSJ-API-001", "SY-DSJ-API-001"),
    ],
)
def test_search_in_zh_and_en_with_identifier_variants(
    reader: TestClient, q: str, found: str
) -> None:
    response = reader.get("/search", params={"q": q})
    assert_page(response)
    assert found in response.text


def test_impact_lists_affected_entries_with_their_paths(reader: TestClient) -> None:
    response = reader.get("/impact", params={"standard": "GB/T 35273-2017", "change": "superseded"})
    page = assert_page(response)
    table = response.text[response.text.index('<table class="impact">') :]
    assert "/id/standard/GB-T-37932-2019" in page.links
    assert "/id/resource/203002-000001" in page.links
    assert table.count('<ol class="path">') >= 3
    assert "注日期引用" in table and "GB/T 35273-2020" in table  # link name, successor


def test_impact_page_is_paged(reader: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages_module, "IMPACT_PAGE", 2)
    query = {"standard": "GB/T 35273-2017", "change": "superseded"}
    first = reader.get("/impact", params=query)
    assert_page(first)
    assert first.text.count('<ol class="path">') == 2 and "(5)" in first.text
    assert "第 1–2 条，共 5 条" in first.text and 'rel="prev"' not in first.text
    last = reader.get("/impact", params={**query, "offset": 4})
    assert_page(last)
    assert last.text.count('<ol class="path">') == 1
    assert 'rel="next"' not in last.text and 'rel="prev"' in last.text
    assert reader.get("/impact", params={**query, "offset": -1}).status_code == 422


# -- long lists, a page at a time ---------------------------------------------------------------


def pager_link(response, rel: str) -> str | None:
    """The URL of the page's previous or next link, if it has one."""
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', response.text)
    return html.unescape(found[1]) if found else None


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def listed_standards(response) -> list[str]:
    """The identifiers in a category page's table of standards, in order."""
    cells = re.findall(r'<td><a href="[^"]*" class="ident">([^<]+)</a></td>', response.text)
    return [html.unescape(c) for c in cells]


def results_of(response, kind: str) -> list[str]:
    """The list items of one kind's section of the search page."""
    section = response.text[response.text.index(f'id="res-{kind}"') :]
    return re.findall(r"<li>(.*?)</li>", section[: section.index("</section>")])


def test_category_pages_walk_every_standard_once_keeping_the_filters(large: TestClient) -> None:
    filters = {"status": "current", "level": "national"}
    read = large.app.state.registry.reader()
    expected = read.search_standards(category="3", **filters, limit=100_000)
    size = pages_module.LIST_PAGE
    assert expected.total > size  # more than one page, or the test shows nothing
    seen: list[str] = []
    response = large.get("/category/3", params=filters)
    while True:
        assert_page(response)
        shown = listed_standards(response)
        assert f"共 {expected.total} 项标准" in response.text
        following = pager_link(response, "next")
        if following is None:  # the last page: what is left, and no next link
            assert 0 < len(shown) <= size
            break
        assert len(shown) == size  # exactly one page
        assert query_of(following) == {
            "status": ["current"],
            "level": ["national"],
            "offset": [str(len(seen) + size)],
        }
        seen += shown
        response = large.get(following)
    seen += shown
    assert seen == [s["identifier"] for s in expected.items]
    # The last page goes back to the one before it, filters kept.
    previous = pager_link(response, "prev")
    assert previous is not None
    assert query_of(previous)["offset"] == [str(len(seen) - len(shown) - size)]
    assert query_of(previous)["status"] == ["current"]


def test_category_offset_past_the_end_is_an_empty_page(large: TestClient) -> None:
    read = large.app.state.registry.reader()
    total = read.search_standards(category="3", limit=0).total
    response = large.get("/category/3", params={"offset": total + 1000})
    assert_page(response)
    assert listed_standards(response) == []
    assert pager_link(response, "next") is None
    assert f"共 {total} 项标准" in response.text
    # "Nothing matches" contradicted "nothing on this page (of N)" beside it.
    assert "没有符合条件的条目" not in response.text
    assert f"本页没有条目（共 {total} 条）" in response.text
    # Back leads to the last page that has standards.
    last_start = (total - 1) // pages_module.LIST_PAGE * pages_module.LIST_PAGE
    assert query_of(pager_link(response, "prev") or "")["offset"] == [str(last_start)]


@pytest.mark.parametrize("path", ["/category/3", "/search?kind=standard", "/impact"])
@pytest.mark.parametrize("offset", ["-1", "ten", "1.5", str(10**12)])
def test_a_bad_offset_is_a_422_error_page(reader: TestClient, path: str, offset: str) -> None:
    separator = "&" if "?" in path else "?"
    response = reader.get(f"{path}{separator}offset={offset}", headers=HTML)
    assert_page(response, 422)
    assert "<code>invalid_request</code>" in response.text


def test_search_lists_one_kind_a_page_at_a_time(large: TestClient) -> None:
    read = large.app.state.registry.reader()
    total = read.list_entries("resource", limit=0).total
    size = pages_module.LIST_PAGE
    assert total > size
    first = large.get("/search", params={"kind": "resource"})
    assert_page(first)
    assert len(results_of(first, "resource")) == size
    assert f"({total})" in first.text
    assert f"第 1–{size} 条，共 {total} 条" in first.text
    following = pager_link(first, "next")
    assert following and query_of(following) == {"kind": ["resource"], "offset": [str(size)]}
    second = large.get(following)
    assert_page(second)
    assert f"第 {size + 1}–" in second.text
    assert not set(results_of(first, "resource")) & set(results_of(second, "resource"))
    # The text searched for is kept from page to page.
    found = large.get("/search", params={"q": "GB", "kind": "standard"})
    following = pager_link(found, "next")
    assert following and query_of(following) == {
        "q": ["GB"],
        "kind": ["standard"],
        "offset": [str(size)],
    }


def test_search_of_every_kind_shows_a_page_of_each_and_links_the_rest(large: TestClient) -> None:
    response = large.get("/search", params={"q": "GB"})
    assert_page(response)
    assert len(results_of(response, "standard")) == pages_module.LIST_PAGE
    section = response.text[response.text.index('id="res-standard"') :]
    more = re.search(r'<p class="more"><a href="([^"]+)"', section)
    assert more is not None
    assert query_of(html.unescape(more[1])) == {
        "q": ["GB"],
        "kind": ["standard"],
        "offset": [str(pages_module.LIST_PAGE)],
    }
    assert 'rel="next"' not in response.text  # no pager across kinds


def datalist_options(response) -> list[str]:
    text = response.text
    if "<datalist" not in text:
        return []
    inside = text[text.index("<datalist") : text.index("</datalist>")]
    return [html.unescape(v) for v in re.findall(r'<option value="([^"]*)"', inside)]


def test_impact_form_suggests_only_what_matches_the_typed_text(large: TestClient) -> None:
    empty = large.get("/impact")
    assert_page(empty)
    assert datalist_options(empty) == []  # no list of the whole register
    read = large.app.state.registry.reader()
    typed = large.get("/impact", params={"standard": "GB"})
    suggested = datalist_options(typed)
    assert len(suggested) == pages_module.SUGGESTIONS
    matches = read.search_standards(q="GB", limit=pages_module.SUGGESTIONS).items
    assert suggested == [s["identifier"] for s in matches]
    one = read.search_standards(limit=1).items[0]["identifier"]
    chosen = large.get("/impact", params={"standard": one})
    assert_page(chosen)
    assert one in datalist_options(chosen)


def test_impact_offers_the_matches_of_a_text_that_names_nothing(reader: TestClient) -> None:
    response = reader.get("/impact", params={"standard": "个人信息安全规范"}, headers=HTML)
    page = assert_page(response, 404)
    # no change chosen: the standard's own status will choose it
    assert "/impact?standard=GB%2FT%2035273-2017" in page.links
    assert "GB/T 35273-2017" in datalist_options(response)
    chosen = reader.get("/impact", params={"standard": "个人信息安全规范", "change": "abolished"})
    assert "/impact?standard=GB%2FT%2035273-2017&change=abolished" in assert_page(chosen, 404).links


# -- validate ----------------------------------------------------------------------------------


def test_validate_shows_the_report_by_entry_and_writes_nothing(
    reader: TestClient, shared: tuple[TestClient, Store]
) -> None:
    client, page_store = reader, shared[1]
    generation = page_store.generation()
    token = csrf(client)
    response = client.post(
        "/validate",
        data={"csrf_token": token, "format": ""},
        files={"file": ("sharing.ttl", SHARING.read_bytes(), "text/turtle")},
    )
    page = assert_page(response)
    text = response.text
    expected = json.loads((EXAMPLES / "invalid" / "sharing.expected.json").read_text("utf-8"))
    for e in expected:
        assert e["focus"] in text
        # The property by its name for people, never its IRI's last part (the page
        # said "sharingCondition" where the CLI said 共享条件).
        local = e["path"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        name = property_name(e["path"], SCSH + e["shape"], "zh")
        assert name and name != local and f"<td>{name}</td>" in text
        assert f"<td>{local}</td>" not in text and f"<code>{local}</code>" not in text
    assert text.count('<tr class="sev-Violation">') == len(expected)
    assert text.count('<section class="report-entry">') == len({e["focus"] for e in expected})
    assert page_store.generation() == generation

    # The downloads: the report as CSV and as a SHACL report in Turtle.
    report = page.hidden["report"]
    as_csv = client.post("/validate/report", data={"csrf_token": token, "report": report})
    assert as_csv.status_code == 200 and "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text.lstrip("\ufeff"))))
    # A file for the clerk, in the page's language: it had English headers and levels.
    assert tuple(rows[0]) == PEOPLE_CSV_COLUMNS["zh"]
    entries = {r["entry"] for r in json.loads(report)["results"]}
    assert {r["条目"] for r in rows} == entries and len(rows) == len(expected)
    assert {r["级别"] for r in rows} == {"违规"}
    assert {r["属性"] for r in rows} == {
        property_name(e["path"], SCSH + e["shape"], "zh") for e in expected
    }
    client.cookies.set("screg_lang", "en")
    in_english = client.post("/validate/report", data={"csrf_token": token, "report": report})
    rows_en = list(csv.DictReader(io.StringIO(in_english.text.lstrip("\ufeff"))))
    assert tuple(rows_en[0]) == PEOPLE_CSV_COLUMNS["en"]
    assert {r["severity"] for r in rows_en} == {"Violation"}
    client.cookies.delete("screg_lang")
    as_ttl = client.post(
        "/validate/report", data={"csrf_token": token, "report": report, "fmt": "turtle"}
    )
    graph = Graph().parse(data=as_ttl.text, format="turtle")
    assert len(list(graph.subjects(RDF.type, SH.ValidationResult))) == len(expected)
    bad = client.post("/validate/report", data={"csrf_token": token, "report": "{}"})
    assert_page(bad, 400)


@pytest.mark.parametrize(
    ("field", "value", "fmt"),
    [("path", {"a": 1}, "csv"), ("path", 123, "turtle"), ("value", [1], "csv")],
)
def test_a_report_download_with_a_field_of_the_wrong_type_is_400_not_500(
    reader: TestClient, field: str, value: object, fmt: str
) -> None:
    """The download form checked a result's focus, shape and constraint only: a path
    sent as an object or a number reached the report's writers and answered 500."""
    result = {
        "severity": "Violation",
        "focus": "http://x.example/a",
        "shape": "http://x.example/s",
        "constraint": "http://x.example/c",
        "path": "http://x.example/p",
        "value": None,
        "message": {"zh": "错", "en": "wrong"},
        field: value,
    }
    report = json.dumps({"results": [result]})
    token = csrf(reader)
    response = reader.post(
        "/validate/report", data={"csrf_token": token, "report": report, "fmt": fmt}
    )
    assert_page(response, 400)
    assert "不是校验报告" in response.text


def test_validate_reads_spreadsheets_with_rows_and_columns(reader: TestClient) -> None:
    sheet = EXAMPLES / "invalid" / "spreadsheet-cells.csv"
    response = reader.post(
        "/validate",
        data={"csrf_token": csrf(reader)},
        files={"file": (sheet.name, sheet.read_bytes(), "text/csv")},
    )
    assert_page(response)
    assert '<th scope="col">行</th>' in response.text
    assert "不符合规范" in response.text


@pytest.mark.parametrize(
    ("name", "body", "status"),
    [
        ("broken.ttl", b"@prefix x: <urn:x#> . x:a x:b ", 400),
        ("catalogue.pdf", b"%PDF-1.4", 415),
        ("", b"", 400),
    ],
)
def test_validate_refuses_bad_uploads_with_a_page(
    reader: TestClient, name: str, body: bytes, status: int
) -> None:
    files = {"file": (name, body, "application/octet-stream")} if name else None
    response = reader.post("/validate", data={"csrf_token": csrf(reader)}, files=files)
    page = assert_page(response, status)
    assert 'role="alert"' in response.text
    assert "csrf_token" in page.hidden  # the form is there to try again


def test_validate_refuses_a_body_over_the_limit(reader: TestClient) -> None:
    big = b"#" * (MAX_BODY + 1)
    response = reader.post(
        "/validate",
        data={"csrf_token": csrf(reader)},
        files={"file": ("big.ttl", big, "text/turtle")},
    )
    assert response.status_code == 413


def test_forms_without_the_csrf_token_are_refused(reader: TestClient) -> None:
    csrf(reader)  # the cookie is set, but the forms below do not echo it
    files = {"file": ("sharing.ttl", SHARING.read_bytes(), "text/turtle")}
    assert_page(reader.post("/validate", files=files), 403)
    assert_page(reader.post("/validate", data={"csrf_token": "x" * 43}, files=files), 403)
    assert_page(reader.post("/register/sign-in", data={"token": "whatever"}), 403)
    reader.cookies.clear()  # no cookie at all: a forged cross-site post
    assert_page(reader.post("/validate", data={"csrf_token": "x" * 43}, files=files), 403)


# -- register ----------------------------------------------------------------------------------


def test_register_needs_a_signed_in_submitter(
    client: TestClient, tokens: dict[str, str], page_store: Store
) -> None:
    page = assert_page(client.get("/register"))
    assert any(f.get("name") == "token" for f in page.fields)
    token = csrf(client, "/register")
    files = {"file": ("r.ttl", bureau_resource(), "text/turtle")}
    generation = page_store.generation()
    assert_page(client.post("/register", data={"csrf_token": token}, files=files), 401)
    bad = client.post("/register/sign-in", data={"token": "nope", "csrf_token": token})
    assert_page(bad, 401)
    revoked = client.post(
        "/register/sign-in", data={"token": tokens["revoked"], "csrf_token": token}
    )
    assert_page(revoked, 401)
    assert page_store.generation() == generation


def test_sign_in_keeps_the_token_in_a_strict_http_only_cookie(
    client: TestClient, tokens: dict[str, str]
) -> None:
    response = client.post(
        "/register/sign-in",
        data={"token": tokens["bureau"], "csrf_token": csrf(client, "/register")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert tokens["bureau"] not in response.headers["location"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("screg_session=") and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    signed = client.get("/register").text
    assert "沈阳市大数据管理局" in signed and "大数据局 页面测试" in signed
    out = client.post(
        "/register/sign-out",
        data={"csrf_token": client.cookies["screg_csrf"]},
        follow_redirects=False,
    )
    assert out.status_code == 303
    assert 'name="token"' in client.get("/register").text


def test_register_accepts_reports_and_lists_the_departments_submissions(
    client: TestClient, tokens: dict[str, str], page_store: Store
) -> None:
    sign_in(client, tokens["bureau"])
    token = client.cookies["screg_csrf"]

    rejected = client.post(
        "/register",
        data={"csrf_token": token},
        files={"file": ("r.ttl", bureau_resource(title=False), "text/turtle")},
    )
    assert_page(rejected, 422)
    assert "未登记" in rejected.text and '<tr class="sev-Violation">' in rejected.text
    assert client.get("/id/resource/109001-000001", headers=HTML).status_code == 404

    accepted = client.post(
        "/register",
        data={"csrf_token": token},
        files={"file": ("r.ttl", bureau_resource(), "text/turtle")},
    )
    page = assert_page(accepted, 201)
    assert "/id/resource/109001-000001" in page.links
    assert "outcome-new" in accepted.text
    submission = next(link for link in page.links if "/id/submission/" in link)
    assert_page(client.get(submission, headers=HTML))
    listed = client.get("/register").text
    assert submission in listed
    assert client.get("/id/resource/109001-000001", headers=HTML).status_code == 200

    foreign = client.post(
        "/register",
        data={"csrf_token": token},
        files={"file": ("sharing.ttl", SHARING.read_bytes(), "text/turtle")},
    )
    assert_page(foreign, 403)


def test_register_without_csrf_writes_nothing(
    client: TestClient, tokens: dict[str, str], page_store: Store
) -> None:
    sign_in(client, tokens["bureau"])
    generation = page_store.generation()
    response = client.post(
        "/register",
        data={"csrf_token": "forged-" + "x" * 40},
        files={"file": ("r.ttl", bureau_resource(), "text/turtle")},
    )
    assert_page(response, 403)
    assert page_store.generation() == generation


# -- the API documentation, offline ---------------------------------------------------------


class _Assets(HTMLParser):
    """Every URL a page makes the browser fetch: scripts, stylesheets, icons, images."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("src", "href", "spec-url"):
            if a.get(name) and (tag != "a" or name != "href"):
                self.urls.append(a[name] or "")


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_load_nothing_from_another_host(reader: TestClient, path: str) -> None:
    """On an intranet with no internet a CDN never answers: every asset of /docs and
    /redoc must come from this server (they were loaded from a CDN, and /docs was blank)."""
    response = reader.get(path, headers=HTML)
    assert response.status_code == 200
    assert not re.search(r"https?://", response.text), re.findall(r"https?://\S+", response.text)
    assets = _Assets(response.text).urls
    assert len(assets) >= 2, assets
    # The script's configuration names the OpenAPI description too.
    assets += re.findall(r"url: '([^']+)'", response.text)
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), url
        fetched = reader.get(url)
        assert fetched.status_code == 200, url
        assert fetched.content, url
    assert "/openapi.json" in assets


# -- times in the registry's zone -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "zone", "shown"),
    [
        # The clerk's clock says 09:48 where the page said 01:48.
        ("2026-12-06T01:48:05+00:00", "Asia/Shanghai", "2026-12-06 09:48:05 (UTC+08:00)"),
        ("2026-12-06T01:48:05.123456Z", "Asia/Shanghai", "2026-12-06 09:48:05 (UTC+08:00)"),
        # Without an offset the time is UTC, as the registry writes it.
        ("2026-12-06T20:00:00", "Asia/Shanghai", "2026-12-07 04:00:00 (UTC+08:00)"),
        ("2026-12-06T09:48:05+08:00", "UTC", "2026-12-06 01:48:05 (UTC+00:00)"),
        ("2026-07-01T12:00:00+00:00", "Asia/Kolkata", "2026-07-01 17:30:00 (UTC+05:30)"),
        ("2026-07-01T12:00:00+00:00", "America/New_York", "2026-07-01 08:00:00 (UTC-04:00)"),
        # Not a time of day: shown as it is.
        ("2017-05-12", "Asia/Shanghai", "2017-05-12"),
        ("not a time", "Asia/Shanghai", "not a time"),
        (None, "Asia/Shanghai", ""),
    ],
)
def test_local_time_shows_the_zone(value: str | None, zone: str, shown: str) -> None:
    assert local_time(value, zone) == shown


def test_time_zone_setting_is_checked() -> None:
    assert Settings(store="memory").time_zone == "Asia/Shanghai"
    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", ""):
        with pytest.raises(ValueError, match="time_zone"):
            Settings(store="memory", time_zone=bad)


def _version_times(text: str) -> list[str]:
    return re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC[^)]*\))</td>", text)


def test_pages_show_times_in_the_registrys_zone(
    reader: TestClient, page_store: Store, validator
) -> None:
    """A resource's version time and the home page's latest registrations are shown in
    Asia/Shanghai (the default) with the zone; the JSON answer keeps ISO 8601 with its
    offset; with time_zone=UTC the same page shows UTC."""
    from datetime import datetime

    stored = reader.get("/api/v1/resources/101001-000001").json()["register"]["time"]
    moment = datetime.fromisoformat(stored)
    assert moment.utcoffset() is not None  # JSON: ISO 8601 with its offset, unchanged
    expected = local_time(stored, "Asia/Shanghai")
    assert expected.endswith("(UTC+08:00)")
    page = reader.get("/id/resource/101001-000001", headers=HTML).text
    assert expected in _version_times(page)
    assert expected in _version_times(reader.get("/").text)

    settings = Settings(store="memory", seed=False, time_zone="UTC")
    with TestClient(create_app(settings, store=page_store, validator=validator)) as utc:
        utc_page = utc.get("/id/resource/101001-000001", headers=HTML).text
    shown = _version_times(utc_page)
    assert local_time(stored, "UTC") in shown and expected not in shown


def _walk_department_page(
    reader: TestClient, section_id: str, link: str, size: int, pager: str = "<nav"
) -> list[str]:
    """The links of one paged list of the bureau's page (`link`, a pattern in the
    section that starts at `section_id`), page by page through the `next` link of the
    pager that starts with `pager`."""
    seen: list[str] = []
    url: str | None = f"/id/department/{BUREAU}"
    while url is not None:
        page = reader.get(url, headers=HTML)
        assert page.status_code == 200
        start = page.text.index(section_id)
        section = page.text[start : page.text.index("</section>", start)]
        listed = section[: section.index("</tbody>")] if "</tbody>" in section else section
        found = re.findall(link, listed)
        assert 0 < len(found) <= size
        seen.extend(found)
        nav = section[section.index(pager) :]
        following = re.search(r'<a rel="next" href="([^"]+)"', nav[: nav.index("</nav>")])
        url = html.unescape(following.group(1)) if following else None
    return seen


def test_a_department_page_lists_what_it_provides_a_page_at_a_time(
    reader: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A city bureau provides thousands of resources: its page listed all of them (1.1 MB
    of HTML, 0.5-0.8 s at 50,000 resources). It lists PAGE_ENTRIES, resources then
    interfaces in list order, with a pager (`provided_offset`) through the rest."""
    from api.pages import entries

    monkeypatch.setattr(entries, "PAGE_ENTRIES", 3)
    provided_offset = entries.PROVIDED_OFFSET
    expected = [
        item["iri"]
        for kind in ("resources", "interfaces")
        for item in reader.get(
            f"/api/v1/{kind}", params={"department": BUREAU, "limit": 500}
        ).json()["items"]
    ]
    assert len(expected) > 3
    seen = _walk_department_page(reader, 'id="prov-h"', r'<li>.*?<a href="([^"]+)"', 3)
    local = [iri.replace("http://127.0.0.1:8000", "") for iri in expected]
    assert [urlsplit(href).path for href in seen] == local
    bad = reader.get(f"/id/department/{BUREAU}", params={provided_offset: "x"}, headers=HTML)
    assert bad.status_code == 400


def test_a_department_page_lists_the_standards_claimed_a_page_at_a_time(
    reader: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The conformity table of a city bureau named every standard its entries claim
    (649 kB of HTML at 50,000 resources). It shows PAGE_ENTRIES of them, in the API's
    order, with a pager (`standards_offset`) through the rest."""
    from api.pages import entries

    monkeypatch.setattr(entries, "PAGE_ENTRIES", 2)
    whole = reader.get(
        f"/api/v1/departments/{BUREAU}/conformity", params={"standards_limit": 500}
    ).json()["standards"]
    assert len(whole) > 2
    # The standards' table comes first in the section, and its pager is labelled 标准.
    seen = _walk_department_page(
        reader,
        'id="conformity-h"',
        r'<tr><td><a href="([^"]+)"',
        2,
        pager='<nav class="pager" aria-label="标准">',
    )
    expected = [row["standard"]["iri"].replace("http://127.0.0.1:8000", "") for row in whole]
    assert [urlsplit(href).path for href in seen] == expected
    bad = reader.get(
        f"/id/department/{BUREAU}", params={entries.STANDARDS_OFFSET: "x"}, headers=HTML
    )
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/register/sign-in", "/register"),
        ("/register/sign-out", "/register"),
        ("/validate/report", "/validate"),
        ("/lang/en?next=%2Fregister%2Fsign-in", None),
    ],
)
def test_a_refused_sign_in_reloaded_or_relanguaged_was_a_405_page(
    reader: TestClient, path: str, form: str | None
) -> None:
    """A refused sign-in's page stays at /register/sign-in; reloaded, or after the
    language switch (which goes back to the same address), it was a 405 page."""
    answer = reader.get(path, headers=HTML)
    assert answer.status_code == 200, (path, answer.status_code)
    assert answer.url.path == (form or "/register")


def test_a_standards_picture_drew_every_entry_that_claims_it(
    large: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A standard every resource claims had them all drawn on its page (an SVG 10,151 pt
    tall, 290 KB of page with 130 resources; tens of thousands at 50,000): the page
    draws the nearest PICTURE_MAX_ENTRIES and says how many there are. The cap is made
    small here: the generated registry's busiest standard has a few dozen."""
    PICTURE_MAX_ENTRIES = 10
    monkeypatch.setattr(pages_module, "PICTURE_MAX_ENTRIES", PICTURE_MAX_ENTRIES)
    graph = large.app.state.registry.graph()
    degree = {
        node: graph.degree(node) for node, kind in graph.nodes(data="kind") if kind == "standard"
    }
    hub = max(degree, key=degree.__getitem__)
    assert degree[hub] > PICTURE_MAX_ENTRIES + 10, "the generated registry has a hub"
    path = "/id/" + hub.split("/id/", 1)[1]
    page = large.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    drawn = page.text.count('class="node"')
    assert 0 < drawn <= PICTURE_MAX_ENTRIES + 1
    listed = re.search(r"图中的条目 \((\d+)\)", page.text)
    assert listed is not None and int(listed.group(1)) == PICTURE_MAX_ENTRIES
    notice = re.search(r"图中只画出离本条目最近的 (\d+) 个条目（共 (\d+) 个）", page.text)
    assert notice is not None, re.findall(r'class="notice">[^<]*', page.text)
    assert int(notice.group(1)) == PICTURE_MAX_ENTRIES
    assert int(notice.group(2)) > PICTURE_MAX_ENTRIES


def test_the_zh_error_box_named_its_details_by_the_apis_english_keys(
    reader: TestClient,
) -> None:
    """An unreadable upload's error box listed `file / format / line / column / reason`
    on a Chinese page."""
    files = {
        "file": ("broken.ttl", b'@prefix x: <urn:x#> . x:a x:b "unterminated\n', "text/turtle")
    }
    response = reader.post("/validate", data={"csrf_token": csrf(reader)}, files=files)
    assert_page(response, 400)
    names = re.findall(r"<dt>([^<]*)</dt>", response.text)
    assert names and "文件" in names
    assert not [n for n in names if re.fullmatch(r"[a-z_]+", n)], names


def test_an_error_page_dropped_what_is_allowed_and_which_parameter_was_wrong(
    reader: TestClient,
) -> None:
    """ui.md: an unknown code or filter is "a 400 page naming what is allowed"; the page
    dropped the error's details, and a malformed parameter was only "请求格式错误"."""
    unknown = reader.get("/search?kind=resource&sharing_type=99", headers=HTML)
    assert_page(unknown, 400)
    assert "可用值" in unknown.text
    allowed = re.search(r"<dt>可用值</dt><dd>([^<]*)</dd>", unknown.text)
    assert allowed is not None and "、" in allowed.group(1)
    wrong = reader.get("/search?offset=-1", headers=HTML)
    assert_page(wrong, 422)
    assert "有误的参数" in wrong.text and "<code>offset</code>" in wrong.text


def test_a_search_offset_past_the_end_said_nothing_matches(large: TestClient) -> None:
    response = large.get("/search", params={"kind": "standard", "offset": 100_000}, headers=HTML)
    assert_page(response)
    assert "没有符合条件的条目" not in response.text
    assert "本页没有条目" in response.text
    nothing = large.get(
        "/search", params={"kind": "standard", "q": "不存在的标准名称甲乙"}, headers=HTML
    )
    assert "没有符合条件的条目" in nothing.text


def test_the_home_pages_department_count_was_the_only_one_not_a_link(reader: TestClient) -> None:
    home = reader.get("/", headers=HTML)
    assert 'href="/search?kind=department"' in home.text
    listed = reader.get("/search?kind=department", headers=HTML)
    assert listed.status_code == 200 and "沈阳市大数据管理局" in listed.text


def test_a_superseded_cited_edition_was_not_marked_in_the_list_of_references(
    reader: TestClient,
) -> None:
    """Only the picture greyed a superseded cited edition out: the list of references,
    which readers without the picture use, said nothing. Each dated reference carries
    the cited standard's status now (API and page)."""
    answer = reader.get("/api/v1/standards/GB%2FT%2037932-2019").json()
    statuses = {r["id"]: r.get("status") for r in answer["dated_references"]}
    assert statuses["GB/T 35273-2017"] == "superseded"
    assert statuses["GB/T 22239-2019"] == "current"
    page = reader.get("/id/standard/GB-T-37932-2019", headers=HTML).text
    references = page.split('id="refs-h"', 1)[1].split("</section>", 1)[0]
    cited = references.split("GB/T 35273-2017", 1)[1].split("</li>", 1)[0]
    assert "status-superseded" in cited
