"""Long validations and submissions as jobs: 202 with a job to poll, result kept."""
# ruff: noqa: F811 - the fixtures of tests/api/test_api.py are imported by name

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.api.test_api import (  # noqa: F401 - fixtures
    TURTLE,
    api_store,
    app,
    auth,
    client,
    resource_ttl,
    seeded_with_tokens,
    tokens,
)
from tests.conftest import EXAMPLES


def _wait(client: TestClient, href: str) -> dict[str, Any]:
    """Poll until the job finishes (bounded by a count of polls, not by a time)."""
    for _ in range(600):
        body = client.get(href).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"job still {body['status']}")


def test_validation_job_answers_202_and_keeps_the_report(client: TestClient) -> None:
    body = (EXAMPLES / "catalogue-valid.ttl").read_bytes()
    response = client.post("/api/v1/validate?job=true", content=body, headers=TURTLE)
    assert response.status_code == 202, response.text
    href = response.headers["Location"]
    assert href == response.json()["href"] and href.startswith("/api/v1/jobs/")
    assert response.json()["status"] in ("queued", "running", "done")
    job = _wait(client, href)
    assert job["status"] == "done", job
    assert job["kind"] == "validation"
    assert job["result"]["conforms"] is True
    assert job["progress"]["done"] == job["progress"]["total"] > 0
    again = client.get(href).json()  # kept after it finished
    assert again["result"] == job["result"]


def test_submission_job_registers_or_fails_with_the_report(
    client: TestClient, tokens: dict[str, str]
) -> None:
    headers = {**TURTLE, **auth(tokens["bureau"])}
    bad = client.post(
        "/api/v1/submissions?job=true", content=resource_ttl(with_title=False), headers=headers
    )
    assert bad.status_code == 202
    failed = _wait(client, bad.headers["Location"])
    assert failed["status"] == "failed"
    assert failed["error"]["status"] == 422 and failed["error"]["code"] == "not_conforming"
    assert failed["error"]["details"]["conforms"] is False
    # Its message as any error's: Chinese unless the reader asks for English.
    messages = failed["error"]["messages"]
    assert failed["error"]["message"] == messages["zh"] == "提交内容不符合规范，未写入"
    english = client.get(bad.headers["Location"], headers={"Accept-Language": "en"}).json()
    assert english["error"]["message"] == messages["en"] != messages["zh"]

    good = client.post("/api/v1/submissions?job=true", content=resource_ttl(), headers=headers)
    done = _wait(client, good.headers["Location"])
    assert done["status"] == "done", done
    assert done["result"]["accepted"] is True
    assert any(e["outcome"] == "new" for e in done["result"]["entries"])


def test_submission_job_needs_a_token_and_unknown_jobs_are_404(client: TestClient) -> None:
    response = client.post("/api/v1/submissions?job=true", content=resource_ttl(), headers=TURTLE)
    assert response.status_code == 401
    missing = client.get("/api/v1/jobs/0123456789abcdef")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
