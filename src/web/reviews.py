"""The pages of ongoing 低保/特困 cases that are not a step: reporting a change of
circumstance and a refusal of work (forms on the case page), downloading a notice of a
payment change, and the township's list of changes (本乡镇变更) with its Excel export.

Views stay thin: workflows.reviews.services checks role, region and state and writes
the history. Records are read through the user's region (outsiders get 404); a role
without the permission gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from audit import services as audit
from core.decorators import staff_view
from core.errors import Conflict, InvalidInput, NotPermitted
from exports.responses import attachment
from exports.responses import export as export_response
from forms.registry import apply_errors
from workflows.reviews import notices, services
from workflows.reviews.exports import TOWNSHIP_CHANGES
from workflows.reviews.forms import ChangeForm, WorkRefusalForm
from workflows.reviews.models import BenefitNotice
from workflows.reviews.pages import params_of, township_filters

from .cases import application_for, case_page
from .enrolment_case import is_enrolment

PAGE_SIZE = 50


def _case(user, pk):
    application = application_for(user, pk)  # 404 outside the user's region
    if not is_enrolment(application):
        raise Http404
    return application


def _post(request, pk, form_class, service, form_name: str, done: str):
    application = _case(request.user, pk)
    form = form_class(request.POST, case=application)
    if not form.is_valid():
        return case_page(request, application, status=400, **{form_name: form})
    try:
        service(request.user, application.pk, request=request, **form.cleaned_data)
    except InvalidInput as exc:
        apply_errors(form, exc.errors)
        return case_page(request, application, status=400, **{form_name: form})
    except (Conflict, NotPermitted) as exc:
        messages.error(request, exc.message)
        return case_page(request, application, status=exc.status_code, **{form_name: form})
    messages.success(request, done)
    return redirect("application_detail", pk=application.pk)


@staff_view("reviews.add_changereport")
@require_POST
def change_create(request, pk):
    return _post(request, pk, ChangeForm, services.report_change, "change_form",
                 _("Change recorded: a review of the case is open."))


@staff_view("reviews.add_workrefusal")
@require_POST
def work_refusal_create(request, pk):
    return _post(request, pk, WorkRefusalForm, services.record_work_refusal, "refusal_form",
                 _("Refusal of work recorded."))


@staff_view("reviews.view_benefitnotice")
@require_safe
def benefit_notice_pdf(request, pk):
    notice = BenefitNotice.objects.visible_to(request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    if not notice.sha256:
        # Not rendered yet (its task still waits for a worker): render it now, once.
        notice = notices.render(notice.pk)
    name = f"benefit-notice-{notice.application_id}-{notice.kind}-{notice.pk}.pdf"
    display = _("Notice %(id)s-%(number)s.pdf") % {"id": notice.application_id, "number": notice.pk}
    response = attachment(bytes(notice.content), name, "application/pdf", display_name=display)
    if request.method == "GET":
        audit.record("reviews.notice.downloaded", actor=request.user, obj=notice, region_code=notice.region_code,
                     extra={"application": notice.application_id, "sha256": notice.sha256}, request=request)
    return response


@staff_view("reviews.view_review")
@require_safe
def township_changes(request):
    form, reviews, changes = township_filters(request.user, request.GET)
    reviews = reviews.select_related("application__applicant", "decided_by").order_by("-opened_at", "-pk")
    changes = changes.select_related("application__applicant", "created_by").order_by("-created_at", "-pk")
    return render(request, "reviews/township_changes.html", {
        "form": form,
        "reviews": Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page")),
        "changes": Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": request.GET.urlencode(),
    })


@staff_view("reviews.view_review")
@require_safe
def township_changes_export(request):
    form, _reviews, changes = township_filters(request.user, request.GET)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect("township_changes")
    return export_response(request, TOWNSHIP_CHANGES, changes, params_of(form))
