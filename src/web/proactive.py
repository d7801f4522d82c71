"""救助主动告知: the letters written to households that may apply, their delivery, and
whether the household then applied (the conversion the statistics page shows)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from audit import services as audit
from core.decorators import staff_view
from core.errors import DomainError, InvalidInput
from exports.responses import attachment
from regions.models import Region
from workflows.enrolment.models import DeliveryMethod, ProactiveNotice
from workflows.enrolment.proactive import conversion, record_delivery, with_outcome

PAGE_SIZE = 50
# Lazy: read in the language of the page that shows them, not the one at import.
STATES = (("", gettext_lazy("All")), ("waiting", gettext_lazy("Not delivered yet")),
          ("delivered", gettext_lazy("Delivered, no application yet")), ("applied", gettext_lazy("Applied afterwards")))


def _notices(user):
    return ProactiveNotice.objects.visible_to(user).defer("content", "means")


@staff_view("enrolment.view_proactivenotice")
@require_safe
def proactive_list(request):
    notices = _notices(request.user)
    program = request.GET.get("program", "")
    if program in ("dibao", "tekun"):
        notices = notices.filter(program=program)
    summary = conversion(notices)
    rows = with_outcome(notices).select_related("household").order_by("-created_at", "-pk")
    state = request.GET.get("state", "")
    if state == "waiting":
        rows = rows.filter(delivered=False, applied=False)
    elif state == "delivered":
        rows = rows.filter(delivered=True, applied=False)
    elif state == "applied":
        rows = rows.filter(applied=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    villages = dict(Region.objects.filter(code__in={n.region_code for n in page.object_list})
                    .values_list("code", "name"))
    for notice in page.object_list:
        notice.village = villages.get(notice.region_code, notice.region_code)
    return render(request, "enrolment/proactive_list.html", {
        "page": page, "summary": summary, "states": STATES, "state": state, "program": program,
        "methods": DeliveryMethod.choices, "today": timezone.localdate(),
        "may_record": request.user.has_perm("enrolment.add_proactivenotice"),
    })


@staff_view("enrolment.view_proactivenotice")
@require_safe
def proactive_pdf(request, pk):
    notice = ProactiveNotice.objects.visible_to(request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    response = attachment(bytes(notice.content), f"proactive-notice-{notice.pk}.pdf", "application/pdf",
                          display_name=_("Proactive notice %(id)s.pdf") % {"id": notice.pk})
    audit.record("enrolment.proactive_notice.downloaded", actor=request.user, obj=notice,
                 region_code=notice.region_code, extra={"sha256": notice.sha256}, request=request)
    return response


@staff_view("enrolment.add_proactivenotice")
@require_POST
def proactive_deliver(request, pk):
    notice = _notices(request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    try:
        day = datetime.date.fromisoformat(request.POST.get("delivered_on", ""))
    except ValueError:
        day = None
    try:
        record_delivery(request.user, notice, method=request.POST.get("method", ""), delivered_on=day,
                        note=request.POST.get("note", ""), request=request)
    except InvalidInput as exc:
        for errors in exc.errors.values():
            for error in errors:
                messages.error(request, error)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Delivery recorded: letter %(id)s, %(day)s.") % {"id": notice.pk, "day": day})
    return redirect(reverse("proactive_list") + f"#notice-{notice.pk}")
