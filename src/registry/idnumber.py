"""Resident identity numbers (GB 11643-1999).

python-stdnum computes the ISO 7064 MOD 11-2 check character and reads the birth
date; the rest is ours, because the people we serve carry documents from decades
ago:

* stdnum also requires the 6-digit area code to be in its list of *current*
  divisions. Counties merge and codes are retired, but a person's number never
  changes, so that check would reject valid IDs (e.g. 440524188001010014). We only
  require a real province prefix.
* First-generation 15-digit numbers (YYMMDD, 19xx, no check character) are still
  found on old certificates; they are converted to the 18-digit form the state
  itself derives from them.
* Numbers typed with a Chinese input method arrive as full-width digits, with a
  lower-case x, or with spaces; they are normalised first.
* stdnum accepts birth dates in the future; we do not.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

# Province-level prefixes in use since 1999, plus 83 (residence permits of Taiwan residents).
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: datetime.date
    gender: str  # "male" | "female"
    converted_from_15: bool = False


def normalise(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-_").upper()


def _upgrade_15(number: str) -> str:
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


def parse(raw: str) -> ResidentId:
    """Validate and normalise; raises django ValidationError with a code."""
    number = normalise(raw)
    converted = False
    if len(number) == 15 and number.isdigit():
        number, converted = _upgrade_15(number), True
    if len(number) != 18:
        raise ValidationError(_("An ID number has 18 characters (or 15 digits on an old card)."), code="invalid_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("An ID number is 17 digits followed by a digit or X."), code="invalid_format")
    if number[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(_("The first two digits are not a province code."), code="invalid_region")
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        raise ValidationError(_("The birth date in the ID number does not exist."), code="invalid_date") from None
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(
            _("The check character is wrong: please compare the number with the card."), code="invalid_checksum"
        )
    if birth > timezone.localdate():
        raise ValidationError(_("The birth date in the ID number is in the future."), code="future_date")
    if birth.year < settings.ID_MIN_BIRTH_YEAR:
        raise ValidationError(
            _("The birth date in the ID number is before %(year)d.") % {"year": settings.ID_MIN_BIRTH_YEAR},
            code="too_old",
        )
    gender = "male" if int(number[16]) % 2 else "female"
    return ResidentId(number=number, birth_date=birth, gender=gender, converted_from_15=converted)


def mask(number: str) -> str:
    """110105********002X: area code and last four only."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
