"""Looking up temporary assistance's rules in force for a place and a day.

Each rule is a row per region prefix (province 2, city 4 or county 6 digits, or
everywhere) with a date of effect; regions.rules picks the row in force (the most
local, then the newest).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from assistance.models import DibaoStandard
from core.errors import InvalidInput
from core.money import figures
from regions.rules import in_force

from .models import AmountBand, AssistanceRule


class MissingRule(LookupError):
    pass


def assistance_rule(region_code: str, on=None) -> AssistanceRule:
    rule = in_force(AssistanceRule.objects.all(), region_code, on)
    if rule is None:
        raise MissingRule(f"No temporary-assistance rule for region {region_code}: add one in the admin.")
    return rule


def dibao_standard(region_code: str, registration: str, on=None) -> Decimal | None:
    row = in_force(DibaoStandard.objects.filter(registration=registration), region_code, on)
    return row.monthly_amount if row else None


def band_limits(band: AmountBand, standard: Decimal | None):
    """(minimum, maximum) in yuan of ``band`` for a dibao standard of ``standard``; None
    for a side the band leaves open (a multiple of a standard not known is open too)."""
    low = high = None
    if standard is not None and band.min_multiple is not None:
        low = (standard * band.min_multiple).quantize(Decimal("0.01"))
    if standard is not None and band.max_multiple is not None:
        high = (standard * band.max_multiple).quantize(Decimal("0.01"))
    if band.max_amount is not None:
        high = band.max_amount if high is None else min(high, band.max_amount)
    return low, high


def amount_limits(region_code: str, registration: str, cause_category: str, on=None):
    """(minimum, maximum) in yuan for a cause, from its band and the dibao standard;
    None for a side the rules leave open."""
    band = in_force(AmountBand.objects.filter(cause_category=cause_category), region_code, on)
    if band is None:
        return None, None
    return band_limits(band, dibao_standard(region_code, registration, on))


def check_amount(field: str, amount: Decimal, region_code: str, registration: str, cause_category: str, on=None):
    """Raise InvalidInput when ``amount`` is outside the band for its cause."""
    low, high = amount_limits(region_code, registration, cause_category, on)
    if high is not None and amount > high:
        raise InvalidInput({field: [_("At most %(max)s yuan for this cause under the local rules.")
                                    % {"max": figures(high)}]})
    if low is not None and amount < low:
        raise InvalidInput({field: [_("At least %(min)s yuan for this cause under the local rules.")
                                    % {"min": figures(low)}]})
