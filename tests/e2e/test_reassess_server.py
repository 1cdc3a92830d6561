"""A real `screg serve` over an embedded store whose automatic assessments were made
under other shapes (issue 22: "re-run when the shapes change"): it answers at once,
and its background thread runs them again under the installed shapes until none is
outdated."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from registry.config import Settings
from registry.register.automatic import rules_version
from registry.service import Registry
from registry.validation.validator import Shapes
from tests.register.test_rules_change import CORE, changed_shapes
from tests.servers import running_server


def test_screg_serve_re_runs_assessments_made_under_other_shapes(tmp_path: Path) -> None:
    store = tmp_path / "store"
    # seeded, with its automatic assessments, under a changed copy of the shapes
    other = changed_shapes(tmp_path / "shapes")
    try:
        settings = Settings(store=str(store), automatic_assessments=True)
        with Registry(settings, validator=other) as registry:
            registry.reader()
    finally:
        other.close()
    env = {
        **os.environ,
        "SCREG_STORE": str(store),
        "SCREG_AUTOMATIC_ASSESSMENTS": "true",
    }
    path = f"/api/v1/standards/{CORE.replace('/', '%2F')}/conformity"
    with running_server(env) as (base, _process):
        assert httpx.get(base + path, timeout=30).status_code == 200
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            counts = httpx.get(base + path, timeout=30).json()["counts"]
            if counts["outdated"] == 0:
                break
            time.sleep(0.2)  # a poll interval while the background thread writes
        assert counts["outdated"] == 0 and counts["passed"] > 0
        auto = httpx.get(
            f"{base}/api/v1/assessments/AUTO-101001-000001-GB-T-21063.3-2007", timeout=30
        ).json()
        assert auto["rules_version"] == rules_version(Shapes().sha256)
        history = httpx.get(f"{base}/api/v1/items/{auto['iri']}/history", timeout=30)
        assert history.status_code == 200 and len(history.json()) == 2
