"""Re-submitting a large document the registry has just registered, reading only
the statements that differ.

A department re-submits its 10,000-resource catalogue (40 MB of Turtle) with one
entry changed. registration.resubmit parses and hashes all of it again, which takes
seconds. Instead the registry keeps each large accepted document in this process
(up to `resubmit_keep_bytes`), with an index of its top-level statements: where
each ends, which subject it is about, which entry owns that subject, and each
entry's hash, publishers and register state after the write. A new document is
compared byte for byte with the kept ones; only the statements covering the bytes
that differ, and the statements of the entries they touch, are parsed.

The answer must be the one registration.resubmit gives for the whole document, so
this path gives up (returns None: the caller parses the whole document) whenever
it cannot show that:

- Turtle's tokens are found by one regular expression (strings, IRIs, comments,
  escapes); a statement ends at a `.` outside them followed by a space, `#` or the
  end. The bytes before the first difference tokenise the same in both documents,
  so the changed region starts at a statement boundary of both; it ends at a kept
  statement boundary inside the common suffix, and the new region must parse on
  its own (pyoxigraph, with the prefixes), so it ends at a boundary too and the
  suffix tokenises as before.
- Only documents whose directives are all `@prefix` lines before the first
  statement, defined once, with no `_:` labels (document-scoped blank nodes) and
  every statement's subject an IRI are kept; a change inside the prefixes gives up.
- The changed statements must keep the document's structure: the same typed
  entries and the same `scs:dataItem` links, so every node has the owner it had.
  Adding or removing an entry or a data item takes the whole-document path.
- Entries the diff did not touch keep their hash. If the store was written since
  (its generation moved), their states are read again; an untouched entry whose
  state no longer matches its hash is read from the document like a touched one
  (up to a twentieth of the entries; beyond that the whole-document path is as
  cheap).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from registry.inputs.oxparse import Triple, parse_triples
from registry.namespaces import SCS
from registry.register.submission import (
    ITEM_CLASSES,
    ItemState,
    Principal,
    SubmissionResult,
    _unchanged,
    check_publishers,
    document_spo,
    entry_hash,
    entry_kinds,
    finish_incremental,
    item_states,
    owned_triples,
)
from registry.store import Store
from registry.validation.validator import Progress, Validator

# Turtle's lexical tokens that may hold a '.', '#', quote or '>' (and N-Triples',
# a subset); a statement ends at a '.' outside all of them followed by a space, '#'
# or the end. Anything else (names, numbers, punctuation) is skipped over.
_TOKENS = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*"""'
    rb"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    rb'|"(?:[^"\\\r\n]|\\.)*"'
    rb"|'(?:[^'\\\r\n]|\\.)*'"
    rb"|<[^<>\"{}|^`\\\x00-\x20]*>"
    rb"|#[^\r\n]*"
    rb"|\\."
    rb"|(?P<end>\.)(?=[\s#]|\Z)",
    re.S,
)
_BLANK = re.compile(rb"(?:\s+|#[^\r\n]*)*")
_IRI = re.compile(rb"<([^<>\"{}|^`\\\x00-\x20]*)>")
_PNAME = re.compile(
    rb"([A-Za-z](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?:"
    rb"([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?(?=[\s<\[(\"';,])"
)
_PREFIX = re.compile(
    rb"@prefix\s+([A-Za-z](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?:\s*"
    rb"<([^<>\"{}|^`\\\x00-\x20]*)>\s*\.\Z"
)
_DIRECTIVE = re.compile(rb"@|(?i:prefix|base)\b")
_LABELLED_BNODE = b"_:"
INDEX_BYTES_PER_STATEMENT = 600


def statement_ends(data: bytes) -> list[int]:
    """The offset just after each top-level statement's final '.'."""
    return [m.end() for m in _TOKENS.finditer(data) if m.lastgroup]


@dataclass
class KeptDocument:
    """A registered document and its statement index. Statement i spans
    data[starts[i]:starts[i + 1]], leading blanks and comments included; starts[0]
    is the end of the prefixes and starts[-1] the end of the last statement."""

    data: bytes
    fmt: str
    prefixes: dict[bytes, bytes]
    starts: list[int]
    subjects: list[str]
    pieces_of: dict[str, list[int]]
    owner: dict[str, str]
    kinds: dict[URIRef, str]
    publishers: dict[URIRef, set[Node]]
    ignored: list[str]
    hashes: dict[URIRef, str]
    states: dict[str, ItemState]
    shapes_sha256: str
    generation: int

    @property
    def header(self) -> bytes:
        return self.data[: self.starts[0]]

    @property
    def approx_bytes(self) -> int:
        """Memory held: the document and its index, which measured about 600 bytes a
        statement (63 MiB for the 110,000 statements of 10,000 resources)."""
        return len(self.data) + INDEX_BYTES_PER_STATEMENT * len(self.starts)


def _subject(text: bytes, prefixes: dict[bytes, bytes]) -> str | None:
    """The IRI a statement is about, read from its first token; None for anything
    not an absolute IRI or a plain prefixed name (a blank node, a collection, a
    directive, an escape)."""
    at = _BLANK.match(text).end()  # type: ignore[union-attr]
    if text.startswith(b"<", at):
        match = _IRI.match(text, at)
        if match is None or b":" not in match.group(1):
            return None
        return match.group(1).decode("utf-8")
    match = _PNAME.match(text, at)
    if match is None:
        return None
    namespace = prefixes.get(match.group(1) or b"")
    if namespace is None:
        return None
    return (namespace + (match.group(2) or b"")).decode("utf-8")


def _index(data: bytes, fmt: str) -> tuple[dict[bytes, bytes], list[int], list[str]] | None:
    """Prefixes, statement starts and subjects of a whole document, or None when it
    is not one this module can diff safely."""
    if _LABELLED_BNODE in data:
        return None
    ends = statement_ends(data)
    if not ends or _BLANK.match(data, ends[-1]).end() != len(data):  # type: ignore[union-attr]
        return None
    prefixes: dict[bytes, bytes] = {}
    start, first = 0, 0
    for end in ends:
        text = data[start:end]
        lead = _BLANK.match(text).end()  # type: ignore[union-attr]
        if not _DIRECTIVE.match(text, lead):
            break
        match = _PREFIX.match(text, lead)
        name = match.group(1) or b"" if match else None
        if match is None or prefixes.get(name, match.group(2)) != match.group(2):
            return None  # @base, SPARQL-style PREFIX, a prefix defined twice
        prefixes[name] = match.group(2)  # type: ignore[index]
        start, first = end, first + 1
    starts = [start, *ends[first:]]
    subjects = _subjects(data, starts, prefixes)
    if subjects is None:
        return None
    return prefixes, starts, subjects


def _subjects(data: bytes, starts: list[int], prefixes: dict[bytes, bytes]) -> list[str] | None:
    subjects = []
    for i in range(len(starts) - 1):
        text = data[starts[i] : starts[i + 1]]
        if _DIRECTIVE.match(text, _BLANK.match(text).end()):  # type: ignore[union-attr]
            return None  # a directive after the first statement
        subject = _subject(text, prefixes)
        if subject is None:
            return None
        subjects.append(subject)
    return subjects


def _pieces_of(subjects: list[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for i, subject in enumerate(subjects):
        found.setdefault(subject, []).append(i)
    return found


def keep_document(
    data: bytes, fmt: str, triples: list[Triple], result: SubmissionResult
) -> KeptDocument | None:
    """The index of a document whose whole-document submission was just written, or
    None when it cannot be diffed safely (see the module's notes)."""
    if result.submission is None or result.generation is None:
        return None
    indexed = _index(data, fmt)
    if indexed is None:
        return None
    prefixes, starts, subjects = indexed
    spo = document_spo(triples)
    kinds = entry_kinds(spo)
    if not kinds:
        return None
    if set(subjects) != {str(s) for s in spo if isinstance(s, URIRef)}:
        return None  # the index does not account for every subject
    owner: dict[str, str] = {}
    owned: set[Node] = set()
    for entry in kinds:
        _raw, seen = owned_triples(entry, spo, kinds)
        owned |= seen
        nodes = [str(n) for n in seen if isinstance(n, URIRef)]
        for node in nodes:
            if owner.setdefault(node, str(entry)) != str(entry):
                return None  # a node two entries own
    unowned = [s for s in spo if s not in owned]
    if any(not isinstance(s, URIRef) for s in unowned):
        return None  # an ignored blank node: its label would change every time
    ignored = sorted(str(s) for s in unowned)
    hashes = {URIRef(item): sha for item, sha in result.entry_hashes.items()}
    if ignored != result.ignored_subjects or set(hashes) != set(kinds):
        return None
    publisher = URIRef(str(DCTERMS.publisher))
    return KeptDocument(
        data=data,
        fmt=fmt,
        prefixes=prefixes,
        starts=starts,
        subjects=subjects,
        pieces_of=_pieces_of(subjects),
        owner=owner,
        kinds=kinds,
        publishers={e: {o for p, o in spo[e] if p == publisher} for e in kinds},
        ignored=ignored,
        hashes=hashes,
        states=dict(result.states_after),
        shapes_sha256=result.report.shapes_sha256,
        generation=result.generation,
    )


def common_prefix(a: bytes, b: bytes, step: int = 1 << 16) -> int:
    """Length of the longest common prefix of a and b."""
    limit, done = min(len(a), len(b)), 0
    while done + step <= limit and a[done : done + step] == b[done : done + step]:
        done += step
    high = min(done + step, limit)
    while done < high:  # a[:done] == b[:done]; a difference lies in [done, high)
        middle = (done + high) // 2
        if a[done : middle + 1] == b[done : middle + 1]:
            done = middle + 1
        else:
            high = middle
    return done


def common_suffix(a: bytes, b: bytes, limit: int, step: int = 1 << 16) -> int:
    """Length of the longest common suffix of a and b, at most `limit`."""
    done = 0
    while (
        done + step <= limit
        and a[len(a) - done - step : len(a) - done] == b[len(b) - done - step : len(b) - done]
    ):
        done += step
    high = min(done + step, limit)
    while done < high:
        middle = (done + high) // 2
        if a[len(a) - middle - 1 : len(a) - done] == b[len(b) - middle - 1 : len(b) - done]:
            done = middle + 1
        else:
            high = middle
    return done


_RDF_TYPE = str(RDF.type)
_DATA_ITEM = str(SCS.dataItem)
_ITEM_CLASSES = {str(cls) for cls in ITEM_CLASSES}


def _structure(triples: Iterable[Triple]) -> set[tuple[str, str, str]]:
    """What decides the entries and their owners: typed entries and data-item links."""
    return {
        (str(s), str(p), str(o))
        for s, p, o in triples
        if isinstance(s, URIRef)
        and (
            (str(p) == _RDF_TYPE and str(o) in _ITEM_CLASSES)
            or (str(p) == _DATA_ITEM and isinstance(o, URIRef))
        )
    }


class _Document(dict):  # type: ignore[type-arg]
    """subject -> {(p, o)} of the new document, filled on first use from the
    statements about the subject: what registration's traversals read."""

    def __init__(self, view: _Diff, loaded: list[Triple]) -> None:
        super().__init__()
        self.view = view
        self.asked: set[str] = set()
        self.take(loaded)

    def take(self, triples: list[Triple]) -> None:
        for s, p, o in triples:
            self.setdefault(s, {})[(p, o)] = None

    def get(self, node: Node, default: Any = None) -> Any:
        if isinstance(node, URIRef) and str(node) not in self.asked:
            self.asked.add(str(node))
            self.take(self.view.triples_about(str(node)))
        return super().get(node, default)


@dataclass
class _Diff:
    """The new document as the kept one with statements first..last-1 replaced."""

    kept: KeptDocument
    data: bytes
    first: int
    last: int
    delta: int
    parsed_bytes: int = 0

    def text(self, i: int) -> bytes:
        starts = self.kept.starts
        shift = 0 if i < self.first else self.delta
        return self.data[starts[i] + shift : starts[i + 1] + shift]

    def parse(self, body: bytes) -> list[Triple] | None:
        self.parsed_bytes += len(body)
        return parse_triples(self.kept.header + body, self.kept.fmt, min_bytes=0)

    def triples_about(self, subject: str) -> list[Triple]:
        pieces = [
            self.text(i)
            for i in self.kept.pieces_of.get(subject, ())
            if i < self.first or i >= self.last
        ]
        if not pieces:
            return []
        found = self.parse(b"".join(pieces))
        if found is None:  # it parsed as part of the kept document: not expected
            raise _GiveUp(subject)
        return found


class _GiveUp(Exception):
    """The answer cannot be shown to be the whole-document path's; nothing written."""


class KeptDocuments:
    """The large documents this process registered last, for `resubmit`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._kept: list[KeptDocument] = []

    def __bool__(self) -> bool:
        return self.max_bytes > 0

    def add(self, kept: KeptDocument) -> None:
        """Keep a document first, dropping the oldest ones past `max_bytes`."""
        self._kept.insert(0, kept)
        total = 0
        for i, other in enumerate(self._kept):
            total += other.approx_bytes
            if total > self.max_bytes:
                del self._kept[i:]
                break

    def resubmit(
        self,
        store: Store,
        validator: Validator,
        source: tuple[bytes, str],
        principal: Principal,
        source_sha256: str,
        base_iri: str,
        report_max_results: int = 1000,
        progress: Progress | None = None,
    ) -> SubmissionResult | None:
        """registration.resubmit's answer for `data`, reading only what differs from
        the closest kept document; None when that cannot be shown to be the same
        answer (the caller then reads the whole document). `source` is the bytes
        and format (turtle, nt). The caller holds the write lock."""
        data, fmt = source
        best: tuple[int, KeptDocument, int] | None = None
        for kept in self._kept:
            if kept.fmt != fmt or kept.shapes_sha256 != validator.shapes.sha256:
                continue
            prefix = common_prefix(kept.data, data)
            suffix = common_suffix(kept.data, data, min(len(kept.data), len(data)) - prefix)
            if best is None or prefix + suffix > best[0]:
                best = (prefix + suffix, kept, prefix)
        if best is None:
            return None
        _same, kept, prefix = best
        suffix = _same - prefix
        diff = self._diff(kept, data, prefix, suffix)
        if diff is None:
            return None
        return self._resubmit(
            diff,
            store,
            validator,
            principal,
            source_sha256,
            base_iri,
            report_max_results,
            progress,
        )

    @staticmethod
    def _diff(kept: KeptDocument, data: bytes, prefix: int, suffix: int) -> _Diff | None:
        starts = kept.starts
        if prefix < starts[0]:
            return None  # a change among the prefixes
        count = len(starts) - 1
        # the first statement whose final '.' or the byte after it may differ
        first = bisect.bisect_left(starts, prefix, 1) - 1
        # the first statement starting in the common suffix
        last = bisect.bisect_left(starts, len(kept.data) - suffix, first)
        delta = len(data) - len(kept.data)
        if last > count:
            # The common suffix stops inside what follows the last statement: either
            # that text changed, or the suffix was cut short where it would overlap
            # the common prefix (the same document again, a repeated run of bytes).
            tail = starts[count]
            if tail + delta < starts[first] or kept.data[tail:] != data[tail + delta :]:
                return None  # a change after the last statement (comments only)
            last = count
        return _Diff(kept, data, first, last, delta)

    def _resubmit(
        self,
        diff: _Diff,
        store: Store,
        validator: Validator,
        principal: Principal,
        source_sha256: str,
        base_iri: str,
        report_max_results: int,
        progress: Progress | None,
    ) -> SubmissionResult | None:
        kept, first, last = diff.kept, diff.first, diff.last
        old_body = kept.data[kept.starts[first] : kept.starts[last]]
        new_body = diff.data[kept.starts[first] : kept.starts[last] + diff.delta]
        if _LABELLED_BNODE in new_body:
            return None
        new_triples = diff.parse(new_body)
        old_triples = parse_triples(kept.header + old_body, kept.fmt, min_bytes=0)
        if new_triples is None or old_triples is None:
            return None  # unreadable: the whole-document path reports it
        if _structure(new_triples) != _structure(old_triples):
            return None  # entries or data items added or removed
        # the new statements' boundaries and subjects, for the next re-submission
        ends = statement_ends(new_body)
        rest = _BLANK.match(new_body, ends[-1] if ends else 0).end()  # type: ignore[union-attr]
        if rest != len(new_body):
            return None
        offset = kept.starts[first]
        # the new statements' starts and where the next one (or the end) now starts;
        # blanks after the last new statement go with the kept statement that follows
        region_starts = [offset, *(offset + end for end in ends)]
        new_subjects = _subjects(diff.data, region_starts, kept.prefixes)
        if new_subjects is None:
            return None
        touched = set(kept.subjects[first:last]) | set(new_subjects)
        unowned = {s for s in touched if s not in kept.owner}
        if unowned and any(isinstance(t[0], BNode) for t in (*new_triples, *old_triples)):
            return None  # an ignored blank node's label changes with every parse
        ignored = set(kept.ignored)
        for subject in unowned:
            elsewhere = any(i < first or i >= last for i in kept.pieces_of.get(subject, ()))
            if elsewhere or subject in new_subjects:
                ignored.add(subject)
            else:
                ignored.discard(subject)

        kinds = kept.kinds
        states = kept.states
        if store.generation() != kept.generation:
            # Written since: states may have moved. A state that moved has a new
            # register record, whose subject is the item, so what the store says it
            # touched bounds what must be read again.
            touched_since = store.changes_since(kept.generation)
            stale = [
                str(entry)
                for entry in kinds
                if touched_since is None or str(entry) in touched_since
            ]
            fresh = item_states(store, stale)
            states = {k: v for k, v in states.items() if k not in stale or k in fresh}
            states.update(fresh)
        hashes = dict(kept.hashes)
        reread = {URIRef(kept.owner[s]) for s in touched if s in kept.owner}
        suspects = {
            entry
            for entry in kinds
            if entry not in reread
            and not _unchanged(states.get(str(entry)), hashes[entry], kept.shapes_sha256)
        }
        if len(suspects) > max(64, len(kinds) // 20):
            return None
        reread |= suspects

        raws: dict[URIRef, list[Triple]] = {}
        contents = {}
        publishers = dict(kept.publishers)
        publisher = URIRef(str(DCTERMS.publisher))
        try:
            document = _Document(diff, new_triples)
            document.asked.update(new_subjects)  # what the changed region says about them
            for subject in new_subjects:  # ... and their statements outside it
                document.take(diff.triples_about(subject))
            for entry in reread:
                raws[entry], _seen = owned_triples(entry, document, kinds)
                hashes[entry], content = entry_hash(entry, raws[entry])
                if content is not None:
                    contents[entry] = content
                publishers[entry] = {o for s, p, o in raws[entry] if s == entry and p == publisher}
        except _GiveUp:
            return None
        check_publishers(
            {entry: (kind, publishers[entry]) for entry, kind in kinds.items()}, principal
        )
        try:  # document reads happen before the write, which is finish_incremental's last step
            result = finish_incremental(
                store,
                validator,
                dict(kinds),
                raws,
                contents,
                hashes,
                states,
                document,
                sorted(ignored),
                principal,
                source_sha256,
                base_iri,
                report_max_results,
                progress,
            )
        except _GiveUp:
            return None
        result.report.extra["kept_document_bytes_parsed"] = diff.parsed_bytes
        if result.submission is not None and result.generation is not None:
            starts = [
                *kept.starts[:first],
                *region_starts,
                *(s + diff.delta for s in kept.starts[last + 1 :]),
            ]
            subjects = [*kept.subjects[:first], *new_subjects, *kept.subjects[last:]]
            # an edit inside statements leaves their order and subjects as they were
            same = new_subjects == kept.subjects[first:last]
            pieces_of = kept.pieces_of if same else _pieces_of(subjects)
            self._kept.remove(kept)
            self.add(
                KeptDocument(
                    data=diff.data,
                    fmt=kept.fmt,
                    prefixes=kept.prefixes,
                    starts=starts,
                    subjects=subjects,
                    pieces_of=pieces_of,
                    owner=kept.owner,
                    kinds=kinds,
                    publishers=publishers,
                    ignored=sorted(ignored),
                    hashes=hashes,
                    states=dict(result.states_after),
                    shapes_sha256=kept.shapes_sha256,
                    generation=result.generation,
                )
            )
        return result
