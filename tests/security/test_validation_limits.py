"""Validation under limits the operating system enforces (issue 17, point 5: "parsing
and validation of uploads in limited workers too").

What the shapes cost is decided by the data, not by its size: a 44 KB Turtle upload
whose catalogue and datasets each name 60 publishers made the catalogue's SPARQL
constraint join publishers x datasets x publishers, a minute of the API process's CPU
(120 publishers: eight times that). Each case asserts the refusal in the one error
body, that the server still validates after, and, for submissions, that nothing was
written; orders come from the workers' own count, never from clocks."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import create_app
from registry.config import Settings
from registry.register.tokens import create_token
from registry.store import Store, open_store
from tests.api.test_api import TURTLE, assert_error, auth, resource_ttl
from tests.conftest import EXAMPLES

PREFIXES = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix scs: <https://w3id.org/smartcity-std#> .
@prefix dept: <http://127.0.0.1:8000/id/department/> .
@prefix res: <http://127.0.0.1:8000/id/resource/> .
"""


def publishers_catalogue(count: int) -> bytes:
    """A catalogue and `count` datasets, each naming the same `count` publishers: what
    makes shapes/catalogue.ttl's publisher constraint cubic in `count`."""
    publishers = ", ".join(f"dept:P{i}" for i in range(count))
    datasets = ", ".join(f"res:109901-{i:06d}" for i in range(count))
    lines = [
        PREFIXES,
        f"<http://127.0.0.1:8000/id/catalogue/P0/x> a dcat:Catalog ; "
        f'dct:title "x"@zh ; dct:publisher {publishers} ; dcat:dataset {datasets} .',
    ]
    lines += [
        f'res:109901-{i:06d} a scs:InformationResource ; scs:resourceCode "109901/{i:06d}" ; '
        f"dct:publisher {publishers} ."
        for i in range(count)
    ]
    return "\n".join(lines).encode()


@pytest.fixture
def store(seeded_dump: bytes) -> Store:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    return store


def _client(store: Store, validator: Any, **settings: Any) -> TestClient:
    base = {"store": "memory", "seed": False}
    app = create_app(Settings(**{**base, **settings}), store=store, validator=validator)
    return TestClient(app, raise_server_exceptions=False)


def _wait_until_busy(registry: Any, pool: str, count: int) -> None:
    """Until `count` workers of `pool` (Registry.busy_workers) are at work."""
    for _ in range(6000):  # a count of polls, not a time
        if registry.busy_workers()[pool] == count:
            return
        threading.Event().wait(0.05)
    pytest.fail(f"{count} {pool} workers never ran: {registry.busy_workers()}")


def test_cubic_publishers_catalogue_validation_is_stopped_by_its_budget(
    store: Store, validator: Any
) -> None:
    with _client(store, validator, validate_timeout_seconds=2) as client:
        response = client.post("/api/v1/validate", content=publishers_catalogue(60), headers=TURTLE)
        error = assert_error(response, 400, "upload_limit")
        assert error["details"] == {"timeout_seconds": 2.0}
        assert "2 s" in error["messages"]["en"] and "2 秒" in error["message"]
        body = (EXAMPLES / "catalogue-valid.ttl").read_bytes()
        after = client.post("/api/v1/validate", content=body, headers=TURTLE)
        assert after.status_code == 200 and after.json()["conforms"] is True


def test_cubic_publishers_catalogue_submission_is_stopped_and_writes_nothing(
    store: Store, validator: Any
) -> None:
    secret = create_token(store, "registrar", name="test registrar")[1]
    with _client(store, validator, validation_timeout_seconds=2) as client:
        before = store.generation()
        response = client.post(
            "/api/v1/submissions",
            content=publishers_catalogue(60),
            headers={**TURTLE, **auth(secret)},
        )
        error = assert_error(response, 400, "upload_limit")
        assert error["details"] == {"timeout_seconds": 2.0}
        assert store.generation() == before
        ok = client.post(
            "/api/v1/submissions", content=resource_ttl(), headers={**TURTLE, **auth(secret)}
        )
        assert ok.status_code == 201, ok.text


def test_validations_nobody_signed_for_do_not_hold_back_a_submission(
    store: Store, validator: Any
) -> None:
    """Both workers of `validate` busy with hostile uploads (stopped only at their
    budget, far away); a registrar's small submission is answered meanwhile."""
    secret = create_token(store, "registrar", name="test registrar")[1]
    with _client(store, validator, validate_per_client=2, validate_timeout_seconds=600) as client:
        registry = client.app.state.registry
        answers: list[int] = []

        def hostile() -> None:
            response = client.post(
                "/api/v1/validate", content=publishers_catalogue(120), headers=TURTLE
            )
            answers.append(response.status_code)

        threads = [threading.Thread(target=hostile, daemon=True) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            _wait_until_busy(registry, "validations", 2)
            response = client.post(
                "/api/v1/submissions", content=resource_ttl(), headers={**TURTLE, **auth(secret)}
            )
            assert response.status_code == 201, response.text
            assert registry.busy_workers()["validations"] == 2 and not answers
        finally:
            # Stop the hostile ones now: the client waits for its requests before the
            # app's own shutdown would stop their workers.
            registry.close()
            for thread in threads:
                thread.join(60)
        assert not any(thread.is_alive() for thread in threads)


def test_a_submission_validating_for_long_does_not_hold_back_another(
    store: Store, validator: Any
) -> None:
    """A registrar's submission whose validation runs far (a 120-publisher catalogue,
    stopped only at a budget far away) held the writer lock while it validated, and
    every other submission waited for it. Validation now comes before the lock: a
    small submission is registered while the long one still validates."""
    secret = create_token(store, "registrar", name="test registrar")[1]
    headers = {**TURTLE, **auth(secret)}
    with _client(store, validator, validation_timeout_seconds=600) as client:
        registry = client.app.state.registry
        long_answers: list[int] = []

        def long_submission() -> None:
            response = client.post(
                "/api/v1/submissions", content=publishers_catalogue(120), headers=headers
            )
            long_answers.append(response.status_code)

        def small_submission() -> None:
            response = client.post("/api/v1/submissions", content=resource_ttl(), headers=headers)
            small_answers.append((response.status_code, response.text))

        small_answers: list[tuple[int, str]] = []
        long = threading.Thread(target=long_submission, daemon=True)
        small = threading.Thread(target=small_submission, daemon=True)
        long.start()
        try:
            _wait_until_busy(registry, "submissions", 1)
            small.start()
            small.join(120)  # far longer than it takes; before, it waited out the budget
            assert small_answers and small_answers[0][0] == 201, small_answers
            # Answered while the long one was still validating.
            assert registry.busy_workers()["submissions"] == 1 and not long_answers
        finally:
            registry.close()
            long.join(60)
            small.join(60)
        assert not long.is_alive() and not small.is_alive()


def test_validation_in_a_worker_passes_on_its_progress(store: Store, validator: Any) -> None:
    """A validation job's progress comes from the worker, step by step."""
    from registry.inputs.document import Document

    settings = Settings(store="memory", seed=False)
    from registry.service import Registry

    registry = Registry(settings, validator=validator, store=store)
    try:
        registry.isolate_uploads()
        body = (EXAMPLES / "catalogue-valid.ttl").read_bytes()
        seen: list[tuple[int, int]] = []
        report = registry.validate(
            [Document("catalogue.ttl", body)], progress=lambda d, t: seen.append((d, t))
        )
        assert report.conforms
        assert seen and seen[-1][0] == seen[-1][1] > 0
    finally:
        registry.close()


def slow_workbook(rows: int) -> bytes:
    """A small XLSX (deflated, under every size cap) whose one sheet holds `rows` rows of
    two short cells: read for as long as openpyxl takes, seconds per 100,000 rows."""
    import io
    import zipfile

    from openpyxl import Workbook

    plain = io.BytesIO()
    Workbook().save(plain)
    row = '<row><c t="inlineStr"><is><t>x</t></is></c><c t="inlineStr"><is><t>y</t></is></c></row>'
    sheet = f"<sheetData>{row * rows}</sheetData>".encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData></sheetData>", sheet)
                assert sheet in data
            dst.writestr(info.filename, data)
    return out.getvalue()


def test_anonymous_workbooks_read_for_long_held_a_departments_submission_back(
    store: Store, validator: Any
) -> None:
    """Validations and submissions shared the upload readers: two anonymous workbooks
    that read for the whole reading budget held both, and a department's 4 KB
    submission waited 117 s. Validations now have readers of their own."""
    secret = create_token(store, "registrar", name="test registrar")[1]
    workbook = slow_workbook(1_000_000)
    assert len(workbook) < 8 * 1024 * 1024
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    with _client(store, validator, validate_per_client=2) as client:
        registry = client.app.state.registry
        answers: list[int] = []

        def validate() -> None:
            response = client.post(
                "/api/v1/validate?format=xlsx", content=workbook, headers={"Content-Type": xlsx}
            )
            answers.append(response.status_code)

        threads = [threading.Thread(target=validate, daemon=True) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            _wait_until_busy(registry, "validation_readers", 2)
            response = client.post(
                "/api/v1/submissions", content=resource_ttl(), headers={**TURTLE, **auth(secret)}
            )
            assert response.status_code == 201, response.text
            # Answered while both anonymous workbooks were still being read.
            assert registry.busy_workers()["validation_readers"] == 2 and not answers
        finally:
            registry.close()
            for thread in threads:
                thread.join(60)
        assert not any(thread.is_alive() for thread in threads)
