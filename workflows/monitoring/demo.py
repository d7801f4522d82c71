"""Early warning's part of the demo city: the county's medical-insurance list for the demo
township (three registered people with a serious illness or disability and large costs,
two people not registered, one with small costs), then a scan of the township, so the
caseworker's warnings and the supervisor's figures are not empty. Safe to run again: the
same list is imported once, and a second scan raises nothing already open."""

from __future__ import annotations

import datetime
import hashlib

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext

from registry.models import Condition, Person
from registry.synthetic import make_id_number

from . import lists, services
from .models import EarlyWarning, ImportStatus, ListImport, WarningStatus

DEMO_REVIEWER = "county_reviewer"


def _csv(rows) -> bytes:
    return ("身份证号,姓名,区划代码,自付金额\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)).encode()


def seed(township_code: str) -> str:
    reviewer = get_user_model().objects.filter(username=DEMO_REVIEWER).first()
    if reviewer is None:
        return gettext("Early warning: no demo county reviewer, nothing seeded.")
    prefix = township_code[:9]
    ill = (Person.objects.filter(household__region__code__startswith=prefix)
           .filter(Q(conditions__condition=Condition.SERIOUS_ILLNESS) | Q(disability_grade__lte=2))
           .select_related("household").distinct().order_by("pk")[:3])
    village = ill[0].household.region_id if ill else township_code
    rows = [(p.id_number, p.name, p.household.region_id, f"{31250 + 7130 * i}.00") for i, p in enumerate(ill)]
    rows += [(make_id_number(township_code[:6], datetime.date(1946 + i, 3, 8), 880 + i), name, village, cost)
             for i, (name, cost) in enumerate((("马桂兰", "46800.00"), ("牛守义", "27350.50"), ("杨小梅", "860.00")))]
    content = _csv(rows)
    if not ListImport.objects.filter(status=ImportStatus.IMPORTED, region_code=reviewer.region_id,
                                     sha256=hashlib.sha256(content).hexdigest()).exists():
        lists.import_list(reviewer, "medical", content, file_name="医保大额自付名单.csv")
    services.scan(region_prefix=prefix)
    # What stands, not what this run added: a rerun prints the same line.
    waiting = EarlyWarning.objects.filter(region_code__startswith=prefix, status=WarningStatus.OPEN).count()
    return gettext("Early warning: a medical-insurance list of %(rows)d people; %(n)d warnings to follow up.") % {
        "rows": len(rows), "n": waiting}
