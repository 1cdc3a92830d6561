"""Automatic assessments after the shapes change (issue 22: "re-run when the entry or the
shapes change"), on a real embedded store: a start under changed shapes shows the
assessments made before as outdated without re-running anything, `assess_all(
outdated_only=True)` (`screg assess --outdated`) and the server's background job run
them again, and afterwards nothing is outdated."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from registry.config import Settings
from registry.register.automatic import rules_version
from registry.service import Registry
from registry.validation.trusted_files import SHAPES_DIR
from registry.validation.validator import Shapes, Validator

CORE = "GB/T 21063.3-2007"
AUTO = "AUTO-101001-000001-GB-T-21063.3-2007"
# The seeded examples' automatic assessments: 24 resources, 2 interfaces, the example
# catalogue and the department providing its resources.
AUTOMATIC = 28


def changed_shapes(folder: Path) -> Validator:
    """The registry's shapes with one rule changed: a resource's abstract is to be at
    least 2 characters long (it was 1; every example's is longer)."""
    shutil.copytree(SHAPES_DIR, folder)
    path = folder / "resource.ttl"
    text = path.read_text(encoding="utf-8")
    rule = 'sh:name "信息资源摘要"@zh , "abstract"@en ;\n    sh:minCount 1 ;\n'
    rule += "    sh:nodeKind sh:Literal ;\n    sh:minLength 1 ;"
    changed = text.replace(rule, rule.replace("sh:minLength 1", "sh:minLength 2"))
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    return Validator(Shapes(folder))


@pytest.fixture
def store_before(tmp_path: Path, validator: Validator) -> Settings:
    """An embedded store seeded with automatic assessments under the shapes of shapes/."""
    settings = Settings(store=str(tmp_path / "store"), automatic_assessments=True)
    with Registry(settings, validator=validator) as registry:
        registry.reader()
    return settings


def test_a_start_under_changed_shapes_shows_them_outdated_until_re_run(
    store_before: Settings, tmp_path: Path
) -> None:
    validator = changed_shapes(tmp_path / "shapes")
    try:
        with Registry(store_before, validator=validator) as registry:
            new = registry.rules_version()
            assert new != rules_version(Shapes().sha256)
            read = registry.reader()
            # the start re-ran nothing: every automatic assessment is outdated
            assert len(read.outdated_subjects(new)) == AUTOMATIC
            counts = read.standard_conformity(CORE)["counts"]
            # (a manual assessment counts before an automatic one, and is never outdated)
            assert counts["outdated"] > 0
            assert read.entry("assessment", AUTO)["rules_version"] != new
            before = registry.store.generation()

            made = registry.assess_all(outdated_only=True, batch=10)
            changed = [c for m in made for c in m.changes if c.outcome == "updated"]
            assert len(changed) == AUTOMATIC
            assert registry.store.generation() > before
            read = registry.reader()
            assert read.outdated_subjects(new) == []
            after = read.standard_conformity(CORE)["counts"]
            assert after["outdated"] == 0
            assert after["passed"] == counts["outdated"] + counts["passed"]
            record = read.entry("assessment", AUTO)
            assert record["rules_version"] == new
            assert record["outcome"]["code"] == "passed"
            assert [v.number for v in registry.history(record["iri"])] == [1, 2]
            # run again: nothing is outdated, nothing is written
            assert registry.assess_all(outdated_only=True) == []
    finally:
        validator.close()


def test_the_server_re_runs_outdated_assessments_in_the_background(
    store_before: Settings, tmp_path: Path
) -> None:
    validator = changed_shapes(tmp_path / "shapes")
    path = f"/api/v1/standards/{CORE.replace('/', '%2F')}/conformity"
    try:
        with TestClient(create_app(store_before, validator=validator)) as client:
            # answered at once, whatever the background job has done by then
            first = client.get(path)
            assert first.status_code == 200
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                counts = client.get(path).json()["counts"]
                if counts["outdated"] == 0:
                    break
                time.sleep(0.2)
            assert counts["outdated"] == 0 and counts["passed"] > 0
            answer = client.get(f"/api/v1/assessments/{AUTO}").json()
            assert answer["rules_version"] == rules_version(validator.shapes.sha256)
    finally:
        validator.close()


def test_etag_changes_when_the_shapes_change_over_the_same_generation(
    store_before: Settings, tmp_path: Path, validator: Validator
) -> None:
    """Regression: the ETag followed only the store generation and the release, so a
    client revalidating after a start under changed shapes got 304 for an answer that
    now shows assessments as outdated."""
    path = f"/api/v1/standards/{CORE.replace('/', '%2F')}/conformity"
    quiet = store_before.model_copy(update={"automatic_assessments": False})  # no re-run
    with TestClient(create_app(quiet, validator=validator)) as client:
        before = client.get(path)
    changed = changed_shapes(tmp_path / "shapes")
    try:
        with TestClient(create_app(quiet, validator=changed)) as client:
            after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
            assert after.status_code == 200
            assert after.headers["ETag"] != before.headers["ETag"]
            assert after.json()["counts"]["outdated"] > 0
            assert before.json()["counts"]["outdated"] == 0
    finally:
        changed.close()


def test_entries_left_without_automatic_assessments_got_none_at_the_next_start(
    tmp_path: Path, validator: Validator
) -> None:
    """A server stopped by force between a submission and its automatic assessments (a
    write of its own, after) left the submission's resources with none, and the next
    start re-ran only the outdated ones: the department's whole assessment then said
    they were unassessed. `assess_all(outdated_only=True)`, which the start runs in the
    background, makes the missing ones as well."""
    from registry.inputs.document import Document
    from registry.register.submission import REGISTRAR
    from tests.documents import resource_ttl

    location = str(tmp_path / "store")
    with Registry(Settings(store=location, automatic_assessments=True), validator=validator) as r:
        r.reader()
    # Written as if its assessments' write never came: a registry that makes none.
    with Registry(Settings(store=location, seed=False), validator=validator) as r:
        body = resource_ttl("101001/004601", title="断电前登记", description="测试。")
        assert r.submit([Document("r.ttl", body)], REGISTRAR).accepted
        item = "http://127.0.0.1:8000/id/resource/101001-004601"
        assert r.reader().unassessed_subjects() == [item]
    settings = Settings(store=location, seed=False, automatic_assessments=True)
    with Registry(settings, validator=validator) as r:
        made = r.assess_all(outdated_only=True)
        assert made and all(m.accepted for m in made)
        assert r.reader().unassessed_subjects() == []
        answer = r.reader().entry("assessment", "AUTO-101001-004601-GB-T-21063.3-2007")
        assert answer["mode"]["code"] == "automatic"
        # Nothing is left to make: a second run writes nothing.
        assert r.assess_all(outdated_only=True) == []
