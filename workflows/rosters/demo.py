"""The rosters' part of the demo city: a bank account for every approved demo 低保/特困
case (so its roster lines can be sent to the bank), and a price-subsidy rule for the city
(30.00 yuan per person a month, at the national triggers). Safe to run again."""

from __future__ import annotations

import datetime
from decimal import Decimal

from assistance.models import Application
from workflows.enrolment.models import ONGOING_STATUSES

from .models import BankAccount, PriceSubsidyRule

DEMO_CITY = "3708"
DEMO_BANK = "济宁农商银行"


def seed_accounts(program: str, admin=None) -> int:
    """Accounts for the approved cases of ``program`` that have none; returns how many were made."""
    cases = (Application.objects.filter(program=program, status__in=list(ONGOING_STATUSES), bank_account__isnull=True)
             .select_related("applicant").order_by("pk"))
    made = [BankAccount(application=case, holder=case.applicant.name[:50], bank_name=DEMO_BANK,
                        account_number=f"62230915{case.pk:08d}", updated_by=admin) for case in cases]
    BankAccount.objects.bulk_create(made)
    PriceSubsidyRule.objects.get_or_create(scope=DEMO_CITY, effective_from=datetime.date(2026, 1, 1),
                                           defaults={"per_person": Decimal("30.00")})
    return len(made)
