import pytest

from registry.inputs.identifiers import (
    WELL_FORMED,
    IdentifierError,
    credit_code_check_char,
    is_valid_credit_code,
    normalise_standard_id,
    parse_standard_id,
)


@pytest.mark.parametrize(
    ("variant", "normalised"),
    [
        ("GB/T 21063.3-2007", "GB/T 21063.3-2007"),
        ("GB/T21063.3-2007", "GB/T 21063.3-2007"),  # no space
        ("ＧＢ／Ｔ　２１０６３．３－２００７", "GB/T 21063.3-2007"),  # full-width
        ("GB∕T 22239-2019", "GB/T 22239-2019"),  # division slash
        ("GB/T 22239—2019", "GB/T 22239-2019"),  # em dash as printed
        ("GB/T 22239–2019", "GB/T 22239-2019"),  # en dash
        ("GB-T-21063.3-2007", "GB/T 21063.3-2007"),  # file-name form
        ("gb/t 35273-2020", "GB/T 35273-2020"),
        ("GB 3100-93", "GB 3100-93"),  # two-digit year
        ("GB/Z 18803-2002", "GB/Z 18803-2002"),
        ("GM/T 0054-2018", "GM/T 0054-2018"),  # leading zero kept
        ("DB21/T 2175.3-2013", "DB21/T 2175.3-2013"),
        ("DB5101/T 124.3-2021", "DB5101/T 124.3-2021"),
        ("T/CIITA 408-2022", "T/CIITA 408-2022"),
        ("T-CIITA-408-2022", "T/CIITA 408-2022"),
        ("CJJ/T 123-2008", "CJJ/T 123-2008"),
        # As clerks type them: the slash left out, or a space for it (issue 16).
        ("GBT 22239-2019", "GB/T 22239-2019"),
        ("gbt22239-2019", "GB/T 22239-2019"),
        ("GB T 21063.3-2007", "GB/T 21063.3-2007"),
        ("gb t 35273—2020", "GB/T 35273-2020"),
        ("GB／T 21063.3-2007", "GB/T 21063.3-2007"),
        ("ＧＢＴ　２２２３９－２０１９", "GB/T 22239-2019"),
        ("GBZ 18803-2002", "GB/Z 18803-2002"),
        ("GB Z 18803-2002", "GB/Z 18803-2002"),
        ("DB21T 2175.3-2013", "DB21/T 2175.3-2013"),
        ("DB21 T 2175.3-2013", "DB21/T 2175.3-2013"),
        ("db2101t 1-2020", "DB2101/T 1-2020"),
        ("GAT 1037-2013", "GA/T 1037-2013"),
        ("GMT 0054-2018", "GM/T 0054-2018"),
        ("CJJT 123-2008", "CJJ/T 123-2008"),
        ("T CIITA 408-2022", "T/CIITA 408-2022"),
        ("t/ciita 408—2022", "T/CIITA 408-2022"),
        ("Q ABC 1-2020", "Q/ABC 1-2020"),
        ("GB 3100—93", "GB 3100-93"),
        ("JT 123-2010", "JT 123-2010"),  # a two-letter prefix keeps its own T
        ("JTT 123-2010", "JT/T 123-2010"),
    ],
)
def test_variants_normalise_to_one_spelling(variant: str, normalised: str) -> None:
    assert str(parse_standard_id(variant)) == normalised
    assert WELL_FORMED.match(normalised)


def test_undated_identifier_has_no_year() -> None:
    sid = parse_standard_id("GB/T 33171")
    assert sid.year is None and sid.undated == "GB/T 33171"
    assert not WELL_FORMED.match(str(sid))  # an edition needs its year


@pytest.mark.parametrize("bad", ["", "hello", "GB/T", "21063-2007", "GB/T 21063.-2007"])
def test_garbage_is_not_an_identifier(bad: str) -> None:
    with pytest.raises(IdentifierError):
        parse_standard_id(bad)
    assert normalise_standard_id(f" {bad} ") == bad.strip()


def test_slug_round_trips() -> None:
    sid = parse_standard_id("GB/T 21063.3-2007")
    assert sid.slug == "GB-T-21063.3-2007"
    assert parse_standard_id(sid.slug) == sid


def test_credit_code_check_character() -> None:
    # The worked example printed in GB 32100-2015 guides.
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert is_valid_credit_code("91350100M000100Y43")
    assert not is_valid_credit_code("91350100M000100Y44")  # wrong check character
    assert not is_valid_credit_code("91350100M000100Y4")  # 17 characters
    assert not is_valid_credit_code("91350100M000100I43")  # I is not in the charset


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("GB50174-2017", "GB 50174-2017"),
        ("GB32100-2015", "GB 32100-2015"),
        ("gb50174—2017", "GB 50174-2017"),
        ("JR0197-2020", "JR 0197-2020"),
        ("DB21 1234-2020", "DB21 1234-2020"),  # a local standard's prefix keeps its code
        ("DB330106/T 1-2021", "DB330106/T 1-2021"),
    ],
)
def test_a_gb_number_typed_without_a_space_became_another_standard(typed: str, meant: str) -> None:
    """GB50174-2017 was read as "GB5017 4-2017": registered as a second standard, found by
    a search for GB50174-2017 where the real GB 50174-2017 was not. Only DB prefixes
    hold digits."""
    assert str(parse_standard_id(typed)) == meant
    assert WELL_FORMED.match(meant)
    assert not WELL_FORMED.match("GB5017 4-2017")
