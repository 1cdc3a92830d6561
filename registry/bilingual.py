"""Messages for people in both languages, and the language a person reads.

A message is a `Text`: its Chinese and its English kept apart from where it is written
to where it is shown, so a page, an API client that names its language, or the command
line picks its half without taking a string apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Text:
    """One message in Chinese and English."""

    zh: str
    en: str

    def in_language(self, lang: str) -> str:
        """The Chinese half for "zh", else the English one."""
        return self.zh if lang == "zh" else self.en

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}

    def __str__(self) -> str:
        # Where no reader's language is known (logs, a job's record): both.
        return f"{self.en} ({self.zh})"


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
