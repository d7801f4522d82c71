"""What a new township limit or a new amount band for temporary assistance would have
meant for the cases decided in the last months (WHATIF_PAST_MONTHS, twelve by default).

- *Township limit* (小额乡镇直接审批): a case the township approved above the new limit
  would have needed the county's approval; a case the county approved within the new
  limit would not have (unless it concerns a relative of staff, which the county decides
  whatever the amount); an urgent payment made before investigation above the new limit
  could not have been paid by the township on its own.
- *Amount band*: an approved amount of the band's cause below its new minimum or above
  its new maximum, each band's multiples taken of the dibao standard that was in force
  for the household on the day the case was decided, as the band's check does
  (workflows.temporary.rules.band_limits).

Reads only; the caller runs it under ``readonly.reads_only``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from assistance.models import Application, DibaoStandard, Instalment, InstalmentStatus
from regions.codes import Level, code_of, within
from regions.models import Region
from regions.rules import pick
from workflows.reviews.services import months_after
from workflows.temporary.models import CODE, DECIDED_STATUSES, AmountBand, AssistanceRule
from workflows.temporary.rules import band_limits

from .models import Change, WhatIfRow
from .standard import Answer

ZERO = Decimal("0.00")
Progress = Callable[[int, int], object]


def window(today: datetime.date | None = None) -> tuple[datetime.datetime, datetime.date]:
    """The start of the period looked back on (aware, local midnight), and its first day."""
    today = today or timezone.localdate()
    first = months_after(today, -settings.WHATIF_PAST_MONTHS)
    return timezone.make_aware(datetime.datetime.combine(first, datetime.time.min)), first


@dataclass
class Counted:
    count: int = 0
    amount: Decimal = ZERO

    def add(self, amount) -> None:
        self.count += 1
        self.amount += amount or ZERO

    def as_json(self) -> dict:
        return {"count": self.count, "amount": str(self.amount)}


def _counties(code: str, level: str) -> dict[str, str]:
    return dict(Region.objects.filter(within("code", code, level), level=Level.COUNTY).order_by("code")
                .values_list("code", "name"))


def _decided(code: str, level: str, since: datetime.datetime):
    return (Application.objects.filter(within("region_code", code, level), program=CODE,
                                       status__in=list(DECIDED_STATUSES), decided_at__gte=since,
                                       amount_approved__isnull=False)
            .order_by("pk"))


@dataclass
class LimitTally:
    decided: Counted = field(default_factory=Counted)
    by_township: Counted = field(default_factory=Counted)
    by_county: Counted = field(default_factory=Counted)
    needs_county: Counted = field(default_factory=Counted)
    township_enough: Counted = field(default_factory=Counted)
    pay_first_above: Counted = field(default_factory=Counted)

    def as_json(self) -> dict:
        return {name: getattr(self, name).as_json() for name in
                ("decided", "by_township", "by_county", "needs_county", "township_enough", "pay_first_above")}


def township_limit(*, region_code: str, level: str, limit: Decimal, progress: Progress | None = None,
                   today: datetime.date | None = None) -> Answer:
    since, first = window(today)
    counties = _counties(region_code, level)
    cases = list(_decided(region_code, level, since).values_list(
        "pk", "household_id", "region_code", "amount_approved", "decision_level", "related_to_staff"))
    urgent = list(Instalment.objects.filter(
        application__program=CODE, number=0, status=InstalmentStatus.PAID, paid_at__gte=since,
        amount__gt=limit).filter(within("application__region_code", region_code, level))
        .order_by("pk").values_list("application_id", "application__household_id", "application__region_code",
                                    "amount"))
    total = len(cases) + len(urgent)
    if progress is not None:
        progress(0, total)
    rules = list(AssistanceRule.objects.filter(effective_from__lte=today or timezone.localdate()).order_by("pk"))
    tallies: dict[str, LimitTally] = defaultdict(LimitTally)
    rows: list[WhatIfRow] = []
    for pk, household_id, region, amount, decided_at_level, staff_relative in cases:
        county = code_of(region, Level.COUNTY)
        tally = tallies[county]
        tally.decided.add(amount)
        change = None
        if decided_at_level == "county":
            tally.by_county.add(amount)
            # A relative of staff is the county's to decide whatever the amount.
            if amount <= limit and not staff_relative:
                tally.township_enough.add(amount)
                change = Change.TOWNSHIP_ENOUGH
        else:
            tally.by_township.add(amount)
            if amount > limit:
                tally.needs_county.add(amount)
                change = Change.NEEDS_COUNTY
        if change is not None:
            rows.append(WhatIfRow(household_id=household_id, application_id=pk, region_code=region,
                                  county_code=county, change=change, amount_now=amount, amount_new=limit))
    for application_id, household_id, region, amount in urgent:
        county = code_of(region, Level.COUNTY)
        tallies[county].pay_first_above.add(amount)
        rows.append(WhatIfRow(household_id=household_id, application_id=application_id, region_code=region,
                              county_code=county, change=Change.PAY_FIRST_ABOVE, amount_now=amount,
                              amount_new=limit))
    if progress is not None:
        progress(total, total)
    whole = LimitTally()
    per_county = []
    for county, name in counties.items():
        tally = tallies.get(county, LimitTally())
        for name_of, part in vars(tally).items():
            getattr(whole, name_of).count += part.count
            getattr(whole, name_of).amount += part.amount
        rule = pick(rules, county, today or timezone.localdate())
        per_county.append({"code": county, "name": name,
                           "limit_now": str(rule.township_limit) if rule is not None else None,
                           **tally.as_json()})
    return Answer({"limit": str(limit), "since": first.isoformat(), "counties": per_county,
                   "total": whole.as_json()}, rows)


@dataclass
class BandTally:
    decided: Counted = field(default_factory=Counted)
    below: Counted = field(default_factory=Counted)
    above: Counted = field(default_factory=Counted)
    # How far outside: what the new minimum would have added, and the new maximum taken off.
    shortfall: Decimal = ZERO
    excess: Decimal = ZERO

    def as_json(self) -> dict:
        return {"decided": self.decided.as_json(), "below": self.below.as_json(), "above": self.above.as_json(),
                "shortfall": str(self.shortfall), "excess": str(self.excess)}


def amount_band(*, region_code: str, level: str, cause_category: str, min_multiple: Decimal | None,
                max_multiple: Decimal | None, max_amount: Decimal | None, progress: Progress | None = None,
                today: datetime.date | None = None) -> Answer:
    since, first = window(today)
    band = AmountBand(cause_category=cause_category, min_multiple=min_multiple, max_multiple=max_multiple,
                      max_amount=max_amount)  # never saved: read as the band would be
    counties = _counties(region_code, level)
    cases = list(_decided(region_code, level, since).filter(temporary__cause_category=cause_category)
                 .values_list("pk", "household_id", "region_code", "household__registration", "amount_approved",
                              "decided_at"))
    total = len(cases)
    if progress is not None:
        progress(0, total)
    standards = list(DibaoStandard.objects.order_by("pk"))
    tallies: dict[str, BandTally] = defaultdict(BandTally)
    rows: list[WhatIfRow] = []
    for pk, household_id, region, registration, amount, decided_at in cases:
        county = code_of(region, Level.COUNTY)
        day = timezone.localtime(decided_at).date()
        standard = pick((s for s in standards if s.registration == registration), region, day)
        low, high = band_limits(band, standard.monthly_amount if standard is not None else None)
        tally = tallies[county]
        tally.decided.add(amount)
        if low is not None and amount < low:
            tally.below.add(amount)
            tally.shortfall += low - amount
            rows.append(WhatIfRow(household_id=household_id, application_id=pk, region_code=region,
                                  county_code=county, change=Change.BELOW_BAND, amount_now=amount, amount_new=low))
        elif high is not None and amount > high:
            tally.above.add(amount)
            tally.excess += amount - high
            rows.append(WhatIfRow(household_id=household_id, application_id=pk, region_code=region,
                                  county_code=county, change=Change.ABOVE_BAND, amount_now=amount, amount_new=high))
    if progress is not None:
        progress(total, total)
    whole = BandTally()
    per_county = []
    for county, name in counties.items():
        tally = tallies.get(county, BandTally())
        for part in ("decided", "below", "above"):
            getattr(whole, part).count += getattr(tally, part).count
            getattr(whole, part).amount += getattr(tally, part).amount
        whole.shortfall += tally.shortfall
        whole.excess += tally.excess
        per_county.append({"code": county, "name": name, **tally.as_json()})
    return Answer({"cause_category": cause_category, "since": first.isoformat(), "counties": per_county,
                   "total": whole.as_json()}, rows)
