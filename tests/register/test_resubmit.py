"""Re-submission of a large document with one entry changed (registration.resubmit):
only the changed entry is made into an rdflib graph, validated and written, with the
results and the stored version the full path gives."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from registry.config import Settings
from registry.inputs.document import Document
from registry.inputs.oxparse import FAST_MIN_BYTES
from registry.register.submission import REGISTRAR, skolemise, split_entries
from registry.service import Registry
from synthetic.generate import generate_catalogue


@pytest.fixture(scope="module")
def catalogue() -> str:
    text, invalid = generate_catalogue(100, seed=2, invalid_ratio=0.0)
    assert not invalid and len(text.encode()) >= FAST_MIN_BYTES  # pyoxigraph reads it
    return text


def _doc(text: str) -> list[Document]:
    return [Document("catalogue.ttl", text.encode("utf-8"), "turtle")]


def _keys(report: object) -> set[tuple[str, str | None, str, str, str | None, str, str]]:
    return {
        (r.focus, r.path, r.constraint, r.severity, r.value, r.message_zh, r.message_en)
        for r in report.results  # type: ignore[attr-defined]
    }


def test_one_changed_entry_is_validated_and_written_alone(validator, catalogue: str) -> None:
    with Registry(Settings(store="memory", seed=True), validator=validator) as registry:
        first = registry.submit(_doc(catalogue), REGISTRAR)
        assert first.accepted and not first.report.extra.get("incremental")
        changed = re.sub(r'(dct:description ")', r"\1(修订) ", catalogue, count=1)
        second = registry.submit(_doc(changed), REGISTRAR)
        assert second.accepted and second.report.extra["incremental"]
        written = [c for c in second.changes if c.outcome != "unchanged"]
        assert [(c.outcome, c.version) for c in written] == [("updated", 2)]
        assert len(second.changes) == len(first.changes)
        assert second.report.extra["skipped_entries"] == len(first.changes) - 1
        # the version written is the one the full path writes
        item = URIRef(written[0].item)
        full = Graph().parse(data=changed, format="turtle")
        entries, _ignored = split_entries(full)
        assert isomorphic(registry.show(str(item)), skolemise(item, entries[item][1]))
        # the same document again writes nothing
        third = registry.submit(_doc(changed), REGISTRAR)
        assert third.accepted and all(c.outcome == "unchanged" for c in third.changes)


def test_a_broken_entry_is_rejected_with_the_full_paths_results(validator, catalogue: str) -> None:
    with Registry(Settings(store="memory", seed=True), validator=validator) as registry:
        assert registry.submit(_doc(catalogue), REGISTRAR).accepted
        # one resource loses its issue date's datatype: a Violation
        broken = re.sub(
            r'dct:issued "(\d{4}-\d\d-\d\d)"\^\^xsd:date', r'dct:issued "\1"', catalogue, count=1
        )
        assert broken != catalogue
        second = registry.submit(_doc(broken), REGISTRAR)
        assert not second.accepted and second.report.extra["incremental"]
        assert second.submission is None
        # the full path: the whole graph validated, the unchanged entries skipped
        full = Graph().parse(data=broken, format="turtle")
        entries, _ignored = split_entries(full)
        changed = {URIRef(r.entry) for r in second.report.results}
        assert len(changed) == 1
        expected = registry.validator.validate(
            full, registry.store, skip=[e for e in entries if e not in changed]
        )
        assert _keys(second.report) == _keys(expected)
        assert {r.severity for r in second.report.results} == {"Violation"}
