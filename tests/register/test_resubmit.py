"""Re-submission through the one submit path (registry.register.submission.submit): each
entry is hashed and compared with the register, so only the changed entries are
validated and written, in any process and on any store back end, with the results
and the stored versions a first submission of the same document would give."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from registry.config import Settings
from registry.errors import ForbiddenError, InputError
from registry.inputs.document import Document
from registry.namespaces import GRAPH_REGISTRY, SCS
from registry.register.submission import (
    REGISTRAR,
    Principal,
    SubmissionResult,
    skolemise,
    split_entries,
)
from registry.service import Registry
from registry.store import open_store
from synthetic.generate import generate_catalogue
from tests.conftest import EXAMPLES, ROOT

BASE = "http://127.0.0.1:8000/id/"
# Statements whose literals and names hold what a naive split on " ." would cut.
TRICKY = '''
<{first}> skos:note """多行摘要 .
# not a comment <http://example.org/not-an-iri> .
它以 "引号" 与 '单引号' 结束 ."""@zh .
<http://example.org/note> <http://example.org/says> "a . b # c \\" . d" , 'e . f' ;
    <http://example.org/local> cat:odd\\.name\\#x .
'''


@pytest.fixture(scope="module")
def catalogue() -> str:
    text, invalid = generate_catalogue(100, seed=2, invalid_ratio=0.0)
    assert not invalid
    return text + TRICKY.format(first=_resources(text)[0])


def _resources(text: str) -> list[str]:
    """The resources in document order, each once (TRICKY names the first again)."""
    found = re.findall(r"^<(http://127.0.0.1:8000/id/resource/[^/>]+)>", text, re.M)
    return list(dict.fromkeys(found))


def _doc(text: str) -> list[Document]:
    return [Document("catalogue.ttl", text.encode("utf-8"), "turtle")]


def _keys(report: object) -> set[tuple[str, str | None, str, str, str | None, str, str]]:
    return {
        (r.focus, r.path, r.constraint, r.severity, r.value, r.message_zh, r.message_en)
        for r in report.results  # type: ignore[attr-defined]
    }


def _written(result: SubmissionResult) -> list[tuple[str, str, int]]:
    return [(c.item, c.outcome, c.version) for c in result.changes if c.outcome != "unchanged"]


def _quads(registry: Registry) -> set[bytes]:
    return set(registry.store.dump("nquads").splitlines())


def _as_registered(text: str, item: str) -> Graph:
    """What a first submission of `text` registers for `item`, read by rdflib."""
    entries, _ignored = split_entries(Graph().parse(data=text, format="turtle"))
    return skolemise(URIRef(item), entries[URIRef(item)][1])


def _abstract_changed(text: str) -> str:
    return re.sub(r'(dct:description ")', r"\1(修订) ", text, count=1)


@pytest.fixture
def registered(validator: Any, catalogue: str) -> Iterator[Registry]:
    """A memory registry that has registered the catalogue."""
    with Registry(Settings(store="memory", seed=True), validator=validator) as registry:
        first = registry.submit(_doc(catalogue), REGISTRAR)
        assert first.accepted and first.report.extra["skipped_entries"] == 0
        assert {c.outcome for c in first.changes} == {"new"}
        yield registry


def test_one_changed_entry_is_validated_and_written_alone(
    registered: Registry, catalogue: str
) -> None:
    entries = len(split_entries(Graph().parse(data=catalogue, format="turtle"))[0])
    changed = _abstract_changed(catalogue)
    second = registered.submit(_doc(changed), REGISTRAR)
    assert second.accepted
    item = _resources(catalogue)[0]
    assert _written(second) == [(item, "updated", 2)]
    assert len(second.changes) == entries
    assert second.report.extra["skipped_entries"] == entries - 1
    assert second.as_dict()["skipped_entries"] == entries - 1
    # the version written is the one a first submission of the document writes
    assert isomorphic(registered.show(item), _as_registered(changed, item))
    # the same document again writes nothing and validates nothing
    third = registered.submit(_doc(changed), REGISTRAR)
    assert third.accepted and {c.outcome for c in third.changes} == {"unchanged"}
    assert third.report.extra["skipped_entries"] == entries
    # and going back is one entry again
    fourth = registered.submit(_doc(catalogue), REGISTRAR)
    assert _written(fourth) == [(item, "updated", 3)]


def test_a_broken_entry_is_rejected_with_the_full_paths_results(
    registered: Registry, catalogue: str
) -> None:
    # one resource loses its issue date's datatype: a Violation
    broken = re.sub(
        r'dct:issued "(\d{4}-\d\d-\d\d)"\^\^xsd:date', r'dct:issued "\1"', catalogue, count=1
    )
    assert broken != catalogue
    before = _quads(registered)
    second = registered.submit(_doc(broken), REGISTRAR)
    assert not second.accepted and second.submission is None
    assert _quads(registered) == before
    # the whole graph validated with the unchanged entries skipped gives the same results
    full = Graph().parse(data=broken, format="turtle")
    entries, _ignored = split_entries(full)
    changed = {URIRef(r.entry) for r in second.report.results}
    assert len(changed) == 1
    expected = registered.validator.validate(
        full, registered.store, skip=[e for e in entries if e not in changed]
    )
    assert _keys(second.report) == _keys(expected)
    assert {r.severity for r in second.report.results} == {"Violation"}
    # nothing was written: the registered document is still unchanged
    again = registered.submit(_doc(catalogue), REGISTRAR)
    assert {c.outcome for c in again.changes} == {"unchanged"}


def test_edits_far_apart_write_their_two_entries(registered: Registry, catalogue: str) -> None:
    titles = [m.start() for m in re.finditer(r'dct:title "', catalogue)]
    first, last = titles[1], titles[-1]
    changed = (
        catalogue[:first]
        + catalogue[first:last].replace('dct:title "', 'dct:title "甲', 1)
        + catalogue[last:].replace('dct:title "', 'dct:title "乙', 1)
    )
    result = registered.submit(_doc(changed), REGISTRAR)
    assert len([c for c in result.changes if c.outcome == "updated"]) == 2


def test_an_edit_inside_a_multi_line_literal(registered: Registry, catalogue: str) -> None:
    changed = catalogue.replace("结束 .", "结束了 .\n# still inside .\n", 1)
    assert changed != catalogue
    result = registered.submit(_doc(changed), REGISTRAR)
    item = _resources(catalogue)[0]
    assert [c.item for c in result.changes if c.outcome == "updated"] == [item]
    assert isomorphic(registered.show(item), _as_registered(changed, item))
    # an edit to the statement about a subject no entry owns changes no entry
    ignored = registered.submit(_doc(changed.replace("a . b # c", "a . b . # c")), REGISTRAR)
    assert "http://example.org/note" in ignored.ignored_subjects
    assert {c.outcome for c in ignored.changes} == {"unchanged"}


def test_layout_prefixes_and_comments_change_nothing(registered: Registry, catalogue: str) -> None:
    cut = catalogue.index("\n<http://127.0.0.1:8000/id/resource/", len(catalogue) // 2)
    commented = catalogue[:cut] + "\n\n# 修订说明: none\n" + catalogue[cut:]
    prefixed = "@prefix ex: <http://example.org/> .\n" + commented
    for text in (commented, prefixed, catalogue + "# end\n"):
        result = registered.submit(_doc(text), REGISTRAR)
        assert {c.outcome for c in result.changes} == {"unchanged"}


def test_a_new_unowned_statement_is_reported_as_ignored(
    registered: Registry, catalogue: str
) -> None:
    cut = catalogue.index("\n<http://127.0.0.1:8000/id/resource/", len(catalogue) // 2)
    stray = '\n<http://example.org/stray> <http://purl.org/dc/terms/title> "x" .\n'
    result = registered.submit(_doc(catalogue[:cut] + stray + catalogue[cut:]), REGISTRAR)
    assert "http://example.org/stray" in result.ignored_subjects
    assert {c.outcome for c in result.changes} == {"unchanged"}
    back = registered.submit(_doc(catalogue), REGISTRAR)
    assert "http://example.org/stray" not in back.ignored_subjects


def test_a_new_data_item_writes_its_resource(registered: Registry, catalogue: str) -> None:
    item = re.search(r"scs:dataItem <([^>]+)/item/1> ;", catalogue)
    assert item is not None
    resource = item.group(1)
    new_item = f"scs:dataItem <{resource}/item/1> ;\n    scs:dataItem <{resource}/item/99> ;"
    described = (
        f'\n<{resource}/item/99> a scs:DataItem ; scs:itemName "新增信息项"@zh ;\n'
        '    scs:itemCode "DE09999" ; scs:dataType dtype:C ; scs:position 99 .\n'
    )
    changed = catalogue.replace(item.group(0), new_item, 1) + described
    result = registered.submit(_doc(changed), REGISTRAR)
    assert result.accepted, [r.as_dict() for r in result.report.results]
    assert _written(result) == [(resource, "updated", 2)]
    assert isomorphic(registered.show(resource), _as_registered(changed, resource))


def test_a_syntax_error_is_reported_with_its_line(registered: Registry, catalogue: str) -> None:
    broken = catalogue.replace('dct:title "', 'dct:title "unterminated', 1).replace(
        '"@zh ;', "@zh ;", 1
    )
    with pytest.raises(InputError) as caught:
        registered.submit(_doc(broken), REGISTRAR)
    assert caught.value.details["file"] == "catalogue.ttl" and caught.value.details["line"] > 1


def test_a_status_changed_since_is_kept(registered: Registry, catalogue: str) -> None:
    other = _resources(catalogue)[-1]
    registered.change_status(other, "deprecated", REGISTRAR)
    result = registered.submit(_doc(_abstract_changed(catalogue)), REGISTRAR)
    # the deprecated entry's content did not change: it keeps its status, unwritten,
    # but it is validated again (its state is no longer the one validated)
    assert [c.outcome for c in result.changes if c.item == other] == ["unchanged"]
    assert [c.item for c in result.changes if c.outcome == "updated"] == [_resources(catalogue)[0]]
    assert result.report.extra["skipped_entries"] == len(result.changes) - 2
    assert [v.status for v in registered.history(other)] == ["valid", "deprecated"]


def test_another_departments_entries_are_refused_on_re_submission(
    registered: Registry, catalogue: str
) -> None:
    """The ownership rule holds whether the entries are registered already or not."""
    stranger = Principal(role="submitter", department=URIRef(f"{BASE}department/x"), name="x")
    before = _quads(registered)
    for text in (catalogue, _abstract_changed(catalogue)):
        with pytest.raises(ForbiddenError):
            registered.submit(_doc(text), stranger)
    assert _quads(registered) == before


def test_re_submission_on_every_store_back_end(registry: Registry, catalogue: str) -> None:
    resources = _resources(catalogue)
    assert registry.submit(_doc(catalogue), REGISTRAR).accepted
    registry.change_status(resources[-1], "deprecated", REGISTRAR)  # the generation moves
    changed = _abstract_changed(catalogue)
    second = registry.submit(_doc(changed), REGISTRAR)
    assert [c.item for c in second.changes if c.outcome == "updated"] == [resources[0]]
    assert [c.outcome for c in second.changes if c.item == resources[-1]] == ["unchanged"]
    assert isomorphic(registry.show(resources[0]), _as_registered(changed, resources[0]))


def test_a_spreadsheet_re_submission_validates_its_changed_row_with_locations(
    registered: Registry,
) -> None:
    """A SubmissionGraph takes the same path: the seeded catalogue as CSV is unchanged;
    one abstract edited is one entry; a bad cell is reported at its row and column."""
    text = (EXAMPLES / "catalogue-valid.csv").read_bytes().decode("gb18030")

    def submit(csv: str) -> SubmissionResult:
        return registered.submit([Document("catalogue.csv", csv.encode("gb18030"))], REGISTRAR)

    same = submit(text)
    assert same.accepted and {c.outcome for c in same.changes} == {"unchanged"}
    assert same.report.extra["skipped_entries"] == len(same.changes)
    changed = submit(text.replace("全市户籍人口", "全市户籍人口(修订)", 1))
    assert _written(changed) == [(f"{BASE}resource/101001-000001", "updated", 2)]
    assert changed.report.extra["skipped_entries"] == len(same.changes) - 1
    rejected = submit(text.replace(",2025-03-18,", ",2025-13-45,", 1))
    assert not rejected.accepted
    locations = {tuple(sorted(dict(r.location))) for r in rejected.report.results}
    assert locations and all("row" in keys for keys in locations)


def _register(path: Path, store: Path) -> str:
    """`screg register` in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "registry.cli", "register", str(path), "--store", str(store)],
        capture_output=True,
        text=True,
        env={**os.environ, "SCREG_SEED": "false"},
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.slow
def test_a_new_process_validates_and_writes_only_the_changed_entry(
    tmp_path: Path, seeded_dump: bytes
) -> None:
    """Nothing is kept in a process: a second `screg register` of the catalogue with
    one entry changed validates and writes that entry only."""
    store_path = tmp_path / "store"
    with open_store(str(store_path)) as store:
        store.load_dump(seeded_dump, "nquads")
    text, _invalid = generate_catalogue(60, seed=7, invalid_ratio=0.0)
    entries = len(split_entries(Graph().parse(data=text, format="turtle"))[0])
    path = tmp_path / "catalogue.ttl"
    path.write_text(text, encoding="utf-8")
    first = _register(path, store_path)
    assert f"{entries} new" in first and "not validated again" not in first
    path.write_text(_abstract_changed(text), encoding="utf-8")
    second = _register(path, store_path)
    assert f"{entries - 1} unchanged, 1 updated" in second
    assert f"{entries - 1} not validated again (skipped_entries" in second
    with open_store(str(store_path)) as store:
        rows = store.select(
            f"SELECT ?item (COUNT(?v) AS ?n) WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{ "
            f"?v <{SCS.versionOf}> ?item }} }} GROUP BY ?item HAVING (COUNT(?v) > 1)"
        )
    assert [(str(r["item"]), int(r["n"])) for r in rows] == [(_resources(text)[0], 2)]


# Literals whose N-Triples text rdflib writes its own way: escapes (a tab and other
# control characters are written raw, a backslash, quotes and line ends escaped),
# lexical forms it normalises ("01"^^xsd:integer), an empty literal (false in Python).
ODD_LITERALS = """
<{first}> skos:note "tab\\there" , "bell\\u0007 and \\\\ and \\"q\\"" , "line\\nend\\r" ,
    "" , ""@en , "01"^^xsd:integer , "2024-02-29"^^xsd:date , "1.50"^^xsd:decimal .
"""


def test_a_shared_term_text_hashes_as_rdflibs_serializer(catalogue: str) -> None:
    """The hash of an entry is of the bytes rdflib's N-Triples serializer writes, read
    from pyoxigraph or from rdflib's parser, with one TermTexts for the whole document
    or one per entry: a first registration and a re-submission must agree, and the
    versions registered before the texts were shared must still match."""
    from registry.inputs.oxparse import parse_triples
    from registry.register.submission import TermTexts, canonical_ntriples, content_sha256

    text = catalogue + ODD_LITERALS.format(first=_resources(catalogue)[0])
    graph = Graph().parse(data=text, format="turtle")
    serialized = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
    assert canonical_ntriples(graph) == b"".join(sorted(set(serialized) - {b"\n"}))
    parsed = parse_triples(text.encode("utf-8"), "turtle")
    assert parsed is not None  # read by pyoxigraph, not given back to rdflib
    from_ox, _ignored = split_entries(parsed)
    from_rdflib, _ignored = split_entries(graph)
    assert from_ox.keys() == from_rdflib.keys()
    shared = TermTexts()
    for entry, (_kind, triples) in from_ox.items():
        expected = content_sha256(from_rdflib[entry][1])
        assert content_sha256(triples, shared) == expected == content_sha256(triples)


def test_a_fresh_registry_over_the_store_writes_one_version_and_validates_one_entry(
    tmp_path: Path, validator: Any, catalogue: str
) -> None:
    """Nothing of the first submission is kept by the object that made it: another
    Registry over the same store finds the 99 unchanged entries by their hashes in
    the register alone, validates and writes the changed one."""
    settings = Settings(store=str(tmp_path / "store"), seed=True)
    with Registry(settings, validator=validator) as first:
        assert first.submit(_doc(catalogue), REGISTRAR).accepted
    entries = len(split_entries(Graph().parse(data=catalogue, format="turtle"))[0])
    item = _resources(catalogue)[0]
    with Registry(settings, validator=validator) as fresh:
        second = fresh.submit(_doc(_abstract_changed(catalogue)), REGISTRAR)
        assert second.accepted
        assert _written(second) == [(item, "updated", 2)]
        assert second.report.extra["skipped_entries"] == entries - 1
        rows = fresh.store.select(
            f"SELECT ?v WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{ ?v <{SCS.versionOf}> ?item }} }}",
            {"item": URIRef(item)},
        )
        assert len(rows) == 2
        versions = fresh.store.select(
            f"SELECT (COUNT(?v) AS ?n) WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{ "
            f"?v <{SCS.versionOf}> ?item }} }}"
        )
    # one version per entry, and the changed entry's second one: nothing else written
    seeded = Registry(Settings(store="memory", seed=True), validator=validator)
    with seeded:
        before = int(
            seeded.store.select(
                f"SELECT (COUNT(?v) AS ?n) WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{ "
                f"?v <{SCS.versionOf}> ?item }} }}"
            )[0]["n"]
        )
    assert int(versions[0]["n"]) == before + entries + 1
