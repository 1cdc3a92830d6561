"""Characters XML 1.0 cannot carry, refused where a submission is read
(registry/inputs/characters.py): a title holding U+0000 was registered and then broke
every RDF/XML answer holding it (the DCAT-AP catalogue included); a lone surrogate
validated as conforming and made the registration fail with a 500."""

from __future__ import annotations

import pytest

from registry.errors import InputError
from registry.inputs.document import Document
from registry.register.submission import REGISTRAR
from tests import documents
from tests.conftest import EXAMPLES

TITLE = "人口基础信息"


def turtle_with_title(title_text: str) -> bytes:
    """The seeded resource with `title_text` written as is inside its Turtle string."""
    body = documents.resource_ttl("101001/000001", title=TITLE, description="基础信息。")
    return body.replace(f'"{TITLE}"@zh'.encode(), f'"{title_text}"@zh'.encode())


@pytest.mark.parametrize(
    ("title", "character", "position"),
    [
        ("人口\\u0000信息", "U+0000", 3),  # a Turtle escape
        ("人口\\b信息", "U+0008", 3),  # Turtle's own escape for backspace
        ("人口\x08信息", "U+0008", 3),  # the byte itself
        ("\\uD800", "U+D800", 1),  # a lone surrogate
        ("人口\uffff", "U+FFFF", 3),  # a noncharacter, as UTF-8
    ],
    ids=["escaped-nul", "backspace-escape", "raw-backspace", "lone-surrogate", "noncharacter"],
)
def test_an_unstorable_character_was_registered_or_crashed_the_registration(
    memory_registry, title: str, character: str, position: int
) -> None:
    data = turtle_with_title(title)
    generation = memory_registry.store.generation()
    for attempt in (
        lambda: memory_registry.validate([Document("目录.ttl", data)]),
        lambda: memory_registry.submit([Document("目录.ttl", data)], REGISTRAR),
    ):
        with pytest.raises(InputError) as refused:
            attempt()
        details = refused.value.details
        assert details["rule"] == "unstorable-character"
        assert (details["character"], details["position"]) == (character, position)
        assert details["property"] == "http://purl.org/dc/terms/title"
        assert "目录.ttl" in refused.value.message.zh and character in refused.value.message.zh
    assert memory_registry.store.generation() == generation


def test_a_lone_surrogate_in_json_ld_is_refused_too(memory_registry) -> None:
    data = (
        b'{"@id": "http://127.0.0.1:8000/id/resource/101001-000001",'
        b' "http://purl.org/dc/terms/title": {"@value": "\\ud800", "@language": "zh"}}'
    )
    with pytest.raises(InputError) as refused:
        memory_registry.validate([Document("目录.jsonld", data)])
    assert refused.value.details["character"] == "U+D800"


def test_escapes_of_characters_that_can_be_stored_are_read(memory_registry) -> None:
    data = turtle_with_title("人口\\u00e9\\t信息")
    report = memory_registry.validate([Document("目录.ttl", data)])
    assert report.conforms, [r.as_dict() for r in report.results]


def test_a_foreign_catalogues_text_is_checked_too(memory_registry) -> None:
    """A DCAT catalogue is mapped, not read as is: its texts are checked after mapping."""
    data = (EXAMPLES / "dcat" / "ckan-catalogue.ttl").read_bytes()
    bad = data.replace('"公交站点信息"@zh'.encode(), '"公交\\u0007站点信息"@zh'.encode())
    assert bad != data
    with pytest.raises(InputError) as refused:
        memory_registry.validate([Document("ckan.ttl", bad, "dcat")])
    assert refused.value.details["character"] == "U+0007"
    assert refused.value.details["position"] == 3
    assert "“名称”" in refused.value.message.zh  # dct:title out of any one context


@pytest.mark.parametrize(
    "written",
    [
        b"\x00",
        b"\x08",
        b"\x0b",
        b"\x1f",
        b"\xef\xbf\xbe",
        b"\xef\xbf\xbf",
        b"\\u0000",
        b"\\U0000",
        b"\\b",
        b"\\f",
        b"&#1;",
    ],
)
def test_the_byte_scan_for_unstorable_characters_finds_each_form(written: bytes) -> None:
    """The scan is four C searches where it was one expression with a leading character
    class (0.45 s on a 40 MB catalogue); each form it stands for is still found, and
    the whitespace controls and plain text are not taken for one."""
    from registry.inputs.characters import may_hold_unstorable

    assert may_hold_unstorable(b'"title ' + written + b'" .')
    assert not may_hold_unstorable("\t\n\r 人口 & # \\n \\t".encode())
