"""Shared fixtures. Nothing here reads the environment at import time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def skip_unless_available(available: bool, reason: str) -> None:
    """Skip when a real component is missing, unless SCREG_REQUIRE_ALL=1 makes that a failure."""
    if available:
        return
    if os.environ.get("SCREG_REQUIRE_ALL") == "1":
        pytest.fail(f"required component missing (SCREG_REQUIRE_ALL=1): {reason}")
    pytest.skip(reason)


@pytest.fixture
def root() -> Path:
    return ROOT
