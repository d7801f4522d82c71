"""Resident ID rules, including the documents of people born a century ago."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from registry import idnumber
from registry.synthetic import make_first_generation_id, make_id_number


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_examples_from_the_domain_rules_are_valid(number):
    assert idnumber.parse(number).number == number


def test_a_retired_area_code_is_still_a_valid_number():
    # 440524 (潮阳县) no longer exists as a division; its people keep their numbers.
    rid = idnumber.parse("440524188001010014")
    assert rid.birth_date == datetime.date(1880, 1, 1) and rid.gender == "male"


@pytest.mark.parametrize(
    "typed",
    ["11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２Ｘ", "110105-19491231-002X"],
)
def test_typing_variants_are_normalised(typed):
    assert idnumber.parse(typed).number == "11010519491231002X"


def test_first_generation_15_digit_number_is_upgraded():
    rid = idnumber.parse("370811380512031")
    assert rid.number == "370811193805120318"
    assert rid.converted_from_15 and rid.birth_date == datetime.date(1938, 5, 12) and rid.gender == "male"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "invalid_checksum"),
        ("11010519490231002X", "invalid_date"),
        ("1101051949123100", "invalid_length"),
        ("11010519491231002A", "invalid_format"),
        ("99010519491231002X", "invalid_region"),
        ("", "invalid_length"),
    ],
)
def test_invalid_numbers_are_rejected_with_a_reason(number, code):
    with pytest.raises(ValidationError) as info:
        idnumber.parse(number)
    assert info.value.code == code


def test_a_birth_date_in_the_future_is_rejected():
    tomorrow = datetime.date.today() + datetime.timedelta(days=400)  # noqa: DTZ011 - a date well ahead in any zone
    number = make_id_number("370811", tomorrow, 11)
    with pytest.raises(ValidationError) as info:
        idnumber.parse(number)
    assert info.value.code == "future_date"


def test_mask_keeps_area_and_last_four():
    assert idnumber.mask("11010519491231002X") == "110105********002X"


dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31))


@given(birth=dates, seq=st.integers(0, 999), female=st.booleans())
def test_generated_numbers_round_trip(birth, seq, female):
    number = make_id_number("370811", birth, seq, female=female)
    rid = idnumber.parse(number)
    assert rid.number == number and rid.birth_date == birth
    assert rid.gender == ("female" if female else "male")


@given(birth=dates, seq=st.integers(0, 999), position=st.integers(0, 16), delta=st.integers(1, 9))
def test_any_single_digit_error_is_caught(birth, seq, position, delta):
    number = make_id_number("370811", birth, seq)
    digit = (int(number[position]) + delta) % 10
    typo = number[:position] + str(digit) + number[position + 1 :]
    # MOD 11-2 detects every single-digit substitution (or the date/region check fires first).
    with pytest.raises(ValidationError):
        idnumber.parse(typo)


@given(birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(1999, 12, 31)),
       seq=st.integers(0, 999))
def test_first_generation_numbers_upgrade_consistently(birth, seq):
    rid = idnumber.parse(make_first_generation_id("370811", birth, seq))
    assert rid.birth_date == birth and rid.converted_from_15
    assert idnumber.parse(rid.number).number == rid.number
