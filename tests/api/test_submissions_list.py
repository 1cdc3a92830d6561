"""The list of recorded submissions (issue 20: every list paged with its true total),
in the API (`GET /api/v1/submissions`) and on the register page of a signed-in
department, through create_app on a seeded store per test holding the bureau's
submissions."""
# ruff: noqa: F811 - the fixtures of tests/api/test_api.py are imported by name

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from rdflib import URIRef

from api.lists import XLSX
from api.pages import forms
from registry.config import Settings
from registry.inputs.document import Document
from registry.inputs.workbooks import cell_text, csv_sheets
from registry.register.submission import Principal
from registry.service import Registry
from registry.store import Store
from tests import documents
from tests.api.test_api import (  # noqa: F401  (fixtures)
    BASE,
    BUREAU,
    OTHER_DEPT,
    app,
    assert_error,
    client,
    seeded_with_tokens,
    tokens,
)
from tests.api.test_pages import sign_in
from tests.conftest import dump_after

SUBMITTED = 5


@pytest.fixture(scope="module")
def with_submissions(
    seeded_with_tokens: tuple[bytes, dict[str, str]], validator
) -> tuple[bytes, list[str]]:
    """The seeded examples and tokens after the bureau's SUBMITTED submissions (one new
    resource each, newest last), made once: each test's store starts from these quads,
    so that a shared server loads them instead of taking five submissions per test."""
    bureau = Principal("submitter", URIRef(f"{BASE}department/{BUREAU}"), "bureau")

    def submit(store: Store) -> list[str]:
        registry = Registry(Settings(store="memory"), validator=validator, store=store)
        made = []
        for n in range(1, SUBMITTED + 1):
            body = documents.resource_ttl(
                f"109001/00000{n}", title=f"列表测试资源{n}", description="提交记录分页测试。"
            )
            result = registry.submit([Document(f"resource-{n}.ttl", body)], bureau)
            assert result.accepted, result.report
            made.append(str(result.submission))
        return made

    return dump_after(seeded_with_tokens[0], submit)


@pytest.fixture
def api_store(open_seeded, with_submissions: tuple[bytes, list[str]]) -> Store:
    """The back end under test holding the seeded examples, tokens and submissions."""
    return open_seeded(with_submissions[0])


@pytest.fixture
def submitted(with_submissions: tuple[bytes, list[str]]) -> list[str]:
    """The bureau's SUBMITTED submissions, newest last."""
    return with_submissions[1]


def test_submissions_are_paged_newest_first_with_the_true_total(
    client: TestClient, submitted: list[str]
) -> None:
    ids = [s.rsplit("/", 1)[-1] for s in submitted]
    walked, offset = [], 0
    while True:
        page = client.get(
            "/api/v1/submissions", params={"department": BUREAU, "limit": 2, "offset": offset}
        ).json()
        assert page["total"] == SUBMITTED and page["limit"] == 2 and page["offset"] == offset
        assert len(page["items"]) == min(2, SUBMITTED - offset)
        walked += page["items"]
        offset += 2
        if offset >= page["total"]:
            break
    assert [i["id"] for i in walked] == ids[::-1]
    first = walked[0]
    assert first["iri"] == submitted[-1] and first["agent"].endswith(BUREAU)
    assert first["outcome"] == "accepted" and first["entries"] == 1
    assert first["started"] >= walked[-1]["started"]
    # Every department's: the seed's submissions too, the total counts them all.
    everyone = client.get("/api/v1/submissions", params={"limit": 1}).json()
    assert everyone["total"] > SUBMITTED and len(everyone["items"]) == 1
    assert everyone["items"][0]["id"] == ids[-1]
    # Past the end: no items, the same total.
    past = client.get("/api/v1/submissions", params={"department": BUREAU, "offset": 99}).json()
    assert past["items"] == [] and past["total"] == SUBMITTED


def test_a_department_that_submitted_nothing_lists_none(
    client: TestClient, submitted: list[str]
) -> None:
    for department in (OTHER_DEPT, "NOSUCHDEPARTMENT0"):
        page = client.get("/api/v1/submissions", params={"department": department}).json()
        assert page["total"] == 0 and page["items"] == []


def test_the_submissions_list_refuses_unknown_parameters(client: TestClient) -> None:
    error = assert_error(
        client.get("/api/v1/submissions", params={"departmnt": BUREAU}), 400, "invalid_input"
    )
    assert error["details"]["unknown"] == ["departmnt"]
    assert "department" in error["details"]["allowed"]
    assert_error(client.get("/api/v1/submissions", params={"limit": 0}), 422)


def test_the_submissions_list_downloads_whole(client: TestClient, submitted: list[str]) -> None:
    csv = client.get("/api/v1/submissions", params={"department": BUREAU, "format": "csv"})
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert "submissions" in csv.headers["content-disposition"]
    sheet_rows = next(iter(csv_sheets(csv.content, "submissions.csv"))).rows
    rows = [[cell_text(cell) for cell in row] for row in sheet_rows]
    header = [cell for cell in rows[0] if cell]
    assert header[:4] == ["提交编号", "提交时间", "结果", "条目数"]
    listed = [row[0] for row in rows[1:] if any(row)]
    assert listed == [s.rsplit("/", 1)[-1] for s in submitted][::-1]
    assert {row[2] for row in rows[1:] if any(row)} == {"已登记"}
    xlsx = client.get(
        "/api/v1/submissions", params={"department": BUREAU}, headers={"Accept": XLSX}
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.title == "提交记录" and sheet.max_row == SUBMITTED + 1


def test_the_register_page_pages_the_departments_submissions(
    client: TestClient,
    tokens: dict[str, str],
    submitted: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forms, "SUBMISSIONS_PAGE", 2)
    sign_in(client, tokens["bureau"])
    first = client.get("/register").text
    assert f"({SUBMITTED})" in first  # the true total beside the heading
    ids = [s.rsplit("/", 1)[-1] for s in submitted]
    assert ids[-1] in first and ids[-2] in first and ids[-3] not in first
    assert "offset=2" in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = client.get("/register", params={"offset": 4}).text
    assert ids[0] in last and ids[1] not in last
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert f"第 5–5 条，共 {SUBMITTED} 条" in last


def test_every_submission_is_read_by_key_a_batch_at_a_time(
    client: TestClient, submitted: list[str], api_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The download asked for every submission in one sorted query, which Virtuoso
    refuses past 10,000 rows (SR353, a 500); it now reads batches after the last one
    read. With batches of 2, every submission comes once, in the list's order."""
    from registry.read import queries

    whole = [s["iri"] for s in queries.submissions(api_store, None, 1000, 0).items]
    monkeypatch.setattr(queries, "SUBMISSION_BATCH", 2)
    batched = [s["iri"] for s in queries.every_submission(api_store)]
    assert batched == whole and len(whole) >= SUBMITTED
    assert set(submitted) <= set(batched)
