"""Registry pages: list, export, registration, detail, members, incomes and assets, corrections,
reveals.

Each view checks the role's permission (403), loads through the region scope (404),
and leaves every change to registry.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.models import AuditEvent
from core.decorators import staff_view
from core.errors import Conflict, InvalidInput
from core.scoping import get_visible_or_404
from deadlines.models import Deadline
from exports.responses import export as export_response
from forms.registry import (
    AssetForm,
    DuplicateResolutionForm,
    HouseholdForm,
    HouseholdSearchForm,
    IncomeForm,
    MemberForm,
    MemberFormSet,
    PersonEditForm,
    RevealForm,
    apply_errors,
)
from means.services import means_test
from regions.models import Region
from registry import services
from registry.models import Asset, DuplicateRegistration, DuplicateStatus, Household, Income, Person, Relation
from registry.search import search_households
from registry.selectors import member_disclosure

from . import trail
from .export_kinds import HOUSEHOLDS, household_params
from .queries import with_list_data

PAGE_SIZE = 50
HISTORY_LIMIT = 100


def _search(request):
    """(form, households) for the list and the export: an invalid filter finds nothing
    rather than silently widening the search."""
    form = HouseholdSearchForm(request.GET or None, user=request.user)
    if not form.is_bound:
        return form, search_households(request.user)
    if not form.is_valid():
        return form, Household.objects.none()
    return form, search_households(request.user, q=form.cleaned_data["q"], region=form.cleaned_data["region"])


@staff_view("registry.view_household")
@require_safe
def household_list(request):
    form, households = _search(request)
    page = Paginator(with_list_data(households), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/household_list.html", {"form": form, "page": page})


@staff_view("registry.view_household")
@require_safe
def household_export(request):
    """The list's households as xlsx: answered at once up to EXPORT_INLINE_MAX_ROWS, beyond
    that written by a worker while the user watches a progress page (a city's roster takes
    longer than a web worker may be held)."""
    form, households = _search(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Correct the search before exporting."))
        return redirect(reverse("household_list") + "?" + request.GET.urlencode())
    return export_response(request, HOUSEHOLDS, households, household_params(form))


@staff_view("registry.add_household")
@require_http_methods(["GET", "POST"])
def household_create(request):
    if request.method == "POST":
        form = HouseholdForm(request.POST, user=request.user)
        formset = MemberFormSet(request.POST, prefix="members")
        # Both validated, so the user sees every problem in one round.
        forms_valid = [form.is_valid(), formset.is_valid()]
        if all(forms_valid):
            try:
                household = services.register_household(
                    request.user,
                    region=form.cleaned_data["region"],
                    address=form.cleaned_data["address"],
                    registration=form.cleaned_data["registration"],
                    members=[f.service_data() for f in formset.filled_forms()],
                    request=request,
                )
            except InvalidInput as exc:
                errors = dict(exc.errors)
                member_errors = errors.pop("members", None)
                apply_errors(form, errors)
                if member_errors:
                    formset.apply_errors(member_errors)
            else:
                messages.success(request, _("Household registered with %(n)d members.") % {
                    "n": len(formset.filled_forms())})
                return redirect("household_detail", pk=household.pk)
    else:
        form = HouseholdForm(user=request.user)
        formset = MemberFormSet(prefix="members", initial=[{"relation": Relation.HEAD}])
    return render(request, "registry/household_form.html", {"form": form, "formset": formset})


def household_for(user, pk):
    return get_visible_or_404(
        Household.objects.select_related("region__parent__parent__parent", "created_by"), user, pk=pk
    )


def _history(user, household, people, incomes=(), assets=()):
    def ids(rows):
        return [str(r.pk) for r in rows]

    return trail.rows(
        AuditEvent.objects.visible_to(user).select_related("actor")
        .filter(
            Q(object_type="registry.household", object_id=str(household.pk))
            | Q(object_type="registry.person", object_id__in=ids(people))
            | Q(object_type="registry.income", object_id__in=ids(incomes))
            | Q(object_type="registry.asset", object_id__in=ids(assets))
        )[:HISTORY_LIMIT]
    )


def _incomes(user, household):
    return list(Income.objects.visible_to(user).filter(household=household).select_related("person"))


def _assets(user, household):
    return list(Asset.objects.visible_to(user).filter(household=household).select_related("person"))


@staff_view("registry.view_household")
@require_safe
def household_detail(request, pk):
    user = request.user
    household = household_for(user, pk)
    today = timezone.localdate()
    # What the member table shows is registry.selectors' one definition, which the API follows too.
    disclosure = member_disclosure(user)
    context = {"household": household, "today": today, "disclosure": disclosure}
    if disclosure.all_members:
        people = sorted(
            household.members.prefetch_related("conditions"),
            key=lambda p: (p.relation != Relation.HEAD, p.pk),
        )
        incomes = _incomes(user, household) if user.has_perm("registry.view_income") else None
        assets = _assets(user, household) if user.has_perm("registry.view_asset") else None
        context.update(members=people, member_fields=disclosure.fields,
                       history=_history(user, household, people, incomes or (), assets or ()))
        if incomes is not None:
            # Current: in force today or starting later; past: ended before today.
            context["incomes"] = [i for i in incomes if i.valid_to is None or i.valid_to >= today]
            context["past_incomes"] = [i for i in incomes if i.valid_to is not None and i.valid_to < today]
            if user.has_perm("registry.add_income"):
                context["income_form"] = IncomeForm(members=people, initial={"start": today})
        if assets is not None:
            context["assets"] = [a for a in assets if a.valid_to is None]
            context["past_assets"] = [a for a in assets if a.valid_to is not None]
            if user.has_perm("registry.add_asset"):
                context["asset_form"] = AssetForm(members=people, current=context["assets"],
                                                  initial={"as_of": today})
        if incomes is not None and assets is not None:
            # From the rows already loaded for the lists: only the standard and the rule are read.
            context["means"] = means_test(household, "dibao", today, people=people, incomes=incomes, assets=assets)
    if user.has_perm("registry.add_person"):
        context["member_form"] = MemberForm(prefix="member")
    return render(request, "registry/household_detail.html", context)


def _members_of(household):
    return list(household.members.order_by("pk"))


@staff_view("registry.add_income")
@require_http_methods(["GET", "POST"])
def household_add_income(request, pk):
    household = household_for(request.user, pk)
    members = _members_of(household)
    form = IncomeForm(request.POST or None, members=members, initial={"start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_income(request.user, household, member=data["member"] or None, kind=data["kind"],
                                   monthly_amount=data["monthly_amount"], start=data["start"], end=data["end"],
                                   note=data["note"], request=request)
        except InvalidInput as exc:
            apply_errors(form, exc.errors)
        else:
            messages.success(request, _("Income recorded."))
            return redirect(reverse("household_detail", args=[household.pk]) + "#incomes")
    return render(request, "registry/income_form.html", {"household": household, "form": form})


@staff_view("registry.add_asset")
@require_http_methods(["GET", "POST"])
def household_add_asset(request, pk):
    household = household_for(request.user, pk)
    members = _members_of(household)
    current = list(Asset.objects.filter(household=household, valid_to__isnull=True))
    form = AssetForm(request.POST or None, members=members, current=current,
                     initial={"as_of": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_asset(request.user, household, member=data["member"] or None, kind=data["kind"],
                                  value=data["value"], as_of=data["as_of"], replaces=data["replaces"] or None,
                                  note=data["note"], request=request)
        except InvalidInput as exc:
            apply_errors(form, exc.errors)
        else:
            messages.success(request, _("Asset recorded."))
            return redirect(reverse("household_detail", args=[household.pk]) + "#assets")
    return render(request, "registry/asset_form.html", {"household": household, "form": form})


def _map_member_errors(form, exc: InvalidInput) -> None:
    errors = dict(exc.errors)
    member_errors = errors.pop("members", None) or []
    for item in member_errors:
        if isinstance(item, dict):
            apply_errors(form, item)
        else:
            form.add_error(None, str(item))
    apply_errors(form, errors)


@staff_view("registry.add_person")
@require_http_methods(["GET", "POST"])
def household_add_member(request, pk):
    household = household_for(request.user, pk)
    form = MemberForm(request.POST or None, prefix="member")
    if request.method == "POST" and form.is_valid():
        try:
            person = services.add_member(request.user, household, form.service_data(), request=request)
        except InvalidInput as exc:
            _map_member_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added to the household.") % {"name": person.name})
            return redirect("household_detail", pk=household.pk)
    return render(request, "registry/member_form.html", {"household": household, "form": form})


def _person_for(user, pk):
    return get_visible_or_404(Person.objects.select_related("household__region"), user, pk=pk)


@staff_view("registry.change_person")
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = _person_for(request.user, pk)
    if request.method == "POST":
        form = PersonEditForm(request.POST, masked_id=person.masked_id)
        if form.is_valid():
            try:
                services.update_person(
                    request.user, person, form.service_data(), reason=form.cleaned_data["reason"], request=request
                )
            except InvalidInput as exc:
                _map_member_errors(form, exc)
            else:
                messages.success(request, _("Changes to %(name)s saved.") % {"name": form.cleaned_data["name"]})
                return redirect("household_detail", pk=person.household_id)
    else:
        form = PersonEditForm(masked_id=person.masked_id, initial={
            "name": person.name, "relation": person.relation, "disability_kind": person.disability_kind or "",
            "disability_grade": person.disability_grade or "", "conditions": person.condition_codes,
            "phone": person.phone,
        })
    return render(request, "registry/person_edit.html", {"person": person, "form": form})


@never_cache
@staff_view("registry.view_household")
@require_http_methods(["GET", "POST"])
def person_reveal(request, pk):
    """The full number is rendered into this one response only: never put in the session,
    a URL or a redirect, and the response is marked not to be cached. A role without the
    right is refused (403); a refused reveal is audited by the service like a granted one."""
    person = _person_for(request.user, pk)
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = services.reveal_id_number(request.user, person, reason=form.cleaned_data["reason"], request=request)
        return render(request, "registry/person_revealed.html", {"person": person, "id_number": number})
    if not member_disclosure(request.user).may_reveal:
        raise PermissionDenied
    return render(request, "registry/person_reveal.html", {"person": person, "form": form})


# --- duplicate registrations: the county's work -------------------------------------------------

RESOLVE = "registry.resolve_duplicateregistration"


def _duplicates_page(request, form=None, form_for=None, *, status=200):
    user = request.user
    reports = (DuplicateRegistration.objects.visible_to(user).filter(status=DuplicateStatus.OPEN)
               .select_related("person__household__region", "reported_by").order_by("reported_at", "pk"))
    reports = list(reports)
    deadlines = {d.subject_id: d for d in Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(DuplicateRegistration), subject_id__in=[r.pk for r in reports])}
    names = dict(Region.objects.filter(code__in={r.attempted_region_code for r in reports})
                 .values_list("code", "name"))
    for report in reports:
        report.deadline = deadlines.get(report.pk)
        report.attempted_place = names.get(report.attempted_region_code, report.attempted_region_code)
        report.form = form if form_for == report.pk else DuplicateResolutionForm(prefix=f"d{report.pk}")
    resolved = (DuplicateRegistration.objects.visible_to(user).filter(status=DuplicateStatus.RESOLVED)
                .select_related("person", "resolved_by").order_by("-resolved_at")[:20])
    return render(request, "registry/duplicate_list.html", {"reports": reports, "resolved": resolved,
                                                            "now": timezone.now()}, status=status)


@never_cache
@staff_view(RESOLVE)
@require_safe
def duplicate_list(request):
    """Registrations refused because a member is registered in a household of the user's
    county: who ran into it, where, and the existing registration, to resolve each."""
    return _duplicates_page(request)


@staff_view(RESOLVE)
@require_POST
def duplicate_resolve(request, pk):
    report = get_visible_or_404(DuplicateRegistration.objects.all(), request.user, pk=pk)
    form = DuplicateResolutionForm(request.POST, prefix=f"d{report.pk}")
    if form.is_valid():
        try:
            services.resolve_duplicate(request.user, report, resolution=form.cleaned_data["resolution"],
                                       note=form.cleaned_data["note"], request=request)
        except InvalidInput as exc:
            apply_errors(form, exc.errors)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("duplicate_list")
        else:
            messages.success(request, _("Recorded. Whoever ran into the duplicate registration is told."))
            return redirect("duplicate_list")
    return _duplicates_page(request, form, report.pk, status=400)
