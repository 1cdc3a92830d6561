"""Characters a submitted text may not hold: those XML 1.0 cannot carry.

The registry writes what it holds as RDF/XML and SPARQL XML results (the DCAT-AP
catalogue its harvesters read, entity IRIs, query answers). A title holding U+0000 or
U+0008 was registered, and from then on every XML answer that held it was not
well-formed: a harvester lost the whole catalogue. A lone surrogate (U+D800, which a
Turtle or JSON escape can write) was worse: validation said it conformed and the
registration failed with a 500 when the entry was hashed. So a submission holding any
of them is refused where it is read, naming the text and the character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import Literal, URIRef

from registry.bilingual import Text
from registry.errors import InputError
from registry.inputs.oxparse import Triple
from registry.namespaces import local_name
from registry.validation.labels import property_name

# C0 controls but tab, line feed and carriage return; surrogates; U+FFFE and U+FFFF.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# In a document's bytes: any of those characters written as they are, or an escape
# that may write one (Turtle's and JSON's \u and \U, XML's &#). A document without any
# of these cannot hold one, and is not read again for them. Searched in four passes,
# each in C: one regular expression with a leading character class tried every byte
# (0.45 s for a 40 MB catalogue; these take ~0.06 s).
_C0_BUT_WHITESPACE = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_ALL_BUT_C0 = bytes(b for b in range(256) if b not in _C0_BUT_WHITESPACE)
_NONCHARACTER = re.compile(rb"\xef\xbf[\xbe\xbf]")
_ESCAPE = re.compile(rb"\\[uUbf]")


def may_hold_unstorable(data: bytes) -> bool:
    """Whether the bytes of an RDF document may write a character `refuse_unstorable`
    refuses."""
    return bool(
        data.translate(None, _ALL_BUT_C0)  # what is left are the C0 controls
        or _NONCHARACTER.search(data)
        or _ESCAPE.search(data)
        or b"&#" in data
    )


def refuse_unstorable(triples: Iterable[Triple], source: str) -> None:
    """InputError naming the first literal of `triples` that holds a character XML 1.0
    cannot carry (and its row and column, when `triples` is a mapped document that
    knows them), and how many do."""
    search = _UNSTORABLE.search
    found = [(s, p, o) for s, p, o in triples if type(o) is Literal and search(o)]
    if not found:
        return
    subject, predicate, text = found[0]
    code, position, kind_zh, kind_en = _first(text)
    where_zh, where_en = _named(str(predicate), "zh"), _named(str(predicate), "en")
    locate = getattr(triples, "locate", None)
    location = dict(locate(str(subject), str(predicate))) if locate is not None else {}
    cell_zh, cell_en = _cell(location)
    more_zh = f"（共 {len(found)} 处）" if len(found) > 1 else ""
    more_en = f" ({len(found)} texts in all)" if len(found) > 1 else ""
    raise InputError(
        Text(
            zh=f"{source}：{cell_zh}<{subject}> 的{where_zh}第 {position} 个字符是"
            f"{kind_zh} {code}，无法登记{more_zh}。请删除该字符后重新提交。",
            en=f"{source}: {cell_en}character {position} of {where_en} of <{subject}> is "
            f"{kind_en} {code}, which cannot be registered{more_en}. Remove it and submit "
            "again.",
        ),
        {
            "file": source,
            "rule": "unstorable-character",
            "subject": str(subject),
            "property": str(predicate),
            "character": code,
            "position": position,
            "texts": len(found),
            **({"location": location} if location else {}),
        },
    )


# A scheme, then what SPARQL's IRIREF allows (registry.store.base.is_plain_iri).
_ABSOLUTE_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*$')
#: The base a reader gives relative IRIs when the document has none (registry.inputs.
#: rdf): an IRI under it was relative in the document.
UPLOAD_BASE = "urn:screg:upload:"


def refuse_bad_iris(triples: Iterable[Triple], source: str) -> None:
    """InputError naming the first IRI of `triples` that no store takes: a relative one
    (the document has no base for it), or one holding a space, `<`, `"`, a brace or
    another character an IRI cannot. rdflib reads such IRIs from RDF/XML and JSON-LD,
    and a mapper may build one from a cell; validation said they conformed, and the
    submission then failed with a 500 when it hashed them, or was refused by the store
    with its own parser's text (pyoxigraph, which reads Turtle and N-Triples, refuses
    them itself)."""
    found = []
    for triple in triples:
        for n, term in enumerate(triple):
            if isinstance(term, URIRef) and (
                term.startswith(UPLOAD_BASE) or not _ABSOLUTE_IRI.match(term)
            ):
                found.append((triple, n, str(term).removeprefix(UPLOAD_BASE)))
    if not found:
        return
    (subject, predicate, _o), n, iri = found[0]
    relative = not _ABSOLUTE_IRI.match(iri) and ":" not in iri.split("/", 1)[0]
    locate = getattr(triples, "locate", None)
    location = dict(locate(str(subject), str(predicate))) if locate is not None else {}
    cell_zh, cell_en = _cell(location)
    role_zh, role_en = (("主语", "subject"), ("属性", "property"), ("值", "value"))[n]
    if relative:
        why_zh, why_en = (
            "是相对 IRI，文档没有给出基准 IRI",
            "is a relative IRI and the document gives no base",
        )
        fix_zh, fix_en = (
            "请写出完整的 IRI（带 https:// 等协议）",
            "write it in full, with its scheme (https://...)",
        )
    else:
        why_zh, why_en = (
            "含有 IRI 不能包含的字符（空格、<、>、引号、花括号等）",
            ("holds a character no IRI may (a space, <, >, a quote, a brace, ...)"),
        )
        fix_zh, fix_en = (
            "请删除该字符，或将其百分号编码（空格写作 %20）",
            ("remove it, or percent-encode it (a space is %20)"),
        )
    more_zh = f"（共 {len(found)} 处）" if len(found) > 1 else ""
    more_en = f" ({len(found)} in all)" if len(found) > 1 else ""
    raise InputError(
        Text(
            zh=f"{source}：{cell_zh}<{subject}> 的{_named(str(predicate), 'zh')}中，{role_zh} "
            f"“{iri}”{why_zh}，无法登记{more_zh}。{fix_zh}。",
            en=f"{source}: {cell_en}the {role_en} “{iri}” of {_named(str(predicate), 'en')} of "
            f"<{subject}> {why_en}, and cannot be registered{more_en}; {fix_en}.",
        ),
        {
            "file": source,
            "rule": "relative-iri" if relative else "bad-iri",
            "iri": iri,
            "subject": str(subject),
            "property": str(predicate),
            "count": len(found),
            **({"location": location} if location else {}),
        },
    )


def relative_iri_refusal(iri: str, data: bytes, source: str) -> InputError:
    """The refusal of a relative IRI a reader stopped at, with the line that first
    writes it (`<iri>`) where it can be found."""
    at = data.find(b"<" + iri.encode("utf-8", "replace") + b">")
    line = data.count(b"\n", 0, at) + 1 if at >= 0 else None
    at_zh = f"第 {line} 行的" if line else ""
    at_en = f" on line {line}" if line else ""
    return InputError(
        Text(
            zh=f"{source}：{at_zh}“{iri}”是相对 IRI，文档没有给出基准 IRI，无法登记。"
            "请写出完整的 IRI（带 https:// 等协议）。",
            en=f"{source}: “{iri}”{at_en} is a relative IRI and the document gives no base, "
            "so it cannot be registered; write it in full, with its scheme (https://...).",
        ),
        {"file": source, "rule": "relative-iri", "iri": iri, **({"line": line} if line else {})},
    )


def refuse_unstorable_in_tree(tree: object, source: str) -> None:
    """InputError naming the JSON pointer of the first key or text of a parsed JSON or
    YAML document (an OpenAPI one) that holds a character XML 1.0 cannot carry. Checked
    before the entry is made: the registry builds texts of several fields (an
    interface's description lists every operation's summary), and a position counted
    in such a text was found nowhere in the document."""
    search = _UNSTORABLE.search
    pending: list[tuple[str, object]] = [("", tree)]
    while pending:
        pointer, value = pending.pop()
        if isinstance(value, dict):
            items = list(value.items())
            for key, child in reversed(items):
                step = str(key).replace("~", "~0").replace("/", "~1")
                if isinstance(key, str) and search(key):
                    _refuse_text(key, f"{pointer}/{step}", source, "key")
                pending.append((f"{pointer}/{step}", child))
        elif isinstance(value, list):
            pending += [(f"{pointer}/{i}", child) for i, child in reversed(list(enumerate(value)))]
        elif isinstance(value, str) and search(value):
            _refuse_text(value, pointer or "/", source, "value")


def _first(text: str) -> tuple[str, int, str, str]:
    """The first character of `text` XML cannot carry: its code, its position (from
    1), and what it is, in zh and en."""
    match = _UNSTORABLE.search(text)
    assert match is not None
    return f"U+{ord(match.group()):04X}", match.start() + 1, *_kind(match.group())


def _refuse_text(text: str, pointer: str, source: str, part: str) -> None:
    code, position, kind_zh, kind_en = _first(text)
    what_zh = "键" if part == "key" else "文本"
    what_en = "key" if part == "key" else "text"
    raise InputError(
        Text(
            zh=f"“{source}”：位置“{pointer}”的{what_zh}第 {position} 个字符是{kind_zh}“{code}”，"
            "无法登记。请删除该字符后重新提交。",
            en=f"{source}: character {position} of the {what_en} at {pointer} is {kind_en} "
            f"{code}, which cannot be registered. Remove it and submit again.",
        ),
        {
            "file": source,
            "rule": "unstorable-character",
            "character": code,
            "position": position,
            "location": {"file": source, "pointer": pointer},
        },
    )


def _named(prop: str, lang: str) -> str:
    """The property as a report names it, else its IRI (a name in one context only, as
    dct:title is 标准名称 on a standard and 信息资源名称 on a resource)."""
    name = property_name(prop, None, lang)
    return f"“{name}”" if name and name != local_name(prop) else f"<{prop}>"


def _cell(location: dict[str, object]) -> tuple[str, str]:
    """Where a mapped document's text was: its sheet, row and column, as far as known."""
    sheet, row, column = (location.get(k) for k in ("sheet", "row", "column"))
    zh = "".join(
        [
            f"工作表“{sheet}”" if sheet else "",
            f"第 {row} 行" if row else "",
            f"“{column}”列" if column else "",
        ]
    )
    en = ", ".join(
        [
            *([f"sheet {sheet}"] if sheet else []),
            *([f"row {row}"] if row else []),
            *([f"column {column}"] if column else []),
        ]
    )
    return (zh + "，" if zh else ""), (en + ": " if en else "")


def _kind(character: str) -> tuple[str, str]:
    if "\ud800" <= character <= "\udfff":
        return "单独的代理码位", "a lone surrogate"
    if character in "\ufffe\uffff":
        return "非字符", "the noncharacter"
    return "控制字符", "the control character"
