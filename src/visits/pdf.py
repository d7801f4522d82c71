"""The printable visit record: an A4 PDF for the household's file, signed by the visitor
and the family.

Rendered on request rather than stored: a record never changes once it is made, so
the same record always prints the same form (only the print time differs), and the
printout is a working copy, not a notice served on anyone (those are stored, with
their hash, by the documents app).
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from regions.codes import Level, code_of, township_of
from regions.models import Region

from .models import VisitRecord


def _photo_uri(record: VisitRecord) -> str:
    if not record.photo:
        return ""
    try:
        with record.photo.open("rb") as handle:
            data = handle.read()
    except OSError:
        return ""  # a lost file must not stop the record from printing
    return f"data:{record.photo_type or 'image/jpeg'};base64,{base64.b64encode(data).decode()}"


def context(record: VisitRecord) -> dict:
    visit = record.visit
    person = visit.person
    codes = [visit.region_code, township_of(visit.region_code), code_of(visit.region_code, Level.COUNTY)]
    places = Region.objects.in_bulk(codes)
    path = "".join(places[c].name for c in reversed(codes) if c in places)
    follow_up = getattr(visit, "follow_up", None) if record.outcome == "needs_help" else None
    return {
        "record": record, "visit": visit, "plan": visit.plan, "person": person,
        "age": person.age_on(timezone.localtime(record.visited_at).date()),
        "conditions": [c.get_condition_display() for c in person.conditions.all()],
        "household": visit.household, "place": path, "findings": record.finding_rows(),
        "photo": _photo_uri(record), "follow_up": follow_up, "printed_at": timezone.now(),
        "attempts": list(visit.records.filter(pk__lt=record.pk).order_by("visited_at", "pk")),
    }


def render_record_html(record: VisitRecord) -> str:
    # A form for the household's file: Chinese, whatever the language of the page it was printed from.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("visits/record_pdf.html", context(record))


def render_record_pdf(record: VisitRecord) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_record_html(record), base_url=str(settings.BASE_DIR)).write_pdf()
