"""Messages written in both languages, and the one a person reads.

The registry's messages for people carry Chinese and English together, in one of two
forms: "english (中文)", details after a colon, or "english / 中文". A page, an API
client that names its language, or the command line shows the half it asks for.
"""

from __future__ import annotations

import os
import re

# The two ways the registry's messages carry both languages: "english (中文)", with
# details after a colon, and "english / 中文".
_CJK = "\u3400-\u9fff"
_IN_PARENS = re.compile(
    rf"^(?P<en>[^{_CJK}]*?)\s*[(（](?P<zh>[^()（）]*[{_CJK}][^()（）]*)[)）](?P<rest>\s*[:：].*)?$",
    re.S,
)
_SLASHED = re.compile(rf"^(?P<en>[^{_CJK}]+?)\s+/\s+(?P<zh>[^/]*[{_CJK}].*)$", re.S)


def in_language(message: str, lang: str) -> str:
    """One language of a message written in both (see above); any other message as it
    is. A page in Chinese shows "请求格式错误", not "the request is malformed (请求格式错误)"."""
    for pattern in (_IN_PARENS, _SLASHED):
        found = pattern.match(message)
        if found and found.group("en").strip():
            rest = found.groupdict().get("rest") or ""
            return (found.group("zh") if lang == "zh" else found.group("en")).strip() + rest
    return message


def locale_language(explicit: str | None = None) -> str:
    """The language of the command line's messages: `--lang`, else SCREG_LANG, else the
    locale (LC_ALL, LC_MESSAGES, LANG) when it is Chinese, else English."""
    if explicit in ("zh", "en"):
        return explicit
    setting = os.environ.get("SCREG_LANG", "").lower()
    if setting in ("zh", "en"):
        return setting
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
