"""Every error the registry raises carries its message in Chinese and in English, apart
(registry.bilingual.Text), so each edge shows one language without taking a string
apart: read from the source, so a raise no test reaches is checked too."""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest

from registry.bilingual import Text
from registry.errors import InputError, RateLimitedError, RegistryError

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile("[\u3400-\u9fff]")
# Errors whose message is not their first argument: its position, or None (a server's
# error body, read by registry/cli/local_server.py).
MESSAGE_ARGUMENT = {"_WorkerError": 2, "ServerError": None}


def _sources() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for folder in ("registry", "api")
        for path in sorted((ROOT / folder).rglob("*.py"))
    }


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """The names of RegistryError and every class below it, by the source's class lines."""
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {b.id for b in node.bases if isinstance(b, ast.Name)}
                bases.setdefault(node.name, set()).update(names)
    found = {"RegistryError"}
    while True:
        more = {name for name, of in bases.items() if of & found} - found
        if not more:
            return found
        found |= more


def _literal(node: ast.expr) -> str | None:
    """The text of a string literal or f-string (holes left out); None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        left, right = _literal(node.left), _literal(node.right)
        return (left or "") + (right or "") if left is not None or right is not None else None
    return None


def _constructions() -> list[tuple[str, ast.expr]]:
    trees = _sources()
    classes = _error_classes(trees)
    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            name = getattr(node, "func", None) and getattr(node.func, "id", None)
            if isinstance(node, ast.Call) and name in classes:
                position = MESSAGE_ARGUMENT.get(name, 0)
                if position is None:
                    continue
                message = node.args[position] if len(node.args) > position else None
                for keyword in node.keywords:
                    if keyword.arg == "message":
                        message = keyword.value
                if message is not None:
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    found.append((where, message))
    return found


def test_every_error_is_raised_with_a_text_in_both_languages() -> None:
    constructions = _constructions()
    assert len(constructions) > 200, "the walk finds the registry's raise sites"
    wrong = []
    for where, message in constructions:
        if isinstance(message, ast.Constant | ast.JoinedStr | ast.BinOp):
            wrong.append(f"{where}: a plain string, not a Text")
            continue
        if not (isinstance(message, ast.Call) and getattr(message.func, "id", None) == "Text"):
            continue  # a Text made elsewhere and passed on; the constructor checks its type
        halves = {k.arg: k.value for k in message.keywords}
        if set(halves) != {"zh", "en"}:
            wrong.append(f"{where}: Text(zh=..., en=...) by name")
            continue
        zh, en = _literal(halves["zh"]), _literal(halves["en"])
        if zh is not None and not CJK.search(zh):
            wrong.append(f"{where}: the zh half has no Chinese: {zh!r}")
        if en is not None and CJK.search(en):
            wrong.append(f"{where}: the en half holds Chinese: {en!r}")
    assert not wrong, "\n".join(wrong)


def test_an_error_refuses_a_message_in_one_string() -> None:
    with pytest.raises(TypeError):
        InputError("english (中文)")  # type: ignore[arg-type]


def test_an_error_crosses_a_process_boundary_whole() -> None:
    """Upload readers and SPARQL workers send errors back pickled."""
    sent = RateLimitedError(Text(zh="请稍后再试", en="try again later"), 7)
    received = pickle.loads(pickle.dumps(sent))
    assert type(received) is RateLimitedError and isinstance(received, RegistryError)
    assert received.message == sent.message and received.retry_after == 7
    assert received.details == {"retry_after": 7} and str(received) == str(sent)


def test_a_framework_failure_gets_chinese_words_for_its_status() -> None:
    """FastAPI and Starlette raise with English text: it stays the English half."""
    from api.errors import http_message

    assert http_message(409, "Conflict") == Text(zh="与现有状态冲突", en="Conflict")
    assert http_message(404, "Not Found") == Text(zh="资源不存在", en="no such resource")
    ours = Text(zh="请求内容传输中断", en="the request body stopped arriving")
    assert http_message(408, ours) is ours
