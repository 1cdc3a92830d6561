"""A generated registry as if registered: the register records, version graphs and
store generation that registration would add to synthetic.generate's current graph,
written directly (loading 50,000 resources through the submit path takes an hour)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

SCS = "https://w3id.org/smartcity-std#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPH_ONTOLOGY = "urn:screg:graph:ontology"
GRAPH_REGISTRY = "urn:screg:graph:registry"
REGSTATUS_VALID = "https://w3id.org/smartcity-std/code/register-status/valid"
ITEM_CLASSES = {
    f"{SCS}Standard": "standard",
    "http://www.w3.org/ns/org#Organization": "department",
    f"{SCS}InformationResource": "resource",
    f"{SCS}DataInterface": "interface",
    "http://www.w3.org/ns/dcat#Catalog": "catalogue",
}


def write_registered_extra(nq: Path, out: Path) -> int:
    """Write what registration would add to the generated current graph, as N-Quads:
    the ontology graph, a register record per entry in the registry graph, a version-1
    graph per entry with its triples (a resource with its data items), and the store
    generation triple. Line-based (the generator writes no blank nodes); returns the
    number of quads written."""
    import hashlib

    import pyoxigraph as ox

    from registry.store.base import GENERATION_GRAPH, GENERATION_PREDICATE, STORE_IRI
    from registry.validation.trusted_files import ONTOLOGY_DIR, turtle_files

    tail = " <urn:screg:graph:current> .\n"
    lines_of: dict[str, list[str]] = defaultdict(list)
    kinds: dict[str, str] = {}
    type_p = f"<{RDF_TYPE}>"
    item_p = f"<{SCS}dataItem>"
    with nq.open(encoding="utf-8") as f:
        for line in f:
            if not line.endswith(tail):
                continue
            subject, pred, rest = line.split(" ", 2)
            lines_of[subject].append(line[: -len(tail)])
            if pred == type_p:
                cls = rest[1 : rest.index(">")]
                if cls in ITEM_CLASSES:
                    kinds[subject[1:-1]] = ITEM_CLASSES[cls]
    n = 0
    reg = f"<{GRAPH_REGISTRY}>"
    submission = "<http://127.0.0.1:8000/id/submission/00000000-0000-4000-8000-000000000000>"
    when = f'"2026-11-27T00:00:00.000000+00:00"^^<{XSD}dateTime>'
    valid = f"<{REGSTATUS_VALID}>"
    with out.open("w", encoding="utf-8") as w:
        for path in turtle_files(ONTOLOGY_DIR):
            for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                w.write(
                    f"{ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(GRAPH_ONTOLOGY))} .\n"
                )
                n += 1
        generation = f'"1"^^<{XSD}integer>'
        w.write(f"<{STORE_IRI}> <{GENERATION_PREDICATE}> {generation} <{GENERATION_GRAPH}> .\n")
        w.write(f"{submission} <{RDF_TYPE}> <{SCS}Submission> {reg} .\n")
        w.write(f"{submission} <{RDF_TYPE}> <{PROV}Activity> {reg} .\n")
        n += 3
        for item, kind in kinds.items():
            own = list(lines_of[f"<{item}>"])
            for line in lines_of[f"<{item}>"]:
                _s, pred, obj = line.split(" ", 2)
                if pred == item_p:
                    own.extend(lines_of.get(obj, []))
            version = f"<{item}/version/1>"
            sha = hashlib.sha256("\n".join(sorted(own)).encode()).hexdigest()
            for line in own:
                w.write(f"{line} {version} .\n")
            it = f"<{item}>"
            records = [
                (version, f"<{RDF_TYPE}>", f"<{SCS}ItemVersion>"),
                (version, f"<{RDF_TYPE}>", f"<{PROV}Entity>"),
                (version, f"<{SCS}versionOf>", it),
                (version, f"<{SCS}versionNumber>", f'"1"^^<{XSD}integer>'),
                (version, f"<{SCS}contentSha256>", f'"{sha}"'),
                (version, f"<{SCS}registerStatus>", valid),
                (version, f"<{PROV}generatedAtTime>", when),
                (version, f"<{PROV}wasGeneratedBy>", submission),
                (it, f"<{SCS}currentVersion>", version),
                (it, f"<{SCS}registerStatus>", valid),
                (it, f"<{RDF_TYPE}>", f"<{SCS}RegisterItem>"),
                (it, f"<{SCS}itemKind>", f'"{kind}"'),
            ]
            for s_, p_, o_ in records:
                w.write(f"{s_} {p_} {o_} {reg} .\n")
            n += len(own) + len(records)
    return n
