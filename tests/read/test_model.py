"""The SQLite read model answers exactly as the Snapshot-based functions of queries.py.

Every answer (lists, searches, filters, pages, departments, the category tree, one
category, referrers, records, and the errors of bad filters) is compared, in value and
in JSON key order, with what `queries` gives over the same store: on the seeded
examples and on a generated registry, after a rebuild and after writes applied with
the subjects they touched. Real stores, real writes.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from registry.errors import RegistryError
from registry.inputs.document import Document
from registry.namespaces import GRAPH_CURRENT, GRAPH_ONTOLOGY
from registry.read import queries
from registry.read.model import ModelNotBuiltError, ReadModel
from registry.read.queries import KINDS
from registry.register.submission import REGISTRAR, change_status
from registry.service import Registry
from registry.store import OxigraphStore, Store, WriteBatch
from synthetic.generate import write_registry
from synthetic.registered import write_registered_extra
from tests import documents
from tests.read.oracle import Snapshot, SnapshotAnswers, load_snapshot

BASE = "http://127.0.0.1:8000/id/"
BIG_DATA_BUREAU = f"{BASE}department/11210100EXAMPLE01N"
STANDARD = f"{BASE}standard/GB-T-21063.3-2007"

# The registry fixture on the in-memory store only: the model reads any store alike,
# and the change log `catch_up` uses is the embedded store's.
ON_MEMORY = pytest.mark.parametrize("store", ["memory"], indirect=True)

# Texts searched for everywhere: identifier spellings, zh of one, two and more
# characters (below and above a trigram), en in another case, full-width forms,
# characters that mean something to LIKE or FTS5, white space, nothing found.
TEXTS = (
    None,
    "",
    "   ",
    "GB/T21063.3",
    "gb/t 21063.3—2007",
    "ＧＢ／Ｔ　２１０６３．３－２００７",
    "GB 32100",
    "21063",
    "GB",
    "信息",
    "资源",
    "城",
    "政务信息资源目录",
    "沈阳市",
    "数据服务接口",
    "METADATA",
    "Part 1",
    "a",
    "%",
    "_",
    '"',
    "data*",
    "OR",
    "不存在的条目名",
    "zzzz-no-such-entry",
)
# Pages as a list slice takes them, negative limits and offsets included.
PAGES = ((50, 0), (3, 0), (3, 3), (7, 40), (10, 100_000), (0, 0), (-1, 0), (5, -3))


# -- the two readers, asked the same questions ---------------------------------------


Question = tuple[str, tuple[Any, ...], dict[str, Any]]


def questions(snap: Snapshot) -> Iterator[Question]:
    """Every question asked of both readers, from what the registry holds."""
    concepts = snap.concepts
    categories = sorted(
        c.notation for c in concepts.values() if c.scheme == str(queries.CATEGORY_SCHEME)
    )
    texts: list[str | None] = list(TEXTS)
    for kind in KINDS:
        for record in snap.records[kind][:: max(1, len(snap.records[kind]) // 2)][:2]:
            label = record.get("title") or record.get("name") or {}
            zh, en = label.get("zh", ""), label.get("en", "")
            texts += [record["id"], zh[:2], zh[1:4], en.upper()[:12], en.split(" ")[-1]]
    standard_filters: list[dict[str, Any]] = [
        {},
        # Every top category (its sub-categories included) and two below one.
        *({"category": c} for c in categories if "." not in c),
        {"category": "3.2"},
        {"category": "6.2"},
        {"status": "current"},
        {"status": "superseded"},
        {"level": "national"},
        {"level": "local"},
        {"register_status": "valid"},
        {"register_status": "retired"},
        {"category": "3", "status": "current", "level": "national"},
        {"category": "1", "register_status": "valid"},
    ]
    for filters, q in itertools.product(standard_filters, texts):
        # Every page for the plain list and a few texts; the first page otherwise.
        pages = PAGES if q in (None, "信息", "GB") else PAGES[:1]
        for limit, offset in pages:
            yield "search_standards", (), {**filters, "q": q, "limit": limit, "offset": offset}
    # Unknown values of every filter, alone and after a valid one: the same error first.
    for bad in (
        {"category": "9.9"},
        {"status": "nope"},
        {"level": "city"},
        {"register_status": "gone"},
        {"category": "9.9", "status": "nope"},
        {"status": "current", "level": "city", "register_status": "gone"},
    ):
        yield "search_standards", (), bad
    publishers = sorted(
        {
            (r["publisher"] or {}).get("id") or ""
            for kind in ("resource", "interface")
            for r in snap.records[kind]
        }
    )
    for kind in KINDS:
        some = [None, *publishers[:3], f" {publishers[-1]} ", " x "]
        for q, publisher in itertools.product(texts, some):
            pages = PAGES if q is None and publisher is None else PAGES[:2]
            for limit, offset in pages:
                yield (
                    "list_entries",
                    (kind,),
                    {"q": q, "publisher": publisher, "limit": limit, "offset": offset},
                )
    yield "departments", (), {}
    yield "category_tree", (), {}
    yield "concepts", (), {}
    for code in [*categories, "9.9"]:
        yield "category", (code,), {}
    for iri in sorted(set(snap.referrers) | set(snap.by_iri)):
        yield "referrers", (iri,), {}
        yield "record", (iri,), {}


def ask(reader: Any, question: Question) -> Any:
    """The answer to `question`, an error as (class, message, details)."""
    method, args, kwargs = question
    try:
        answer = getattr(reader, method)(*args, **kwargs)
    except RegistryError as exc:
        return ("error", type(exc).__name__, exc.message.as_dict(), exc.details)
    if isinstance(answer, queries.Page):
        answer = answer.as_dict()
    return answer


def assert_same_answers(model: ReadModel, other: Any, snap: Snapshot) -> int:
    """Every question has the same answer from both, key order included; returns how
    many were asked."""
    count = 0
    for question in questions(snap):
        mine, theirs = ask(model, question), ask(other, question)
        assert mine == theirs, question
        if question[0] != "concepts":
            assert json.dumps(mine, ensure_ascii=False) == json.dumps(theirs, ensure_ascii=False)
        count += 1
    return count


def check_against_snapshot(model: ReadModel, store: Store) -> None:
    reference = SnapshotAnswers(store)
    snap = reference.snap
    assert model.generation() == store.generation()
    assert assert_same_answers(model, reference, snap) > 500
    counts = model.counts()
    assert counts["kinds"] == {kind: len(snap.records[kind]) for kind in KINDS}
    assert model.kind_counts() == counts["kinds"]
    statuses: dict[str, int] = {}
    for record in snap.records["standard"]:
        code = record["status"]["code"] if record["status"] else "none"
        statuses[code] = statuses.get(code, 0) + 1
    assert counts["statuses"] == dict(sorted(statuses.items()))


# -- stores ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated_dump(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A generated registry as registered (ontology, register records, versions): 150
    standards with references and supersessions, 400 resources, 40 interfaces."""
    folder = tmp_path_factory.mktemp("generated")
    nq, extra = folder / "registry.nq", folder / "extra.nq"
    with nq.open("w", encoding="utf-8") as out:
        write_registry(out, "nq", n_standards=150, n_resources=400, seed=3, invalid_ratio=0)
    write_registered_extra(nq, extra)
    return nq.read_bytes() + extra.read_bytes()


@pytest.fixture
def generated(generated_dump: bytes) -> Iterator[Store]:
    with OxigraphStore() as store:
        store.load_dump(generated_dump, "nquads")
        yield store


def built_model(store: Store, path: str | Path = ":memory:") -> ReadModel:
    model = ReadModel(path, base_iri=BASE)
    model.rebuild(store)
    return model


# -- the same answers -----------------------------------------------------------------


@ON_MEMORY
def test_answers_equal_the_snapshot_on_the_seeded_registry(registry: Registry) -> None:
    with built_model(registry.store) as model:
        check_against_snapshot(model, registry.store)


def test_answers_equal_the_snapshot_on_a_generated_registry(generated: Store) -> None:
    with built_model(generated) as model:
        assert model.counts()["kinds"]["resource"] == 400
        check_against_snapshot(model, generated)


@ON_MEMORY
def test_a_file_model_answers_as_the_memory_one(registry: Registry, tmp_path: Path) -> None:
    snap = load_snapshot(registry.store)
    with built_model(registry.store) as memory, built_model(registry.store, tmp_path / "m") as f:
        assert assert_same_answers(f, memory, snap) > 500


# -- after writes: applied == rebuilt == snapshot ------------------------------------------


def applied_after(store: Store, model: ReadModel, write: Callable[[], Any]) -> ReadModel:
    """`write`, then the model given the subjects it touched; checked equal to a model
    rebuilt from scratch and to the Snapshot functions. Returns the rebuilt one."""
    before = store.generation()
    assert model.generation() == before
    write()
    changed = store.changes_since(before)
    assert changed
    assert model.apply(store, changed, store.generation()) == store.generation()
    rebuilt = built_model(store)
    assert assert_same_answers(model, rebuilt, load_snapshot(store)) > 500
    check_against_snapshot(model, store)
    return rebuilt


def current_document(registry: Registry, iri: str, prop: URIRef, value: Literal) -> Document:
    """The entry's current version with `prop` in the language of `value` replaced."""
    graph: Graph = registry.show(iri)
    for old in list(graph.objects(URIRef(iri), prop)):
        if isinstance(old, Literal) and old.language == value.language:
            graph.remove((URIRef(iri), prop, old))
    graph.add((URIRef(iri), prop, value))
    return Document("entry.ttl", graph.serialize(format="turtle").encode())


def some_resource(model: ReadModel) -> str:
    page = model.list_entries("resource", publisher="11210100EXAMPLE01N", limit=1)
    return page.items[0]["iri"]


@ON_MEMORY
def test_apply_after_a_resubmission_with_a_changed_title(registry: Registry) -> None:
    with built_model(registry.store) as model:
        iri = some_resource(model)
        doc = current_document(registry, iri, DCTERMS.title, Literal("改过的标题甲乙", lang="zh"))
        applied_after(registry.store, model, lambda: registry.submit([doc], REGISTRAR))
        found = model.list_entries("resource", q="改过的标题甲乙")
        assert [r["iri"] for r in found.items] == [iri]
        assert model.list_entries("resource", q="过的").total == 1  # below a trigram
        assert found.items[0]["register"]["version"] == 2


@ON_MEMORY
def test_apply_after_a_status_change(registry: Registry) -> None:
    store = registry.store
    with built_model(store) as model:
        iri = some_resource(model)
        applied_after(
            store,
            model,
            lambda: change_status(store, iri, "deprecated", REGISTRAR, BASE, reason="test"),
        )
        register = model.record(iri)["register"]  # type: ignore[index]
        assert (register["status"], register["version"]) == ("deprecated", 2)


@ON_MEMORY
def test_apply_after_a_cited_standard_is_retired(registry: Registry) -> None:
    """A register status change of a standard cited by others: its referrers' records
    are rebuilt too, and a filter on the register status finds it."""
    store = registry.store
    with built_model(store) as model:
        applied_after(
            store, model, lambda: change_status(store, STANDARD, "retired", REGISTRAR, BASE)
        )
        found = model.search_standards(register_status="retired")
        assert [r["iri"] for r in found.items] == [STANDARD]


NEW_RESOURCE = documents.resource_ttl(
    "101001/999999",
    title="新登记的资源",
    title_en="A new resource",
    description="一条新的信息资源。",
    conforms_to=STANDARD,
    items=(documents.PERSON_NAME,),
)


@ON_MEMORY
def test_apply_after_a_new_entry_that_references_a_standard(registry: Registry) -> None:
    new = f"{BASE}resource/101001-999999"
    with built_model(registry.store) as model:
        before = model.referrers(STANDARD)
        applied_after(
            registry.store,
            model,
            lambda: registry.submit([Document("new.ttl", NEW_RESOURCE)], REGISTRAR),
        )
        after = model.referrers(STANDARD)
        assert [r["iri"] for r in after if r not in before] == [new]
        assert {
            "source": new,
            "kind": "resource",
            "relation": "conforms_to",
            "target": STANDARD,
        } in (model.edges(target=STANDARD))
        assert model.record(new)["publisher"]["kind"] == "department"  # type: ignore[index]


@ON_MEMORY
def test_apply_after_a_renamed_department_renames_its_resources_publisher(
    registry: Registry,
) -> None:
    name = Literal("沈阳市数据局", lang="zh")
    doc = current_document(registry, BIG_DATA_BUREAU, SKOS.prefLabel, name)
    with built_model(registry.store) as model:
        applied_after(registry.store, model, lambda: registry.submit([doc], REGISTRAR))
        published = model.list_entries("resource", publisher="11210100EXAMPLE01N", limit=1000)
        assert published.total > 0
        assert all(r["publisher"]["label"]["zh"] == "沈阳市数据局" for r in published.items)


@ON_MEMORY
def test_apply_after_an_entry_leaves_the_current_graph(registry: Registry) -> None:
    store = registry.store
    with built_model(store) as model:
        iri = some_resource(model)
        typed = (
            URIRef(iri),
            RDF.type,
            URIRef("https://w3id.org/smartcity-std#InformationResource"),
        )
        applied_after(
            store, model, lambda: store.write(WriteBatch().remove_triples(GRAPH_CURRENT, [typed]))
        )
        assert model.record(iri) is None
        assert model.edges(source=iri) == []


@ON_MEMORY
def test_apply_after_entries_that_sort_apart_from_their_iris(registry: Registry) -> None:
    """Written straight to the store (no shapes): an entry without an identifier (listed
    first), one whose IRI sorts first but whose code sorts last, and a standard also
    typed as a resource (listed under both kinds, found as a resource)."""
    store = registry.store
    scs = "https://w3id.org/smartcity-std#"
    nameless, last = URIRef("urn:x:zz-nameless"), URIRef(f"{BASE}resource/0-first-by-iri")
    resource = URIRef(f"{scs}InformationResource")
    triples = [
        (nameless, RDF.type, resource),
        (nameless, DCTERMS.title, Literal("无编号的资源", lang="zh")),
        (last, RDF.type, resource),
        (last, URIRef(f"{scs}resourceCode"), Literal("999999/999999")),
        (last, DCTERMS.title, Literal("编号最大的资源", lang="zh")),
        (last, DCTERMS.conformsTo, URIRef(STANDARD)),
        (URIRef(STANDARD), RDF.type, resource),
    ]
    with built_model(store) as model:
        applied_after(
            store, model, lambda: store.write(WriteBatch().add_triples(GRAPH_CURRENT, triples))
        )
        listed = [r["iri"] for r in model.list_entries("resource", limit=1000).items]
        # No identifier: first, by IRI among themselves (the standard has no resource code).
        assert listed[:2] == [STANDARD, str(nameless)] and listed[-1] == str(last)
        assert "code" in (model.record(STANDARD) or {})  # its record as a resource
        assert STANDARD in [r["iri"] for r in model.list_entries("standard", limit=1000).items]


def test_apply_after_a_status_change_on_a_generated_registry(generated: Store) -> None:
    with built_model(generated) as model:
        cited = max(
            (r["iri"] for r in model.list_entries("standard", limit=1000).items),
            key=lambda iri: len(model.referrers(iri)),
        )
        assert model.referrers(cited)
        applied_after(
            generated, model, lambda: change_status(generated, cited, "deprecated", REGISTRAR, BASE)
        )
        assert model.record(cited)["register"]["status"] == "deprecated"  # type: ignore[index]


# -- catching up ------------------------------------------------------------------------


class CountingModel(ReadModel):
    """A ReadModel that counts its rebuilds and applies (to see which path was taken)."""

    def __init__(self, path: str | Path) -> None:
        self.rebuilds = self.applies = 0
        super().__init__(path, base_iri=BASE)

    def rebuild(self, store: Store) -> int:
        self.rebuilds += 1
        return super().rebuild(store)

    def apply(self, store: Store, changed_iris: Any, generation: int | None = None) -> int:
        self.applies += 1
        return super().apply(store, changed_iris, generation)


@ON_MEMORY
def test_catch_up_builds_then_applies_the_change_log(registry: Registry) -> None:
    store = registry.store
    with CountingModel(":memory:") as model:
        with pytest.raises(ModelNotBuiltError):
            model.list_entries("resource")
        assert model.catch_up(store) == store.generation()
        assert (model.rebuilds, model.applies) == (1, 0)
        assert model.catch_up(store) == store.generation()  # nothing to do
        assert (model.rebuilds, model.applies) == (1, 0)
        iri = some_resource(model)
        change_status(store, iri, "deprecated", REGISTRAR, BASE)
        change_status(store, iri, "valid", REGISTRAR, BASE)
        assert model.catch_up(store) == store.generation()
        assert (model.rebuilds, model.applies) == (1, 1)
        register = model.record(iri)["register"]  # type: ignore[index]
        assert (register["status"], register["version"]) == ("valid", 3)
        check_against_snapshot(model, store)


@ON_MEMORY
def test_catch_up_rebuilds_when_the_changes_are_unknown(registry: Registry) -> None:
    """A write to the ontology (the concepts every record names) makes the store's
    change list unknown: the model is rebuilt, and shows the new label."""
    store = registry.store
    level = URIRef("https://w3id.org/smartcity-std/code/level/national")
    old = (level, SKOS.prefLabel, Literal("国家标准", lang="zh"))
    label = (level, SKOS.prefLabel, Literal("国家级（改）", lang="zh"))
    with CountingModel(":memory:") as model:
        model.catch_up(store)
        batch = WriteBatch().remove_triples(GRAPH_ONTOLOGY, [old])
        store.write(batch.add_triples(GRAPH_ONTOLOGY, [label]))
        assert store.changes_since(model.generation() or 0) is None
        assert model.catch_up(store) == store.generation()
        assert (model.rebuilds, model.applies) == (2, 0)
        found = model.search_standards(level="national", limit=1)
        assert found.items[0]["level"]["label"]["zh"] == "国家级（改）"
        check_against_snapshot(model, store)


def test_catch_up_rebuilds_a_model_ahead_of_its_store(generated: Store, tmp_path: Path) -> None:
    """A model file of a later generation than the store (built over another copy, or
    the store restored from a backup): no change list runs backwards, so it is rebuilt."""
    path = tmp_path / "model.sqlite"
    with OxigraphStore() as other:
        other.load_dump(generated.dump("nquads"), "nquads")
        change_status(other, some_resource_of(other), "deprecated", REGISTRAR, BASE)
        with built_model(other, path):
            pass
    with CountingModel(path) as model:
        assert (model.generation() or 0) > generated.generation()
        assert model.catch_up(generated) == generated.generation()
        assert (model.rebuilds, model.applies) == (1, 0)
        check_against_snapshot(model, generated)


def test_catch_up_applies_the_writes_made_before_the_store_was_reopened(
    generated: Store, tmp_path: Path
) -> None:
    """The change log is in the store: a model left behind by writes of an earlier
    opening (another process, `screg` run while no server ran) applies just those
    writes. Regression: the log lived in the writing process, and this rebuilt."""
    folder, path = tmp_path / "store", tmp_path / "model.sqlite"
    with OxigraphStore(folder) as store:
        store.load_dump(generated.dump("nquads"), "nquads")
        with built_model(store, path):
            pass
        iri = some_resource_of(store)
        change_status(store, iri, "deprecated", REGISTRAR, BASE)
    with OxigraphStore(folder) as store, CountingModel(path) as model:
        behind = model.generation() or 0
        assert store.changes_since(behind) is not None
        assert model.catch_up(store) == store.generation()
        assert (model.rebuilds, model.applies) == (0, 1)
        assert model.record(iri)["register"]["status"] == "deprecated"  # type: ignore[index]
        check_against_snapshot(model, store)


def some_resource_of(store: Store) -> str:
    return SnapshotAnswers(store).list_entries("resource", limit=1).items[0]["iri"]


# -- persisted ----------------------------------------------------------------------------


@ON_MEMORY
def test_a_reopened_model_keeps_its_answers_without_the_store(
    registry: Registry, tmp_path: Path
) -> None:
    path = tmp_path / "model.sqlite"
    store = registry.store
    asked = list(questions(load_snapshot(store)))
    reference = SnapshotAnswers(store)
    expected = [ask(reference, question) for question in asked]
    generation = store.generation()
    with built_model(store, path):
        pass
    # The store is gone: whatever the reopened model answers comes from the file.
    store.close()
    with ReadModel(path, base_iri=BASE) as reopened:
        assert reopened.generation() == generation
        assert reopened.base_iri() == BASE
        assert [ask(reopened, question) for question in asked] == expected


def test_a_model_of_another_base_iri_is_not_read(generated: Store, tmp_path: Path) -> None:
    path = tmp_path / "model.sqlite"
    with built_model(generated, path):
        pass
    with ReadModel(path, base_iri="https://registry.example.org/id/") as other:
        assert other.generation() is None
        with pytest.raises(ModelNotBuiltError):
            other.departments()
        assert other.catch_up(generated) == generated.generation()
        assert other.base_iri() == "https://registry.example.org/id/"


# -- threads ---------------------------------------------------------------------------------


@ON_MEMORY
@pytest.mark.parametrize("where", ["memory", "file"])
def test_readers_never_see_half_a_write(registry: Registry, tmp_path: Path, where: str) -> None:
    """Status changes of standards applied, and a rebuild, while other threads read:
    every read sees every standard (an apply deletes a record before it inserts the
    new one, a rebuild drops every table first)."""
    store = registry.store
    path = ":memory:" if where == "memory" else tmp_path / "model.sqlite"
    with built_model(store, path) as model:
        total = model.counts()["kinds"]["standard"]
        iris = [r["iri"] for r in model.list_entries("standard", limit=6).items]
        done = threading.Event()
        seen: list[int] = []
        errors: list[BaseException] = []

        def read() -> None:
            try:
                while not done.is_set():
                    seen.append(model.counts()["kinds"]["standard"])
                    seen.append(model.search_standards(limit=0).total)
            except BaseException as exc:  # reported by the test thread
                errors.append(exc)

        readers = [threading.Thread(target=read) for _ in range(3)]
        for reader in readers:
            reader.start()
        try:
            for status in ("deprecated", "valid"):
                for iri in iris:
                    before = store.generation()
                    change_status(store, iri, status, REGISTRAR, BASE)
                    model.apply(store, store.changes_since(before) or (), store.generation())
                model.rebuild(store)
        finally:
            done.set()
            for reader in readers:
                reader.join()
        assert not errors
        assert seen and set(seen) == {total}
        assert model.search_standards(register_status="valid").total == total


# -- values out of every record, and the log of rewrites ---------------------------------------


def applied(store: Store, model: ReadModel, iri: str, status: str) -> int:
    before = store.generation()
    change_status(store, iri, status, REGISTRAR, BASE)
    return model.apply(store, store.changes_since(before) or (), store.generation())


@ON_MEMORY
def test_entry_fields_of_every_entry_then_of_those_rewritten(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every record's values at some JSON paths, with every edge and the concepts; then
    only the entries rewritten since a generation, until a rebuild or the end of the
    log of rewrites."""
    store = registry.store
    with built_model(store) as model:
        start = model.generation()
        whole = model.entry_fields(["$.id", "$.register.status", "$.no.such.field"])
        assert (whole.generation, whole.changed) == (start, None)
        assert whole.concepts == model.concepts()
        assert len(whole.rows) == sum(model.counts()["kinds"].values())
        assert whole.edges == [tuple(e.values()) for e in model.edges()]
        for iri, kind, values in whole.rows:
            record = model.kind_and_record(iri)
            if record is not None and record[0] == kind:
                assert values == [record[1]["id"], record[1]["register"]["status"], None]

        generation = applied(store, model, STANDARD, "deprecated")
        since = model.entry_fields(["$.register.status"], since=start)
        assert since.generation == generation and since.concepts is None
        assert since.changed is not None and STANDARD in since.changed
        # Those naming the standard were rewritten too (their references show its name).
        assert {e["source"] for e in model.edges(target=STANDARD)} <= since.changed
        assert {iri for iri, _, _ in since.rows} <= since.changed
        assert [v for iri, _, v in since.rows if iri == STANDARD] == [["deprecated"]]
        assert since.edges == [
            tuple(e.values()) for e in model.edges() if e["source"] in since.changed
        ]
        assert model.entry_fields(["$.id"], since=generation).changed == frozenset()

        model.rebuild(store)  # the log starts again: what came before is unknown
        assert model.entry_fields(["$.id"], since=start).changed is None
        monkeypatch.setattr("registry.read.model.REWRITES_KEPT", 1)
        rebuilt = model.generation() or 0
        applied(store, model, STANDARD, "valid")
        assert model.entry_fields(["$.id"], since=rebuilt).changed is not None
        applied(store, model, STANDARD, "deprecated")
        assert model.entry_fields(["$.id"], since=rebuilt).changed is None
        assert model.entry_fields(["$.id"], since=rebuilt + 1).changed is not None


@ON_MEMORY
def test_recent_lists_the_newest_current_versions_first(registry: Registry) -> None:
    """The home page's latest registrations come from the model: after a status change
    the changed entry is first, with its new version and time."""
    with built_model(registry.store) as model:
        before = model.recent(5)
        assert len(before) == 5
        times = [r["time"] for r in before]
        assert times == sorted(times, reverse=True) and all(times)
        iri = before[-1]["iri"]
        change_status(registry.store, iri, "deprecated", REGISTRAR, BASE)
        model.catch_up(registry.store)
        after = model.recent(5)
        assert after[0]["iri"] == iri
        assert after[0]["version"] == before[-1]["version"] + 1
        assert after[0]["time"] >= before[0]["time"]


@ON_MEMORY
def test_a_rebuilt_model_has_every_index_and_searches_what_apply_writes_after(
    registry: Registry, tmp_path: Path
) -> None:
    """A rebuild fills the tables before it makes their indexes and the text index's
    triggers (model._index_data): every one must be there after it, as in a model
    made with them, and the text index must follow the writes applied later."""
    import sqlite3

    def schema(path: Path) -> list[tuple[str, str]]:
        with sqlite3.connect(path) as db:
            return sorted(db.execute("SELECT type, name FROM sqlite_master WHERE type != 'table'"))

    with built_model(registry.store, tmp_path / "rebuilt.sqlite") as model:
        assert model.list_entries("resource", q="新登记的资源").total == 0
        # A model opened and not built: its tables made with their indexes.
        indexed = tmp_path / "indexed.sqlite"
        ReadModel(indexed, base_iri=BASE).close()
        made = schema(indexed)
        assert ("trigger", "entries_text_insert") in made
        assert ("index", "entries_list") in made
        assert schema(tmp_path / "rebuilt.sqlite") == made
        applied_after(
            registry.store,
            model,
            lambda: registry.submit([Document("new.ttl", NEW_RESOURCE)], REGISTRAR),
        )
        found = model.list_entries("resource", q="新登记的资源")
        assert [r["iri"] for r in found.items] == [f"{BASE}resource/101001-999999"]


def test_the_statuses_of_an_entrys_references_were_read_from_every_standard(
    generated: Store, tmp_path: Path
) -> None:
    """The statuses an entry's answer gives its cited standards were read with a plain
    `kind = 'standard'`, and SQLite took the index (kind, status, ...) that covers the
    columns asked for: every standard's row on each lookup, which halved never-asked
    lookups at 50,000 resources. The query goes by the (iri, kind) key, on the file a
    rebuild makes (its indexes all there)."""
    import sqlite3

    from registry.read.model import REFERENCE_STATUSES

    with built_model(generated, tmp_path / "model.sqlite"):
        pass
    db = sqlite3.connect(tmp_path / "model.sqlite")
    plan = " ".join(
        row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {REFERENCE_STATUSES}", ("[]",))
    )
    db.close()
    assert "sqlite_autoindex_entries_1 (iri=?" in plan, plan
    assert "(kind=?)" not in plan, plan
