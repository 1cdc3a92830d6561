"""The rules the shapes enforce, read from the shapes themselves for people to read."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from registry.namespaces import SH
from registry.validation.labels import property_name

SCSH = "https://w3id.org/smartcity-std/shapes#"


@dataclass(frozen=True)
class Rule:
    shape: str  # local name in scsh:
    target: str  # the node shape's target class, as a prefixed name
    path: str
    severity: str
    message_zh: str
    message_en: str
    # The target and the path as a zh report names them (registry/validation/labels.py).
    target_zh: str = ""
    path_zh: str = ""


def _messages(graph: Graph, node: Node) -> dict[str, str]:
    messages: dict[str, str] = {}
    holders = [node, *graph.objects(node, SH.sparql)]
    for holder in holders:
        for m in graph.objects(holder, SH.message):
            if isinstance(m, Literal):
                messages.setdefault(m.language or "en", str(m))
    return messages


def _short(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return graph.namespace_manager.normalizeUri(node)
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return " | ".join(_short(graph, n) for n in graph.items(alternatives))
    return node.n3()


# Classes of other vocabularies the ontology gives no Chinese label (it labels its own).
_CLASSES_ZH = {
    "http://www.w3.org/ns/dcat#Catalog": "目录",
    "http://www.w3.org/ns/org#Organization": "部门",
    "http://www.w3.org/ns/earl#Assertion": "符合性评估",
}


def _name_zh(graph: Graph, node: Node | None, shape: Node) -> str:
    """What a zh report calls a target class or a path (alternatives joined by |)."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return _CLASSES_ZH.get(str(node)) or property_name(str(node), str(shape), "zh") or ""
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return " | ".join(_name_zh(graph, n, shape) for n in graph.items(alternatives))
    return node.n3()


def list_rules(shapes: Graph) -> list[Rule]:
    """One Rule per constraint-bearing shape that has messages, grouped by target class."""
    rules = []
    for node_shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        target = shapes.value(node_shape, SH.targetClass)
        targets = (
            [target]
            if target is not None
            else list(shapes.objects(node_shape, SH.targetSubjectsOf))
        )
        if not targets:
            continue  # a helper shape used inside others, reported through them
        members = [node_shape, *shapes.objects(node_shape, SH.property)]
        for shape in members:
            messages = _messages(shapes, shape)
            if not messages or not str(shape).startswith(SCSH):
                continue
            severity = shapes.value(shape, SH.severity) or SH.Violation
            rules.append(
                Rule(
                    shape=str(shape).removeprefix(SCSH),
                    target=_short(shapes, targets[0]),
                    path=_short(shapes, shapes.value(shape, SH.path)),
                    severity=str(severity).removeprefix(str(SH)),
                    message_zh=messages.get("zh", ""),
                    message_en=messages.get("en", ""),
                    target_zh=_name_zh(shapes, targets[0], node_shape),
                    path_zh=_name_zh(shapes, shapes.value(shape, SH.path), shape),
                )
            )
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return sorted(rules, key=lambda r: (r.target, order.get(r.severity, 3), r.shape))


def rules_markdown(rules: list[Rule]) -> str:
    lines = []
    target = None
    for rule in rules:
        if rule.target != target:
            target = rule.target
            lines += [
                "",
                f"### `{target}`",
                "",
                "| shape | path | severity | zh | en |",
                "|---|---|---|---|---|",
            ]
        lines.append(
            f"| `{rule.shape}` | `{rule.path or '-'}` | {rule.severity} | "
            f"{_cell(rule.message_zh)} | {_cell(rule.message_en)} |"
        )
    return "\n".join(lines).lstrip("\n") + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
