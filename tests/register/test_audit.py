"""`screg check` finds each kind of inconsistency in a store written directly with bad
data (issue 16), and a store that keeps the rules has none."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from registry.cli import main
from registry.namespaces import GRAPH_CURRENT, SCS
from registry.store import WriteBatch, open_store

BASE = "http://127.0.0.1:8000/id/"
SEEDED_STANDARD = f"{BASE}standard/GB-T-21063.3-2007"
ROGUE = URIRef(f"{BASE}standard/GB-T-11111-2011")  # minted for another number
FOREIGN = URIRef("http://elsewhere.example/std/9")
NOWHERE = URIRef(f"{BASE}standard/GB-T-77777-2077")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_seeded_store_has_no_finding(tmp_path: Path, seeded_dump: bytes) -> None:
    path = tmp_path / "store"
    with open_store(str(path)) as store:
        store.load_dump(seeded_dump, "nquads")
    result = run("check", "--store", str(path))
    assert result.exit_code == 0, result.output
    assert "no findings" in result.output


def test_each_kind_of_inconsistency_is_found(tmp_path: Path, seeded_dump: bytes) -> None:
    path = tmp_path / "store"
    with open_store(str(path)) as store:
        store.load_dump(seeded_dump, "nquads")
        store.write(
            WriteBatch().add_triples(
                GRAPH_CURRENT,
                [
                    # a second standard claiming a registered identifier, at a foreign IRI
                    (FOREIGN, RDF.type, SCS.Standard),
                    (FOREIGN, DCTERMS.identifier, Literal("GB/T 21063.3-2007")),
                    # a standard whose IRI was minted for another identifier
                    (ROGUE, RDF.type, SCS.Standard),
                    (ROGUE, DCTERMS.identifier, Literal("GB/T 22222-2012")),
                    # a reference to no entry
                    (ROGUE, SCS.datedReference, NOWHERE),
                ],
            )
        )
    result = run("check", "--store", str(path), "--json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)
    kinds = {(f["kind"], f["entry"]) for f in findings}
    assert ("duplicate-identifier", str(FOREIGN)) in kinds
    assert ("duplicate-identifier", SEEDED_STANDARD) in kinds
    assert ("iri-disagrees", str(ROGUE)) in kinds
    assert ("iri-disagrees", str(FOREIGN)) in kinds
    assert ("dangling-reference", str(ROGUE)) in kinds
    dangling = next(f for f in findings if f["kind"] == "dangling-reference")
    assert str(NOWHERE) in dangling["detail"] and dangling["mend"]
    duplicate = next(f for f in findings if f["entry"] == str(FOREIGN))
    assert SEEDED_STANDARD in duplicate["detail"]
    text = run("check", "--store", str(path))
    assert text.exit_code == 1 and "mend:" in text.output
    assert f"{BASE}standard/GB-T-22222-2012" in text.output  # where ROGUE belongs
