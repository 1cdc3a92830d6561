"""The graph as node-link JSON, GraphML, Graphviz DOT and SVG.

Labels are Chinese by default (`lang="en"` for English), falling back on the other
language, then the identifier or code. SVG is drawn by Graphviz's `dot`, run as a
subprocess fed on stdin (no temporary files) and killed after a timeout.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import networkx as nx

from registry.bilingual import Text
from registry.errors import InputError, RegistryError
from registry.graphs.queries import display_name, flagged_edges

# format -> media type; the API negotiates with these, the CLI picks by name
FORMATS: dict[str, str] = {
    "json": "application/json",
    "graphml": "application/graphml+xml",
    "dot": "text/vnd.graphviz",
    "svg": "image/svg+xml",
}
DOT_TIMEOUT_SECONDS = 30.0


class RendererUnavailableError(RegistryError):
    """SVG asked for where Graphviz is not installed (or failed): other formats still work."""

    status = 406
    code = "format_unavailable"


def _labelled(graph: nx.MultiDiGraph, lang: str) -> nx.MultiDiGraph:
    copy = nx.MultiDiGraph(graph)
    for node in copy:
        copy.nodes[node]["label"] = display_name(graph, node, lang)
    return copy


def to_node_link(graph: nx.MultiDiGraph, lang: str = "zh") -> dict[str, Any]:
    """networkx node-link data (`nodes`, `edges`), plus `flagged`: the references and
    conformance links to superseded or abolished editions."""
    data = nx.node_link_data(_labelled(graph, lang), edges="edges")
    data["flagged"] = flagged_edges(graph)
    return data


def to_json(graph: nx.MultiDiGraph, lang: str = "zh") -> bytes:
    return json.dumps(to_node_link(graph, lang), ensure_ascii=False, indent=1).encode()


def to_graphml(graph: nx.MultiDiGraph, lang: str = "zh") -> bytes:
    copy = _labelled(graph, lang)
    # GraphML holds scalars only: drop what is not one (nothing the graph keeps today)
    copy.graph = {k: v for k, v in graph.graph.items() if isinstance(v, str | int | float | bool)}
    return "\n".join(nx.generate_graphml(copy, prettyprint=True)).encode()


_SHAPES = {
    "standard": "box",
    "resource": "ellipse",
    "interface": "hexagon",
    "department": "house",
    "category": "folder",
}
_FILLS = {
    "current": "#d9f2d9",
    "forthcoming": "#fff3c4",
    "superseded": "#e6e6e6",
    "abolished": "#f4cccc",
    "resource": "#dbe8ff",
    "interface": "#e6dcff",
    "department": "#ffe6cc",
    "category": "#f5f5f5",
}
_EDGE_LABELS = {
    "zh": {
        "references:dated": "注日期引用",
        "references:undated": "不注日期引用",
        "replaces": "代替",
        "conformsTo": "符合",
        "serves": "提供数据",
        "providedBy": "提供方",
        "inCategory": "属于",
        "superseded": "已被代替",
        "abolished": "已废止",
    },
    "en": {
        "references:dated": "dated ref.",
        "references:undated": "undated ref.",
        "replaces": "replaces",
        "conformsTo": "conforms to",
        "serves": "serves",
        "providedBy": "provided by",
        "inCategory": "in category",
        "superseded": "superseded",
        "abolished": "abolished",
    },
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot_label(graph: nx.MultiDiGraph, node: str, lang: str, width: int = 16) -> str:
    # The identifier or code on its own line, then the title cut every `width`
    # characters: long Chinese titles have no spaces for Graphviz to break at.
    attrs = graph.nodes[node]
    head = attrs.get("identifier") or attrs.get("code")
    title = attrs.get(f"label_{lang}") or attrs.get("label_zh") or attrs.get("label_en") or ""
    if lang == "en":
        width *= 2
    lines = [title[i : i + width] for i in range(0, len(title), width)]
    return "\n".join([head, *lines] if head else lines or [node])


def to_dot(graph: nx.MultiDiGraph, lang: str = "zh") -> str:
    """Graphviz DOT: shapes by kind, fill by status, dashed undated references, red
    flagged links, the root of a neighbourhood drawn thick."""
    labels = _EDGE_LABELS.get(lang, _EDGE_LABELS["zh"])
    root = graph.graph.get("root")
    lines = [
        "digraph screg {",
        '  graph [rankdir=LR, fontname="sans-serif", nodesep=0.3, ranksep=0.6];',
        '  node [fontname="sans-serif", fontsize=10, style=filled];',
        '  edge [fontname="sans-serif", fontsize=8];',
    ]
    for node in sorted(graph):
        attrs = graph.nodes[node]
        kind = attrs["kind"]
        fill = _FILLS.get(attrs.get("status", "") if kind == "standard" else kind, "#ffffff")
        style = "filled,dashed" if attrs.get("registered") is False else "filled"
        extra = ", penwidth=3" if node == root else ""
        lines.append(
            f"  {_quote(node)} [label={_quote(_dot_label(graph, node, lang))}, "
            f"shape={_SHAPES.get(kind, 'box')}, fillcolor={_quote(fill)}, style={_quote(style)}, "
            f"tooltip={_quote(node)}{extra}];"
        )
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        label = labels.get(key, key)
        parts = [f"label={_quote(label)}"]
        if key == "references:undated":
            parts.append("style=dashed")
        elif key == "replaces":
            parts.append('color="#888888", penwidth=2')
        elif key in ("providedBy", "inCategory"):
            parts.append('color="#aaaaaa"')
        if data.get("stale"):
            parts[0] = f"label={_quote(label + ' (' + labels[data['stale']] + ')')}"
            parts.append('color="#cc0000", fontcolor="#cc0000", penwidth=2')
        lines.append(f"  {_quote(u)} -> {_quote(v)} [{', '.join(parts)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_available() -> bool:
    return shutil.which("dot") is not None


def to_svg(graph: nx.MultiDiGraph, lang: str = "zh", timeout: float = DOT_TIMEOUT_SECONDS) -> bytes:
    """SVG drawn by Graphviz `dot`; RendererUnavailableError when it is missing, fails or
    runs past `timeout` seconds (a huge graph: ask for a smaller depth)."""
    dot = shutil.which("dot")
    if dot is None:
        raise RendererUnavailableError(
            Text(
                zh=(
                    "生成 SVG 需要 Graphviz 的 `dot`，此处未安装；请改用 json、graphml 或 dot 格式"
                ),
                en=(
                    "SVG needs Graphviz `dot`, which is not installed here; ask "
                    "for json, graphml or dot"
                ),
            ),
            {"available": [f for f in FORMATS if f != "svg"]},
        )
    try:
        done = subprocess.run(
            [dot, "-Tsvg"],
            input=to_dot(graph, lang).encode(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RendererUnavailableError(
            Text(
                zh=f"Graphviz 渲染超过 {timeout:g} 秒；请缩小图的范围（--depth）",
                en=(f"Graphviz took longer than {timeout:g} s; ask for a smaller graph (--depth)"),
            ),
            {"timeout_seconds": timeout, "nodes": graph.number_of_nodes()},
        ) from None
    if done.returncode != 0:
        raise RendererUnavailableError(
            Text(zh="Graphviz 无法绘制此图", en="Graphviz could not draw this graph"),
            {"stderr": done.stderr.decode(errors="replace")[-500:]},
        )
    return done.stdout


def render(graph: nx.MultiDiGraph, fmt: str, lang: str = "zh") -> bytes:
    """The graph in `fmt`, one of FORMATS."""
    if fmt == "json":
        return to_json(graph, lang)
    if fmt == "graphml":
        return to_graphml(graph, lang)
    if fmt == "dot":
        return to_dot(graph, lang).encode()
    if fmt == "svg":
        return to_svg(graph, lang)
    raise InputError(
        Text(
            zh=f"未知的图格式 {fmt!r}；可用 {'、'.join(FORMATS)}",
            en=f"unknown graph format {fmt!r}; use one of {', '.join(FORMATS)}",
        ),
        {"available": list(FORMATS)},
    )
