"""Conformity assessments over HTTP (issue 22): submitted as Turtle and as a CSV with
Chinese headers, read back as entries; how far a standard is applied and a
department's conformity, in JSON and on their pages; and impact analysis flagging
the assessments a superseded standard puts in doubt."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from api import create_app
from api.i18n import LANG_COOKIE
from registry.config import Settings
from registry.inputs.assessment_sheet import COLUMNS, template_rows
from registry.inputs.document import Document
from registry.inputs.tabular import csv_bytes
from registry.register.submission import Principal
from registry.register.tokens import create_token
from registry.service import Registry
from registry.store import Store
from tests.conftest import EXAMPLES, dump_after, shared_app

BASE = "http://127.0.0.1:8000/id/"
BUREAU = "11210100EXAMPLE01N"
OTHER = "11210100EXAMPLE02R"


def _make_tokens(store: Store) -> dict[str, str]:
    return {
        "bureau": create_token(store, "submitter", BUREAU, "bureau")[1],
        "other": create_token(store, "submitter", OTHER, "other")[1],
        "registrar": create_token(store, "registrar", None, "registrar")[1],
    }


@pytest.fixture(scope="module")
def seeded_with_tokens(seeded_dump: bytes) -> tuple[bytes, dict[str, str]]:
    """The seeded examples and the tests' tokens, made once per module (a shared server
    keeps them loaded while no test writes)."""
    return dump_after(seeded_dump, _make_tokens)


@pytest.fixture
def api_store(
    open_seeded, seeded_with_tokens: tuple[bytes, dict[str, str]], request: pytest.FixtureRequest
) -> Store:
    """The seeded examples on the back end under test, with OTHER's MANY assessments
    when the test asks for `many`; the app closes it on shutdown."""
    if "many" in request.fixturenames:
        return open_seeded(request.getfixturevalue("with_many"))
    return open_seeded(seeded_with_tokens[0])


@pytest.fixture
def tokens(seeded_with_tokens: tuple[bytes, dict[str, str]]) -> dict[str, str]:
    return seeded_with_tokens[1]


def _app(store: Store, validator):
    return create_app(Settings(store="memory", seed=False), store=store, validator=validator)


@pytest.fixture
def client(api_store: Store, validator, tokens: dict[str, str]) -> Iterator[TestClient]:
    """A fresh store and app: for the tests that write, and those of the MANY assessments."""
    with TestClient(_app(api_store, validator), raise_server_exceptions=False) as test_client:
        yield test_client


# One app for the module's tests that only read (tests/conftest.py shared_app).
shared, reader = shared_app("seeded_with_tokens", _app)


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def assessment_turtle(code: str, outcome: str, day: str = "2026-05-01") -> bytes:
    return f"""
@prefix dct: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix earl: <http://www.w3.org/ns/earl#> . @prefix scs: <https://w3id.org/smartcity-std#> .
<{BASE}assessment/{code}> a earl:Assertion ; scs:assessmentCode "{code}" ;
    dct:title "市场监管局对企业登记信息的评估"@zh ; dct:publisher <{BASE}department/{OTHER}> ;
    earl:assertedBy <{BASE}department/{OTHER}> ; earl:subject <{BASE}resource/102002-000001> ;
    earl:test <{BASE}standard/GB-32100-2015> ; earl:mode earl:manual ;
    earl:result [ earl:outcome earl:{outcome} ; dct:date "{day}"^^xsd:date ] .
""".encode()


def test_an_assessment_submitted_as_turtle_answers_in_the_conformity_of_its_standard(
    client: TestClient, tokens: dict[str, str]
) -> None:
    before = client.get("/api/v1/standards/GB%2032100-2015/conformity").json()
    assert before["counts"]["assessed"] == 0 and before["counts"]["claimed"] >= 2
    response = client.post(
        "/api/v1/submissions",
        content=assessment_turtle("SC-2026-7", "failed"),
        headers={"Content-Type": "text/turtle", **auth(tokens["other"])},
    )
    assert response.status_code == 201, response.text
    entry = client.get("/api/v1/assessments/SC-2026-7").json()
    assert entry["outcome"]["code"] == "failed" and entry["publisher"]["id"] == OTHER
    after = client.get("/api/v1/standards/GB%2032100-2015/conformity").json()
    assert after["counts"]["assessed"] == 1 and after["counts"]["failed"] == 1
    assert after["counts"]["claimed_assessed"] == 1
    claimed = {c["id"]: c["assessment"] for c in after["claimed_by"]}
    assert claimed["102002/000001"]["id"] == "SC-2026-7"
    # the department of the assessed resource sees it at a glance
    glance = client.get(f"/api/v1/departments/{BUREAU}/conformity").json()
    row = next(r for r in glance["standards"] if r["standard"]["id"] == "GB 32100-2015")
    assert row["failed"] == 1
    # ... and the department that recorded it, counted as recorded
    other = client.get(f"/api/v1/departments/{OTHER}/conformity").json()
    assert other["counts"]["recorded"] == 1 and other["counts"]["entries"] == 0


def test_an_assessment_from_a_csv_with_chinese_headers(
    client: TestClient, tokens: dict[str, str]
) -> None:
    header, example = template_rows()
    row = dict(zip((c.key for c in COLUMNS), example, strict=True))
    row.update(code="SY-CA-2026-200", title="接口复测", outcome="无法判定")
    body = csv_bytes([header, [row[c.key] for c in COLUMNS]])
    response = client.post(
        "/api/v1/submissions",
        content=body,
        headers={"Content-Type": "text/csv", **auth(tokens["bureau"])},
    )
    assert response.status_code == 201, response.text
    found = client.get("/api/v1/assessments", params={"q": "SY-CA-2026-200"}).json()
    assert [a["outcome"]["code"] for a in found["items"]] == ["cantTell"]


def test_the_seeded_conformity_of_a_standard(reader: TestClient) -> None:
    answer = reader.get("/api/v1/standards/GB-T-38672-2020/conformity").json()
    counts = answer["counts"]
    assert counts["claimed"] == 4 and counts["assessed"] == 2
    assert (counts["passed"], counts["failed"]) == (1, 1)
    assert date.fromisoformat(answer["as_of"])
    listed = reader.get("/api/v1/assessments").json()
    assert listed["total"] == 7
    unknown = reader.get("/api/v1/standards/GB%2FT%2099999-2020/conformity")
    assert unknown.status_code == 404 and set(unknown.json()) == {"error"}


def _finished(client: TestClient, href: str, secret: str) -> dict[str, Any]:
    """Poll the job until it ends (bounded by a count of polls, not by a time)."""
    for _ in range(600):
        job = client.get(href, headers=auth(secret)).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job['status']}")


def test_a_registrar_re_runs_the_automatic_assessments_over_http(
    client: TestClient, tokens: dict[str, str]
) -> None:
    """`screg assess` beside a running server failed on the store's lock: the server
    now runs it, as a job, for a registrar (or an admin) only."""
    path = "/api/v1/assessments/automatic"
    assert client.post(path).status_code == 401
    refused = client.post(path, headers=auth(tokens["bureau"]))
    assert refused.status_code == 403 and refused.json()["error"]["code"]
    before = client.get("/api/v1/assessments").json()["total"]
    started = client.post(path, headers=auth(tokens["registrar"]))
    assert started.status_code == 202, started.text
    job = _finished(client, started.headers["Location"], tokens["registrar"])
    assert job["kind"] == "assessment" and job["status"] == "done", job
    # The job counted the entries it assessed (its total was null, issue of a probe).
    progress = job["progress"]
    assert progress["total"] and progress["done"] == progress["total"], progress
    result = job["result"]
    # The seeded store holds no automatic assessment: the first run records them.
    assert result["accepted"] and result["changed"] > 0 and result["writes"], result
    assert all(w["submission"].startswith("http") for w in result["writes"])
    assert client.get("/api/v1/assessments").json()["total"] == before + result["changed"]
    # Run again, nothing changes; so too for the outdated ones alone.
    for again in (path, f"{path}?outdated=true"):
        rerun = client.post(again, headers=auth(tokens["registrar"]))
        result = _finished(client, rerun.headers["Location"], tokens["registrar"])["result"]
        assert (result["writes"], result["changed"]) == ([], 0), result
    assert result["outdated_only"] is True


def test_the_pages_show_conformity(reader: TestClient) -> None:
    page = reader.get("/id/standard/GB-T-38672-2020", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "标准符合性" in page.text and "SY-CA-2026-002" in page.text
    page = reader.get(f"/id/department/{BUREAU}", headers={"Accept": "text/html"})
    assert "本部门登记的评估" in page.text
    page = reader.get("/id/assessment/SY-CA-2026-002", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "辽宁省软件测评中心" in page.text and "不通过" in page.text
    turtle = reader.get("/id/assessment/SY-CA-2026-002", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert len(graph) > 10


def test_impact_flags_the_assessments_of_a_superseded_standard(reader: TestClient) -> None:
    answer = reader.get(
        "/api/v1/impact/GB%2FT%2035273-2017", params={"change": "superseded"}
    ).json()
    flagged = answer["assessments"]
    assert [a["id"] for a in flagged] == ["SY-CA-2024-004"]
    assert flagged[0]["action"]["code"] == "reassess-against-successor"
    assert flagged[0]["action"]["zh"] == "须对照后继标准 GB/T 35273-2020 重新评估"
    assert flagged[0]["action"]["en"] == "re-assess against the successor GB/T 35273-2020"
    abolished = reader.get(
        "/api/v1/impact/GB%2FT%2038672-2020", params={"change": "abolished"}
    ).json()
    assert {a["action"]["code"] for a in abolished["assessments"]} == {"reassess"}
    page = reader.get("/impact", params={"standard": "GB/T 35273-2017"})
    assert "须对照后继标准 GB/T 35273-2020 重新评估" in page.text


def test_sparql_answers_conformity_by_itself(reader: TestClient) -> None:
    """The assessments are RDF in the public graphs: a query needs nothing else."""
    query = """
    PREFIX earl: <http://www.w3.org/ns/earl#>
    SELECT ?outcome (COUNT(?a) AS ?n) WHERE {
      ?a a earl:Assertion ; earl:test ?std ; earl:result/earl:outcome ?outcome .
      ?std <http://purl.org/dc/terms/identifier> "GB/T 38672-2020" .
    } GROUP BY ?outcome ORDER BY ?outcome"""
    response = reader.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert {(r["outcome"]["value"].rsplit("#", 1)[1], r["n"]["value"]) for r in rows} == {
        ("failed", "1"),
        ("passed", "1"),
    }
    assert (EXAMPLES / "assessments.ttl").exists()


def test_the_web_form_registers_an_assessment_spreadsheet(
    client: TestClient, tokens: dict[str, str]
) -> None:
    client.get("/register")
    csrf = client.cookies["screg_csrf"]
    signed = client.post(
        "/register/sign-in",
        data={"token": tokens["bureau"], "csrf_token": csrf},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    header, example = template_rows()
    row = dict(zip((c.key for c in COLUMNS), example, strict=True))
    row.update(code="SY-CA-2026-300", title="表单登记的评估", outcome="不适用")
    body = csv_bytes([header, [row[c.key] for c in COLUMNS]], encoding="gb18030")
    accepted = client.post(
        "/register",
        data={"csrf_token": client.cookies["screg_csrf"]},
        files={"file": ("评估.csv", body, "text/csv")},
    )
    assert accepted.status_code == 201, accepted.text[:2000]
    assert "/id/assessment/SY-CA-2026-300" in accepted.text
    entry = client.get("/api/v1/assessments/SY-CA-2026-300").json()
    assert entry["outcome"]["code"] == "inapplicable"


def test_the_change_feed_flags_the_assessments_of_a_superseded_standard(
    client: TestClient, api_store: Store
) -> None:
    _info, secret = create_token(api_store, "registrar", name="registrar")
    head = client.get("/api/v1/changes", params={"limit": 1000}).json()["next"]
    response = client.post(
        "/api/v1/items/GB%2FT%2038672-2020/status",
        json={"status": "superseded", "successor": f"{BASE}standard/GB-T-22239-2019"},
        headers=auth(secret),
    )
    assert response.status_code == 200, response.text
    items = client.get("/api/v1/changes", params={"after": head}).json()["items"]
    assert [i["kind"] for i in items] == ["status-change"]
    assert items[0]["reassess"] == [
        f"{BASE}assessment/SY-CA-2026-001",
        f"{BASE}assessment/SY-CA-2026-002",
    ]
    flagged = client.get("/api/v1/impact/GB%2FT%2038672-2020").json()["assessments"]
    assert {a["action"]["code"] for a in flagged} == {"reassess-against-successor"}


def test_the_application_of_the_standard_system_on_the_api_and_the_home_page(
    reader: TestClient,
) -> None:
    answer = reader.get("/api/v1/conformity").json()
    assert answer["in_force"] >= answer["claimed"] >= answer["assessed"] >= answer["passed"]
    # GB/T 38672-2020 and GB/T 21063.3-2007 passed; GB/T 39477-2020 (cannot tell) and
    # GB/T 36625.4-2021 (inapplicable) assessed; GB/T 35273-2017 is not in force
    assert (answer["assessed"], answer["passed"]) == (4, 2)
    home = reader.get("/")
    assert "已开展符合性评估的标准" in home.text and "有评估通过的标准" in home.text


def test_a_standards_page_and_answer_list_a_page_and_give_the_totals(
    reader: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 50,000 resources a catalogue standard is claimed by every one: the page names
    the first PAGE_ENTRIES (here 2) with the total, the API pages by limit and offset."""
    from api.pages import entries

    path = "/api/v1/standards/GB-T-38672-2020/conformity"
    whole = reader.get(path).json()
    assert whole["page"] == {
        "limit": 100,
        "offset": 0,
        "claimed_by_total": 4,
        "assessments_total": 2,
    }
    first = reader.get(path, params={"limit": 1}).json()
    second = reader.get(path, params={"limit": 1, "offset": 1}).json()
    assert first["counts"] == second["counts"] == whole["counts"]
    assert [a["iri"] for a in first["assessments"] + second["assessments"]] == [
        a["iri"] for a in whole["assessments"]
    ]
    assert [c["iri"] for c in first["claimed_by"] + second["claimed_by"]] == [
        c["iri"] for c in whole["claimed_by"][:2]
    ]
    monkeypatch.setattr(entries, "PAGE_ENTRIES", 2)
    page = reader.get("/id/standard/GB-T-38672-2020", headers={"Accept": "text/html"})
    assert "显示前 2 项，共 4 项" in page.text
    english = reader.get(
        "/id/standard/GB-T-38672-2020",
        headers={"Accept": "text/html", "Cookie": f"{LANG_COOKIE}=en"},
    )
    assert "The first 2 of 4 are shown" in english.text


# More assessments of one entry against one standard than one page holds (issue 22: a
# standard or a department with thousands must be paged, with the true total).
MANY = 5
MANY_STANDARD = "GB%2032100-2015"


def many_assessments_turtle() -> bytes:
    """MANY assessments by OTHER of the bureau's resource 102002/000001 against GB
    32100-2015, one a day: PG-5 (the newest) is the latest."""
    # The prefixes once, then each one's statements.
    docs = [assessment_turtle("PG-1", "passed").decode().split("<", 1)[0]]
    for n in range(1, MANY + 1):
        one = assessment_turtle(f"PG-{n}", "failed" if n % 2 else "passed", f"2026-03-0{n}")
        docs.append("<" + one.decode().split("<", 1)[1])
    return "".join(docs).encode()


@pytest.fixture(scope="module")
def with_many(seeded_with_tokens: tuple[bytes, dict[str, str]], validator) -> bytes:
    """The seeded examples and tokens after OTHER submitted the MANY assessments, made
    once: a shared server loads these quads for each test instead of a submission."""
    other = Principal("submitter", URIRef(f"{BASE}department/{OTHER}"), "other")

    def submit(store: Store) -> None:
        registry = Registry(Settings(store="memory"), validator=validator, store=store)
        result = registry.submit([Document("many.ttl", many_assessments_turtle())], other)
        assert result.accepted, result.report

    return dump_after(seeded_with_tokens[0], submit)[0]


@pytest.fixture
def many() -> list[str]:
    """The codes of the MANY assessments (in the test's store, see `api_store`), newest
    first."""
    return [f"PG-{n}" for n in range(MANY, 0, -1)]


def _walk(client: TestClient, path: str, key: str, total_of, **params: object) -> list[dict]:
    """Every item of the `key` list of a paged answer, page by page (2 at a time)."""
    walked: list[dict] = []
    while True:
        answer = client.get(path, params={**params, f"{key}offset": len(walked)})
        assert answer.status_code == 200, answer.text
        found = answer.json()
        page = found["assessments"]
        assert len(page) <= 2
        walked += page
        if not page or len(walked) >= total_of(found):
            return walked


def test_a_standards_assessments_are_paged_with_the_true_total(
    client: TestClient, many: list[str]
) -> None:
    path = f"/api/v1/standards/{MANY_STANDARD}/conformity"
    whole = client.get(path).json()
    assert whole["page"]["assessments_total"] == MANY
    assert [a["id"] for a in whole["assessments"]] == many
    walked = _walk(client, path, "", lambda f: f["page"]["assessments_total"], limit=2)
    assert [a["id"] for a in walked] == many
    assert [a["latest"] for a in walked] == [True] + [False] * (MANY - 1)


def test_a_departments_assessments_are_paged_with_the_true_total(
    client: TestClient, many: list[str]
) -> None:
    """The department of the assessed resource lists every assessment of its entries
    (and of itself and its catalogues), newest first, a page at a time."""
    path = f"/api/v1/departments/{BUREAU}/conformity"
    whole = client.get(path, params={"limit": 500}).json()
    total = whole["page"]["assessments_total"]
    assert total == len(whole["assessments"]) and total > MANY
    assert [a["id"] for a in whole["assessments"] if a["id"].startswith("PG-")] == many
    dates = [a["date"] or "" for a in whole["assessments"]]
    assert dates == sorted(dates, reverse=True)
    first = client.get(path, params={"limit": 2}).json()
    assert first["page"] == {
        "limit": 2,
        "offset": 0,
        "assessments_total": total,
        "standards_limit": 100,
        "standards_offset": 0,
        "standards_total": len(whole["standards"]),
    }
    assert first["counts"] == whole["counts"] and first["standards"] == whole["standards"]
    walked = _walk(client, path, "", lambda f: f["page"]["assessments_total"], limit=2)
    assert [a["iri"] for a in walked] == [a["iri"] for a in whole["assessments"]]


def test_a_departments_standards_are_paged_in_identifier_order_with_the_true_total(
    reader: TestClient,
) -> None:
    """A city bureau's entries claim thousands of standards (2,904 at 50,000 resources:
    1 MB in one answer). `standards` is a page of them (`standards_limit`, 100 by
    default, `standards_offset`), in identifier order, beside their total."""
    path = f"/api/v1/departments/{BUREAU}/conformity"
    whole = reader.get(path, params={"standards_limit": 500}).json()
    total = whole["page"]["standards_total"]
    assert total == len(whole["standards"]) > 2
    ids = [(str(r["standard"]["id"] or ""), r["standard"]["iri"]) for r in whole["standards"]]
    assert ids == sorted(ids)
    walked: list[dict] = []
    while len(walked) < total:
        answer = reader.get(path, params={"standards_limit": 2, "standards_offset": len(walked)})
        assert answer.status_code == 200, answer.text
        found = answer.json()
        assert 0 < len(found["standards"]) <= 2
        assert found["page"]["standards_total"] == total
        assert found["counts"] == whole["counts"]
        walked += found["standards"]
    assert walked == whole["standards"]
    past = reader.get(path, params={"standards_offset": total}).json()
    assert past["standards"] == [] and past["page"]["standards_total"] == total
    for bad in ({"standards_limit": 0}, {"standards_limit": 501}, {"standards_offset": -1}):
        assert reader.get(path, params=bad).status_code == 422, bad


def test_impact_pages_the_assessments_to_make_again_with_the_true_total(
    client: TestClient, many: list[str]
) -> None:
    path = f"/api/v1/impact/{MANY_STANDARD}"
    whole = client.get(path, params={"change": "abolished"}).json()
    assert whole["assessments_page"] == {"total": MANY, "limit": 100, "offset": 0}
    assert [a["id"] for a in whole["assessments"]] == many
    assert {a["action"]["code"] for a in whole["assessments"]} == {"reassess"}
    walked = _walk(
        client,
        path,
        "assessments_",
        lambda f: f["assessments_page"]["total"],
        change="abolished",
        assessments_limit=2,
    )
    assert walked == whole["assessments"]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/standards/{MANY_STANDARD}/conformity",
        f"/api/v1/departments/{BUREAU}/conformity",
        f"/api/v1/impact/{MANY_STANDARD}",
    ],
)
def test_conformity_answers_refuse_unknown_parameters(reader: TestClient, path: str) -> None:
    refused = reader.get(path, params={"page": 2})
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["details"]["unknown"] == ["page"] and "offset" in " ".join(
        error["details"]["allowed"]
    )
    assert "未知的查询参数" in error["messages"]["zh"] and "unknown" in error["messages"]["en"]
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}):
        if "impact" in path:
            bad = {f"assessments_{k}": v for k, v in bad.items()}
        assert reader.get(path, params=bad).status_code == 422


def listed(page: str) -> str:
    """The table of assessments of a page (its other sections name them too)."""
    start = page.index('<table class="assessments">')
    return page[start : page.index("</table>", start)]


def test_the_pages_show_a_pager_through_the_assessments(
    client: TestClient, many: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A standard's and a department's page list PAGE_ENTRIES assessments, the ones the
    API's page lists, and a pager (`assessments_offset`) through the rest; so does the
    impact page through those to make again."""
    from api.pages import browse, entries

    monkeypatch.setattr(entries, "PAGE_ENTRIES", 2)
    html = {"Accept": "text/html"}
    for page_path, api_path in (
        ("/id/standard/GB-32100-2015", f"/api/v1/standards/{MANY_STANDARD}/conformity"),
        (f"/id/department/{BUREAU}", f"/api/v1/departments/{BUREAU}/conformity"),
    ):
        every = client.get(api_path, params={"limit": 500}).json()
        ids = [a["id"] for a in every["assessments"]]
        total = every["page"]["assessments_total"]
        assert total > 2
        first = client.get(page_path, headers=html)
        assert first.status_code == 200
        assert f"第 1–2 条，共 {total} 条" in first.text
        assert 'rel="next"' in first.text and "assessments_offset=2" in first.text
        table = listed(first.text)
        assert all(i in table for i in ids[:2]) and ids[2] not in table
        second = client.get(page_path, params={"assessments_offset": 2}, headers=html)
        table = listed(second.text)
        assert ids[2] in table and ids[0] not in table
        assert 'rel="prev"' in second.text
        bad = client.get(page_path, params={"assessments_offset": "x"}, headers=html)
        assert bad.status_code == 400
    monkeypatch.setattr(browse, "REASSESS_PAGE", 2)
    impact = client.get("/impact", params={"standard": "GB 32100-2015", "change": "abolished"})
    assert f"第 1–2 条，共 {MANY} 条" in impact.text and "assessments_offset=2" in impact.text
    assert "PG-5" in listed(impact.text) and "PG-3" not in listed(impact.text)


def test_the_assessments_list_refuses_unknown_parameters_and_downloads(
    reader: TestClient,
) -> None:
    """It answered 200 to `?publsher=...` (every assessment) and had no download, unlike
    every other list."""
    refused = reader.get("/api/v1/assessments", params={"publsher": OTHER})
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["details"]["unknown"] == ["publsher"]
    whole = reader.get("/api/v1/assessments", params={"limit": 500}).json()
    sheet = reader.get("/api/v1/assessments", params={"format": "csv", "limit": 1})
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    header, *rows = sheet.content.decode("utf-8-sig").splitlines()
    assert header.startswith("评估编号,评估名称")
    assert len(rows) == whole["total"] and whole["total"] == len(whole["items"])
    assert [r.split(",", 1)[0] for r in rows] == [a["code"] for a in whole["items"]]
    # The assessor filter chooses the same in both.
    mine = reader.get("/api/v1/assessments", params={"publisher": BUREAU}).json()
    sheet = reader.get("/api/v1/assessments", params={"publisher": BUREAU, "format": "csv"})
    assert 0 < mine["total"] <= whole["total"]
    assert len(sheet.content.decode("utf-8-sig").splitlines()) == 1 + mine["total"]
