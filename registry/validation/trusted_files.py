"""Where the trusted files (ontology, shapes, examples) live.

They are top-level folders of the project (DESIGN.md fixes the layout), so they
are found next to the installed packages of an editable install or a checkout.
Here, in validation/, because the shapes and the ontology are what the validator
loads and hashes (the shapes' digest dates every report and automatic assessment);
the inputs read the code lists and the seed the examples from the same place.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
SHAPES_DIR = PROJECT_ROOT / "shapes"
EXAMPLES_DIR = PROJECT_ROOT / "examples"


def turtle_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ttl"))


def files_sha256(paths: list[Path]) -> str:
    """One digest over the files' names and bytes, in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
