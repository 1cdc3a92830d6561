"""The lists' filters in the read model (registry/read/filters.py): each chooses exactly
the records whose field holds the code, filters combine, unknown names and codes are
refused, and each filtered page is an index range of the model, not a scan (what keeps
a filtered list fast at 50,000 resources). On a generated registry of 400 resources."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.errors import InputError
from registry.read.filters import FILTERS, KIND_FILTERS
from registry.read.model import ReadModel
from registry.store import Store
from tests.read.test_model import BASE, built_model, generated, generated_dump  # noqa: F401

EVERY = 1_000_000


@pytest.fixture
def model(generated: Store, tmp_path: Path) -> Iterator[ReadModel]:  # noqa: F811
    with built_model(generated, tmp_path / "model.sqlite") as built:
        yield built


def code_of(record: dict, field: str) -> str | None:
    value = record.get(field)
    return value.get("code") if isinstance(value, dict) else None


def test_each_code_filter_chooses_the_records_holding_the_code(model: ReadModel) -> None:
    every = model.list_entries("resource", limit=EVERY).items
    assert len(every) == 400
    for name in ("sharing_type", "openness", "update_cycle", "resource_class"):
        codes = {code_of(r, name) for r in every} - {None}
        assert len(codes) >= 2, name  # the generated registry uses several of each
        for code in codes:
            found = model.list_entries("resource", limit=EVERY, **{name: code})
            expected = [r["iri"] for r in every if code_of(r, name) == code]
            assert [r["iri"] for r in found.items] == expected
            assert found.total == len(expected)


def test_filters_combine_and_page(model: ReadModel) -> None:
    every = model.list_entries("resource", limit=EVERY).items
    first = every[0]
    chosen = {
        "sharing_type": code_of(first, "sharing_type"),
        "department": first["publisher"]["id"],
        "register_status": first["register"]["status"],
    }
    expected = [
        r["iri"]
        for r in every
        if code_of(r, "sharing_type") == chosen["sharing_type"]
        and r["publisher"]["id"] == chosen["department"]
        and r["register"]["status"] == chosen["register_status"]
    ]
    paged = []
    for offset in range(0, len(expected) + 3, 3):
        page = model.list_entries("resource", limit=3, offset=offset, **chosen)
        assert page.total == len(expected)
        paged += [r["iri"] for r in page.items]
    assert paged == expected and first["iri"] in expected


def test_unknown_filters_and_codes_are_refused_naming_the_allowed(model: ReadModel) -> None:
    with pytest.raises(InputError) as unknown:
        model.list_entries("resource", colour="red")
    assert unknown.value.details["allowed"] == sorted(FILTERS)
    with pytest.raises(InputError) as code:
        model.list_entries("resource", openness="ajar")
    assert "open" in code.value.details["allowed"]


@pytest.mark.parametrize("name", [f.name for f in FILTERS.values() if f.column is not None])
def test_every_filtered_page_reads_an_index(model: ReadModel, name: str) -> None:
    """The statement shape of ReadModel's pages (`_page`), planned by SQLite over the
    model's own file: each filter's column is searched through an index that also
    gives the list order, so no filter scans every entry nor sorts them."""
    column = FILTERS[name].column
    kind = next(k for k, taken in KIND_FILTERS.items() if FILTERS[name] in taken)
    with sqlite3.connect(f"file:{model.path}?mode=ro", uri=True) as db:
        plan = " ".join(
            str(row[-1])
            for row in db.execute(
                f"EXPLAIN QUERY PLAN SELECT record FROM entries WHERE kind = ? AND {column} = ? "
                "ORDER BY sort_key, iri LIMIT 50 OFFSET 0",
                (kind, "x"),
            )
        )
    assert f"{column}=?" in plan and "INDEX" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort of the matches


@pytest.mark.parametrize("batch", [7, 500])
@pytest.mark.parametrize("q", [None, "信息", "GB"])
def test_each_entry_gives_every_page_in_order(
    model: ReadModel, monkeypatch: pytest.MonkeyPatch, batch: int, q: str | None
) -> None:
    """A download reads in batches (each its own transaction, taken up after the last
    entry given): the same entries, in the same order, as one page of them all."""
    monkeypatch.setattr("registry.read.model._BATCH", batch)
    for kind, filters in (
        ("resource", {}),
        ("resource", {"openness": "open"}),
        ("standard", {"category": "3"}),
        ("interface", {}),
    ):
        whole = model.list_entries(kind, q=q, limit=EVERY, **filters).items
        # A resource comes with its data items too (a download has the 信息项 column).
        given = list(model.each_entry(kind, q=q, **filters))
        assert [{k: v for k, v in r.items() if k != "data_items"} for r in given] == whole
        assert all(("data_items" in r) == (kind == "resource") for r in given)
