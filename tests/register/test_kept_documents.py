"""Re-submitting a kept document reads only what changed (registry.register.kept_documents),
and answers exactly as the whole-document path does: every scenario runs on two
registries, one keeping documents and one not, and compares results and stores."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from registry.config import Settings
from registry.errors import ForbiddenError, InputError
from registry.inputs.document import Document
from registry.inputs.oxparse import FAST_MIN_BYTES
from registry.namespaces import GRAPH_CURRENT, GRAPH_REGISTRY
from registry.register.kept_documents import common_prefix, common_suffix, statement_ends
from registry.register.submission import (
    REGISTRAR,
    Principal,
    SubmissionResult,
    skolemise,
    split_entries,
)
from registry.service import Registry
from synthetic.generate import generate_catalogue

PARSED = "kept_document_bytes_parsed"
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
    text, invalid = generate_catalogue(100, seed=3, invalid_ratio=0.0)
    assert not invalid and len(text.encode()) >= FAST_MIN_BYTES
    return text + TRICKY.format(first=_resources(text)[0])


def _resources(text: str) -> list[str]:
    """The resources in document order, each once (TRICKY names the first again)."""
    found = re.findall(r"^<(http://127.0.0.1:8000/id/resource/[^/>]+)>", text, re.M)
    return list(dict.fromkeys(found))


def _doc(text: str) -> list[Document]:
    return [Document("catalogue.ttl", text.encode("utf-8"), "turtle")]


def _answer(result: SubmissionResult) -> dict[str, Any]:
    extra = {k: v for k, v in result.report.extra.items() if k != PARSED}
    return {
        "accepted": result.accepted,
        "changes": [c.__dict__ for c in result.changes],
        "ignored": result.ignored_subjects,
        "extra": extra,
        "results": sorted(
            (r.focus, r.path or "", r.constraint, r.severity, r.message_en)
            for r in result.report.results
        ),
    }


class Pair:
    """The same submissions to a registry that keeps documents and one that does not."""

    def __init__(self, validator: Any) -> None:
        self.kept = Registry(Settings(store="memory", seed=True), validator=validator)
        self.plain = Registry(
            Settings(store="memory", seed=True, resubmit_keep_bytes=0), validator=validator
        )

    def submit(self, text: str, principal: Principal = REGISTRAR) -> SubmissionResult:
        kept = self.kept.submit(_doc(text), principal)
        plain = self.plain.submit(_doc(text), principal)
        assert PARSED not in plain.report.extra
        assert _answer(kept) == _answer(plain)
        return kept

    def both(self, action: Callable[[Registry], object]) -> None:
        action(self.kept)
        action(self.plain)

    def assert_same_stores(self) -> None:
        current = [set(r.store.read_graph(GRAPH_CURRENT)) for r in (self.kept, self.plain)]
        assert current[0] == current[1]
        scs = "https://w3id.org/smartcity-std#"
        query = f"""SELECT ?i ?s ?n WHERE {{ GRAPH <{GRAPH_REGISTRY}> {{
            ?i <{scs}registerStatus> ?s ; <{scs}currentVersion> ?v .
            ?v <{scs}versionNumber> ?n }} }}"""
        rows = [sorted(map(str, r.store.select(query))) for r in (self.kept, self.plain)]
        assert len(rows[0]) > 100 and rows[0] == rows[1]

    def close(self) -> None:
        self.kept.close()
        self.plain.close()

    def __enter__(self) -> Pair:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@pytest.fixture
def pair(validator: Any, catalogue: str) -> Iterator[Pair]:
    with Pair(validator) as both:
        first = both.submit(catalogue)
        assert first.accepted and len(both.kept.kept._kept) == 1
        yield both


def _between_statements(catalogue: str, text: str) -> str:
    """`text` put in before a resource's statement halfway through the document."""
    cut = catalogue.index("\n<http://127.0.0.1:8000/id/resource/", len(catalogue) // 2)
    return catalogue[:cut] + text + catalogue[cut:]


def _used_kept(result: SubmissionResult, catalogue: str, most: float = 0.05) -> bool:
    parsed = result.report.extra.get(PARSED)
    return parsed is not None and parsed <= most * len(catalogue.encode())


def test_one_changed_abstract_reads_a_few_statements(pair: Pair, catalogue: str) -> None:
    changed = re.sub(r'(dct:description ")', r"\1(修订) ", catalogue, count=1)
    second = pair.submit(changed)
    assert _used_kept(second, catalogue)
    assert [(c.outcome, c.version) for c in second.changes if c.outcome != "unchanged"] == [
        ("updated", 2)
    ]
    # the kept document is now the changed one: the same bytes again read nothing
    third = pair.submit(changed)
    assert third.report.extra[PARSED] == 0
    assert {c.outcome for c in third.changes} == {"unchanged"}
    # and going back is one entry again
    fourth = pair.submit(catalogue)
    assert _used_kept(fourth, catalogue)
    assert [c.version for c in fourth.changes if c.outcome != "unchanged"] == [3]
    pair.assert_same_stores()


def test_edits_far_apart_are_read_together(pair: Pair, catalogue: str) -> None:
    titles = [m.start() for m in re.finditer(r'dct:title "', catalogue)]
    first, last = titles[1], titles[-1]
    changed = (
        catalogue[:first]
        + catalogue[first:last].replace('dct:title "', 'dct:title "甲', 1)
        + catalogue[last:].replace('dct:title "', 'dct:title "乙', 1)
    )
    result = pair.submit(changed)
    assert PARSED in result.report.extra
    assert len([c for c in result.changes if c.outcome == "updated"]) == 2
    pair.assert_same_stores()


def test_an_edit_inside_a_multi_line_literal(pair: Pair, catalogue: str) -> None:
    changed = catalogue.replace("结束 .", "结束了 .\n# still inside .\n", 1)
    assert changed != catalogue
    result = pair.submit(changed)
    assert _used_kept(result, catalogue)
    assert [c.item for c in result.changes if c.outcome == "updated"] == [_resources(catalogue)[0]]
    # an edit to the statement about a subject no entry owns changes no entry
    ignored = pair.submit(changed.replace("a . b # c", "a . b . # c"))
    assert _used_kept(ignored, catalogue)
    assert "http://example.org/note" in ignored.ignored_subjects
    assert {c.outcome for c in ignored.changes} == {"unchanged"}
    pair.assert_same_stores()


def test_blank_lines_and_comments_change_nothing(pair: Pair, catalogue: str) -> None:
    changed = _between_statements(catalogue, "\n\n# 修订说明: none\n")
    result = pair.submit(changed)
    assert _used_kept(result, catalogue)
    assert {c.outcome for c in result.changes} == {"unchanged"}


def test_edits_next_to_repeated_bytes_and_after_the_last_statement(
    validator: Any, catalogue: str
) -> None:
    """Where the common prefix and suffix overlap (a byte added beside the same
    byte) the suffix is cut short; after the last statement only comments change."""
    with Pair(validator) as both:
        base = catalogue + "# end\n# end\n"
        assert both.submit(base).accepted
        doubled = both.submit(base.replace("a . b # c", "a . b # cc", 1))
        assert _used_kept(doubled, catalogue)
        back = both.submit(base)
        assert _used_kept(back, catalogue)
        tail = both.submit(catalogue + "# end\n")  # a comment after the last statement
        assert PARSED not in tail.report.extra
        assert {c.outcome for c in tail.changes} == {"unchanged"}
        both.assert_same_stores()


def test_a_new_unowned_statement_is_reported_as_ignored(pair: Pair, catalogue: str) -> None:
    changed = _between_statements(catalogue, '\n<http://example.org/stray> dct:title "x" .\n')
    result = pair.submit(changed)
    assert _used_kept(result, catalogue)
    assert "http://example.org/stray" in result.ignored_subjects
    back = pair.submit(catalogue)
    assert "http://example.org/stray" not in back.ignored_subjects


def test_a_broken_entry_is_rejected_and_the_kept_document_stays(pair: Pair, catalogue: str) -> None:
    broken = re.sub(
        r'dct:issued "(\d{4}-\d\d-\d\d)"\^\^xsd:date', r'dct:issued "\1"', catalogue, count=1
    )
    assert broken != catalogue
    rejected = pair.submit(broken)
    assert _used_kept(rejected, catalogue)
    assert not rejected.accepted and rejected.submission is None
    assert {r.severity for r in rejected.report.results} == {"Violation"}
    # nothing was written, so the kept document still describes the store
    again = pair.submit(catalogue)
    assert again.report.extra[PARSED] == 0
    assert {c.outcome for c in again.changes} == {"unchanged"}
    pair.assert_same_stores()


def test_a_new_data_item_takes_the_whole_document_path(pair: Pair, catalogue: str) -> None:
    item = re.search(r"scs:dataItem <([^>]+)/item/1> ;", catalogue)
    assert item is not None
    extra = f"scs:dataItem <{item.group(1)}/item/1> ;\n    scs:dataItem <{item.group(1)}/item/99> ;"
    changed = catalogue.replace(item.group(0), extra, 1)
    result = pair.submit(changed)
    assert PARSED not in result.report.extra
    pair.assert_same_stores()


def test_a_change_among_the_prefixes_takes_the_whole_document_path(
    pair: Pair, catalogue: str
) -> None:
    changed = "@prefix ex: <http://example.org/> .\n" + catalogue
    result = pair.submit(changed)
    assert PARSED not in result.report.extra


def test_a_syntax_error_is_reported_by_the_whole_document_path(pair: Pair, catalogue: str) -> None:
    broken = catalogue.replace('dct:title "', 'dct:title "unterminated', 1).replace(
        '"@zh ;', "@zh ;", 1
    )
    errors = []
    for registry in (pair.kept, pair.plain):
        with pytest.raises(InputError) as caught:
            registry.submit(_doc(broken), REGISTRAR)
        errors.append((caught.value.message, caught.value.details))
    assert errors[0] == errors[1]


def test_a_status_changed_since_is_read_again(pair: Pair, catalogue: str) -> None:
    other = _resources(catalogue)[-1]
    pair.both(lambda r: r.change_status(other, "deprecated", REGISTRAR))
    changed = re.sub(r'(dct:description ")', r"\1(修订) ", catalogue, count=1)
    result = pair.submit(changed)
    assert _used_kept(result, catalogue)  # the generation moved: states read again
    # the deprecated entry's content did not change: it keeps its status, unwritten
    assert [c.outcome for c in result.changes if c.item == other] == ["unchanged"]
    assert [c.item for c in result.changes if c.outcome == "updated"] == [_resources(catalogue)[0]]
    pair.assert_same_stores()


def test_another_departments_entries_are_refused(pair: Pair, catalogue: str) -> None:
    stranger = Principal(
        role="submitter", department=URIRef("http://127.0.0.1:8000/id/department/x"), name="x"
    )
    changed = re.sub(r'(dct:description ")', r"\1(修订) ", catalogue, count=1)
    for registry in (pair.kept, pair.plain):
        with pytest.raises(ForbiddenError):
            registry.submit(_doc(changed), stranger)


# -- the pieces ---------------------------------------------------------------------


def test_statements_split_where_pyoxigraph_reads_them(catalogue: str) -> None:
    data = catalogue.encode("utf-8")
    header_end = data.index(b"\n\n#")
    header, ends = data[:header_end], statement_ends(data)
    directives = [e for e in ends if e <= header_end]
    starts = [directives[-1], *[e for e in ends if e > header_end]]
    assert len(starts) > 1000
    whole = set(ox.parse(data, format=ox.RdfFormat.TURTLE))
    pieces: set[ox.Triple] = set()
    for start, end in itertools.pairwise(starts):
        found = set(ox.parse(header + data[start:end], format=ox.RdfFormat.TURTLE))
        assert found, data[start:end]
        pieces |= found
    assert pieces == whole


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (b"", b""),
        (b"abc", b"abc"),
        (b"abc", b"abd"),
        (b"xabc", b"abc"),
        (bytes(range(256)) * 700, bytes(range(256)) * 300 + b"!" + bytes(range(256)) * 400),
    ],
)
def test_common_prefix_and_suffix(a: bytes, b: bytes) -> None:
    def naive_prefix(x: bytes, y: bytes) -> int:
        n = 0
        while n < min(len(x), len(y)) and x[n] == y[n]:
            n += 1
        return n

    prefix = common_prefix(a, b, step=64)
    assert prefix == naive_prefix(a, b)
    limit = min(len(a), len(b)) - prefix
    assert common_suffix(a, b, limit, step=64) == min(naive_prefix(a[::-1], b[::-1]), limit)


def test_the_kept_path_on_every_store_back_end(registry: Registry, catalogue: str) -> None:
    """Remote stores cannot say what was written since (changes_since is None): every
    state is read again, and the answer is still the whole-document path's."""
    resources = _resources(catalogue)
    assert registry.submit(_doc(catalogue), REGISTRAR).accepted
    registry.change_status(resources[-1], "deprecated", REGISTRAR)  # the generation moves
    changed = re.sub(r'(dct:description ")', r"\1(修订) ", catalogue, count=1)
    second = registry.submit(_doc(changed), REGISTRAR)
    assert _used_kept(second, catalogue)
    assert [c.item for c in second.changes if c.outcome == "updated"] == [resources[0]]
    assert [c.outcome for c in second.changes if c.item == resources[-1]] == ["unchanged"]
    item = URIRef(resources[0])
    entries, _ignored = split_entries(Graph().parse(data=changed, format="turtle"))
    assert isomorphic(registry.show(str(item)), skolemise(item, entries[item][1]))


def test_documents_over_the_limit_are_not_kept(validator: Any, catalogue: str) -> None:
    size = len(catalogue.encode("utf-8"))
    with Registry(
        Settings(store="memory", seed=True, resubmit_keep_bytes=size), validator=validator
    ) as registry:
        assert registry.submit(_doc(catalogue), REGISTRAR).accepted
        # the document fits, its index does not
        assert registry.kept._kept == []
        changed = re.sub(r'(dct:description ")', r"\1(修订) ", catalogue, count=1)
        again = registry.submit(_doc(changed), REGISTRAR)
        assert again.accepted and PARSED not in again.report.extra


def _submit_both(pair: Pair, text: str) -> SubmissionResult | None:
    """Pair.submit, or the same error from both registries (None then)."""
    errors = []
    results = []
    for registry in (pair.kept, pair.plain):
        try:
            results.append(registry.submit(_doc(text), REGISTRAR))
        except Exception as exc:  # the whole-document path's error, compared below
            errors.append((type(exc).__name__, str(exc)))
    if errors:
        assert len(errors) == 2 and errors[0] == errors[1], errors
        return None
    assert _answer(results[0]) == _answer(results[1])
    return results[0]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_answer_as_the_whole_document_path(
    validator: Any, catalogue: str, seed: int
) -> None:
    """Byte-level edits anywhere (spans cut, doubled, or punctuation and quotes put
    in): every answer, error or store is the whole-document path's."""
    import random

    rng = random.Random(seed)
    snippets = [" ", "\n", "#x\n", ".", " .", '"', "'", "<", ">", "a", "修", ";", "\\"]
    with Pair(validator) as both:
        text = catalogue
        assert both.submit(text).accepted
        used = accepted = 0
        for step in range(16):
            if step % 2:  # anywhere
                at = rng.randrange(len(text))
            else:  # inside a title or an abstract: more edits that still register
                literals = [m.end() for m in re.finditer(r'dct:(?:title|description) "', text)]
                at = rng.choice(literals) + rng.randrange(4)
            span = rng.randrange(1, 40)
            edit = rng.randrange(3)
            if edit == 0:
                edited = text[:at] + text[at + span :]
            elif edit == 1:
                edited = text[:at] + text[at : at + span] + text[at:]
            else:
                edited = text[:at] + rng.choice(snippets) + text[at:]
            result = _submit_both(both, edited)
            if result is not None:
                used += PARSED in result.report.extra
            if result is not None and result.accepted:
                text = edited  # the registered document is the next one's base
                accepted += 1
        both.assert_same_stores()
        assert used >= 3 and accepted >= 3
