"""The reference the read model is checked against: every record built at once with
`queries.build_records` (the model's own builder) and filtered, counted and paged in
plain Python, the way the registry answered before it had a read model. Slow (it reads
every entry) and obviously right: what the model answers with SQL must equal it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from registry.bilingual import Text
from registry.errors import NotFoundError
from registry.namespaces import SCS
from registry.read.filters import LEVEL, REGISTER_STATUS, STATUS
from registry.read.queries import (
    KINDS,
    REFERENCE_KEYS,
    REFERRING_KINDS,
    Concept,
    Page,
    build_records,
    category_codes_under,
    category_node,
    category_tree_of,
    code_filter,
    data_items_of,
    load_concepts,
    resolve_any,
    search_needles,
    search_texts,
    standard_summary,
    texts_match,
)
from registry.register.submission import read_version
from registry.store import Store


@dataclass
class Snapshot:
    """Every entry of every kind as API records, for one store generation."""

    concepts: dict[str, Concept]
    records: dict[str, list[dict[str, Any]]]  # kind name -> records sorted by id
    by_iri: dict[str, dict[str, Any]]
    referrers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        referrers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for kind in REFERRING_KINDS:
            for record in self.records.get(kind, []):
                by: dict[str, list[str]] = defaultdict(list)
                for key in REFERENCE_KEYS:
                    for ref in record.get(key) or []:
                        if key not in by[ref["iri"]]:
                            by[ref["iri"]].append(key)
                for target, keys in by.items():
                    referrers[target].append(
                        {
                            "iri": record["iri"],
                            "kind": kind,
                            "id": record["id"],
                            "href": record["href"],
                            "by": keys,
                        }
                    )
        self.referrers = dict(referrers)


def load_snapshot(store: Store) -> Snapshot:
    concepts = load_concepts(store)
    built = build_records(store, concepts)
    # A subject of several kinds is found under its last kind's record.
    by_iri = {r["iri"]: r for name in KINDS for r in built.records[name]}
    return Snapshot(concepts, built.records, by_iri)


def _page(records: list[dict[str, Any]], limit: int, offset: int) -> Page:
    return Page(len(records), limit, offset, records[offset : offset + limit])


def _matching(records: list[dict[str, Any]], q: str) -> list[dict[str, Any]]:
    needles = search_needles(q)
    return [r for r in records if texts_match(needles, search_texts(r))]


class SnapshotAnswers:
    """The reference answers over one snapshot, with the read model's method names."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.snap = load_snapshot(store)

    def entry(self, kind: str, ident: str) -> dict[str, Any]:
        """The entry's answer as the registry gave it before the read model held it: its
        list record, named by the store's resolver; a resource's data items read from
        its current version graph; a standard's referrers from every record."""
        iri = resolve_any(self.store, ident)
        found = [r for r in self.snap.records[kind] if r["iri"] == iri]
        if not found:
            raise NotFoundError(Text(zh=f"没有 {ident!r}", en=f"no {kind} {ident!r}"))
        answer = dict(found[0])
        # Each cited or conformed-to standard with its own status now, from its record.
        statuses = {
            r["iri"]: r["status"]["code"]
            for r in self.snap.records["standard"]
            if isinstance(r.get("status"), dict)
        }
        for key in ("dated_references", "undated_references", "conforms_to"):
            if isinstance(answer.get(key), list):
                answer[key] = [
                    {**ref, "status": statuses[ref["iri"]]}
                    if isinstance(ref, dict)
                    and ref.get("kind") == "standard"
                    and ref.get("iri") in statuses
                    else ref
                    for ref in answer[key]
                ]
        if kind == "resource":
            version = read_version(self.store, iri)
            nodes = list(version.objects(URIRef(iri), SCS.dataItem))
            items = data_items_of(self.store, {iri: nodes}, self.snap.concepts)
            answer["data_items"] = items[iri]
        if kind == "standard":
            answer["referenced_by"] = self.snap.referrers.get(iri, [])
        if kind == "department":
            answer["provides"] = next(d for d in self.departments() if d["iri"] == iri)["provides"]
        return answer

    def search_standards(
        self,
        *,
        category: str | None = None,
        status: str | None = None,
        register_status: str | None = None,
        level: str | None = None,
        q: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page:
        snap = self.snap
        records = snap.records["standard"]
        if category is not None:
            codes = category_codes_under(snap.concepts, category)
            records = [r for r in records if any(c["code"] in codes for c in r["categories"])]
        if status is not None:
            code_filter(snap.concepts, SCS.StandardStatuses, status, "status", STATUS.zh)
            records = [r for r in records if r["status"] and r["status"]["code"] == status]
        if level is not None:
            code_filter(snap.concepts, SCS.StandardLevels, level, "level", LEVEL.zh)
            records = [r for r in records if r["level"] and r["level"]["code"] == level]
        if register_status is not None:
            code_filter(
                snap.concepts,
                SCS.RegisterStatuses,
                register_status,
                "register_status",
                REGISTER_STATUS.zh,
            )
            records = [r for r in records if r["register"]["status"] == register_status]
        if q:
            records = _matching(records, q)
        return _page(records, limit, offset)

    def list_entries(
        self,
        kind: str,
        *,
        q: str | None = None,
        publisher: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page:
        records = self.snap.records[kind]
        if publisher is not None:
            records = [
                r
                for r in records
                if r.get("publisher") and r["publisher"].get("id") == publisher.strip()
            ]
        if q:
            records = _matching(records, q)
        return _page(records, limit, offset)

    def departments(self) -> list[dict[str, Any]]:
        provided: dict[str, dict[str, int]] = defaultdict(lambda: {"resources": 0, "interfaces": 0})
        for kind, key in (("resource", "resources"), ("interface", "interfaces")):
            for record in self.snap.records[kind]:
                if record.get("publisher"):
                    provided[record["publisher"]["iri"]][key] += 1
        return [{**r, "provides": provided[r["iri"]]} for r in self.snap.records["department"]]

    def category_tree(self) -> list[dict[str, Any]]:
        return category_tree_of(self.snap.concepts, self.snap.records["standard"])

    def category(self, code: str) -> dict[str, Any]:
        codes = category_codes_under(self.snap.concepts, code)  # NotFoundError first
        found = category_node(self.category_tree(), code)
        standards = [
            standard_summary(r)
            for r in self.snap.records["standard"]
            if any(c["code"] in codes for c in r["categories"])
        ]
        return {**found, "standards": standards}

    def concepts(self) -> dict[str, Concept]:
        return self.snap.concepts

    def record(self, iri: str) -> dict[str, Any] | None:
        return self.snap.by_iri.get(iri)

    def referrers(self, iri: str) -> list[dict[str, Any]]:
        return self.snap.referrers.get(iri, [])
