"""What a report calls a property, for people: a result's path is an IRI
(`dct:publisher`), and a clerk reads "信息资源提供方".

The name comes from the shapes themselves where they give one: the `sh:name` of the
shape that made the result (SHACL's label "in the context of the surrounding shape":
dct:title is 中文标准名称 on a standard, 信息资源名称 on a resource). A result with no
named shape (the registry's own checks: unique codes, IRIs, spreadsheet cells) takes
the property's rdfs:label in the ontology, else the one name the shapes give that path
everywhere, else a name out of any context (_OUT_OF_CONTEXT), else the IRI's local
name. Reports keep the IRI beside the name.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SH

from registry.namespaces import local_name
from registry.validation.trusted_files import ONTOLOGY_DIR, SHAPES_DIR, turtle_files

Names = dict[str, str]  # language -> name

# Paths the shapes name per kind of entry (dct:publisher is 信息资源提供方 on a resource,
# 接口提供方 on an interface), or not at all, and a reader reports with no shape: the
# zh report of a DCAT catalogue called its publisher "publisher".
_DCT = "http://purl.org/dc/terms/"
_OUT_OF_CONTEXT: dict[str, Names] = {
    f"{_DCT}publisher": {"zh": "提供方", "en": "publisher"},
    f"{_DCT}title": {"zh": "名称", "en": "title"},
    f"{_DCT}description": {"zh": "说明", "en": "description"},
    f"{_DCT}issued": {"zh": "发布日期", "en": "issue date"},
    f"{_DCT}conformsTo": {"zh": "符合标准", "en": "conforms to"},
    f"{_DCT}accessRights": {"zh": "访问权限", "en": "access rights"},
    "http://www.w3.org/ns/dcat#distribution": {"zh": "分发", "en": "distribution"},
}


def _by_language(graph: Graph, subject: URIRef, predicate: URIRef) -> Names:
    names: Names = {}
    for name in graph.objects(subject, predicate):
        language = getattr(name, "language", None)
        if language in ("zh", "en") and language not in names:
            names[language] = str(name)
    return names


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, Names], dict[str, Names]]:
    """(shape IRI -> its sh:name, property IRI -> its label), read from the files
    once per process."""
    shapes = Graph()
    for path in turtle_files(SHAPES_DIR):
        shapes.parse(path, format="turtle")
    ontology = Graph()
    for path in turtle_files(ONTOLOGY_DIR):
        ontology.parse(path, format="turtle")
    by_shape: dict[str, Names] = {}
    by_path: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for shape, path in shapes.subject_objects(SH.path):
        names = _by_language(shapes, shape, SH.name)
        if names and isinstance(shape, URIRef):
            by_shape[str(shape)] = names
        if isinstance(path, URIRef):
            for language, name in names.items():
                by_path[str(path)][language].add(name)
    labels: dict[str, Names] = {}
    for path, languages in by_path.items():
        # A path the shapes name one way everywhere; context-bound names are not used.
        only = {language: next(iter(names)) for language, names in languages.items()}
        if all(len(names) == 1 for names in languages.values()):
            labels[path] = only
    for prop in set(ontology.subjects(RDFS.label, None)):
        names = _by_language(ontology, prop, RDFS.label)
        if names and isinstance(prop, URIRef):
            labels[str(prop)] = names
    for path, names in _OUT_OF_CONTEXT.items():
        labels.setdefault(path, names)
    return by_shape, labels


def property_name(path: str | None, shape: str | None, lang: str) -> str | None:
    """The name of `path` for people in `lang` (zh, en), as a result of `shape`
    reports it; None for a result with no path."""
    if not path:
        return None
    by_shape, labels = _tables()
    for names in (by_shape.get(shape or ""), labels.get(path)):
        if names:
            return names.get(lang) or next(iter(names.values()))
    return local_name(path)
