"""Turning an application into the HTML and PDF of one document.

Templates live in templates/documents/<kind>.html and extend a shared base with the
A4 page, the CJK font and the issuing body. Everything a template prints comes from
``build_context``; what the law fixes (appeal periods, legal basis) is named here,
once, so every notice says the same thing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core import programs
from regions.codes import Level, code_of
from regions.models import Region
from registry.models import Relation

from . import labels
from .models import DocumentKind

logger = logging.getLogger(__name__)

# 《中华人民共和国行政复议法》第二十条: sixty days from knowing of the decision.
ADMINISTRATIVE_REVIEW_DAYS = 60
# 《中华人民共和国行政诉讼法》第四十六条: six months from knowing of the decision.
LITIGATION_MONTHS = 6

LEGAL_BASIS = {
    "temporary": "《社会救助暂行办法》第四十七条至第五十条、《国务院关于全面建立临时救助制度的通知》（国发〔2014〕47号）",
    "dibao": "《社会救助暂行办法》第二章、《最低生活保障审核确认办法》（民发〔2021〕57号）",
    "tekun": "《社会救助暂行办法》第三章、《特困人员认定办法》（民发〔2021〕43号）",
}


@dataclass(frozen=True)
class Issuer:
    """Who signs a document: the township government (or street office) or the county
    civil-affairs bureau, by the level that decided."""

    name: str
    level: str  # "township" | "county"


def township_government(township: Region) -> str:
    # A street (街道) is run by an office of the district, a township (乡/镇) by its own government.
    return f"{township.name}办事处" if township.name.endswith("街道") else f"{township.name}人民政府"


def civil_affairs_bureau(region: Region) -> str:
    return f"{region.name}民政局"


@dataclass(frozen=True)
class Places:
    village: Region
    township: Region
    county: Region
    city: Region | None

    @classmethod
    def of(cls, application) -> Places:
        village = application.household.region
        codes = [application.township_code, application.county_code, code_of(application.region_code, Level.CITY)]
        found = Region.objects.in_bulk(codes)
        return cls(village=village, township=found[codes[0]], county=found[codes[1]], city=found.get(codes[2]))

    @classmethod
    def of_household(cls, household) -> Places:
        """The places of a household that has no case (a letter telling it it may apply)."""
        village = household.region
        codes = [code_of(village.code, level) for level in (Level.TOWNSHIP, Level.COUNTY, Level.CITY)]
        found = Region.objects.in_bulk(codes)
        return cls(village=village, township=found[codes[0]], county=found[codes[1]], city=found.get(codes[2]))

    def path(self) -> str:
        return "".join(self.names())

    def names(self) -> list[str]:
        return [r.name for r in (self.city, self.county, self.township, self.village) if r is not None]

    def full_address(self, address: str) -> str:
        """The household's address after its place, without saying a place twice: an
        address typed as "东关社区3号楼" after "…济阳街道东关社区" keeps one 东关社区."""
        names, address = self.names(), (address or "").strip()
        for start in range(len(names)):
            if address.startswith("".join(names[start:])):
                return "".join(names[:start]) + address
        for start in range(len(names)):  # the address may begin with one of the places only
            if address.startswith(names[start]):
                return "".join(names[:start]) + address
        return "".join(names) + address


def _issuer(kind: str, application, places: Places) -> Issuer:
    decided_by_county = application.decision_level == "county"
    if kind in (DocumentKind.DECISION_NOTICE, DocumentKind.REJECTION_NOTICE) and decided_by_county:
        return Issuer(civil_affairs_bureau(places.county), "county")
    return Issuer(township_government(places.township), "township")


def _review_bodies(issuer: Issuer, places: Places) -> list[str]:
    """Where to ask for administrative review: the people's government at the level
    above a township, or of the county whose bureau decided; or the civil-affairs
    department one level higher."""
    if issuer.level == "county":
        higher = civil_affairs_bureau(places.city) if places.city else "上一级民政部门"
        return [f"{places.county.name}人民政府", higher]
    return [f"{places.county.name}人民政府", civil_affairs_bureau(places.county)]


def _missing(items) -> list[str]:
    out = []
    for item in items or []:
        if isinstance(item, dict):
            item = item.get("label") or item.get("name") or item.get("document") or ""
        text = str(item).strip()
        if text:
            out.append(text)
    return out


def build_context(kind: str, application, *, instalment=None, issued_at=None) -> dict:
    places = Places.of(application)
    issuer = _issuer(kind, application, places)
    applicant = application.applicant
    members = sorted(application.household.members.all(), key=lambda p: (p.relation != Relation.HEAD, p.pk))
    context = {
        "kind": kind,
        "title": labels.title_for(kind, application.program),
        "application": application,
        "issuer": issuer,
        "places": places,
        "issued_at": issued_at or timezone.now(),
        "program_name": labels.label(labels.PROGRAM_NAMES, application.program),
        "refusal": labels.refusal(application.program),
        # The program's own fields, where it has them (temporary assistance: kind and cause).
        "kind_name": labels.label(labels.KIND_NAMES, getattr(application.details, "kind", "")),
        "cause_name": labels.label(labels.CAUSE_NAMES, getattr(application.details, "cause_category", "")),
        "applicant": {"name": applicant.name, "masked_id": applicant.masked_id, "phone": applicant.phone},
        "address": application.household.address,
        "full_address": places.full_address(application.household.address),
        "members": [{"name": m.name, "relation": labels.label(labels.RELATIONS, m.relation),
                     "masked_id": m.masked_id} for m in members],
        "investigators": [u.display_name for u in application.investigators.order_by("last_name", "first_name",
                                                                                       "username")],
        "intake_by": application.intake_by.display_name if application.intake_by else "",
        "approver": application.decided_by.display_name if application.decided_by else "",
        "decision_level_name": labels.label(labels.DECISION_LEVELS, application.decision_level),
        "legal_basis": LEGAL_BASIS.get(application.program, LEGAL_BASIS["temporary"]),
        "review_bodies": _review_bodies(issuer, places),
        "review_days": ADMINISTRATIVE_REVIEW_DAYS,
        "litigation_months": LITIGATION_MONTHS,
        "missing_documents": _missing(application.missing_documents),
        "instalments": list(application.instalments.order_by("number")),
    }
    spec = programs.program(application.program)
    if spec is not None and spec.document_context is not None:
        context.update(spec.document_context(application, kind))
    if instalment is not None:
        context["instalment"] = instalment
        context["instalment_source"] = labels.label(labels.INSTALMENT_SOURCES, instalment.source)
        context["instalment_date"] = instalment.paid_at or instalment.due_on
        context["instalment_payer"] = instalment.paid_by.display_name if instalment.paid_by else ""
    return context


def render_html(kind: str, context: dict) -> str:
    # The forms are Chinese by law, whoever's request (and language) triggered them.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(f"documents/{kind}.html", context)


def render_pdf(kind: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_html(kind, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def harfbuzz_subset_available() -> bool:
    """Without libharfbuzz-subset WeasyPrint falls back to fontTools: ~9 s a page instead of ~0.2 s."""
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None
