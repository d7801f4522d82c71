"""低保 and 特困 enrolment in the JSON API (API.md, "Steps of the 低保 and 特困 flows" and
"Version 1 additions"):

    POST     /api/v1/applications/{id}/objections/  {"text", "raised_by"} (township staff) → 201 while the
                                                    case's notice runs, else 409; GET lists them
    POST     /api/v1/applications/{id}/extend/      {"reason"} (county) → 200 the application
    GET      /api/v1/notices/?region=&program=&kind= the posted lists of the caller's region
    GET      /api/v1/notices/{id}/document/         the posted PDF; its SHA-256 is the ETag (audited)
    GET|POST /api/v1/spot-checks/                   特困's county spot checks; POST {"county", "period"} draws them

The steps themselves go through the work queue (POST /api/v1/tasks/{id}/complete/), and a
case's enrolment fields are the ``enrolment`` object of GET /api/v1/applications/{id}/.
Role first (403), then region (404, never revealing that a record exists); every change
through workflows.enrolment.services (and 特困's own services for the spot checks).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.db.models import Q
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from assistance.models import Application
from audit import services as audit
from core.errors import Conflict, InvalidInput
from core.permissions import ActionPermission
from core.scoping import get_visible_or_404, user_code_range
from regions.codes import within
from regions.models import Region
from workflows.enrolment import notices as notice_documents
from workflows.enrolment import services as enrolment
from workflows.enrolment.models import (
    EnrolmentDetails,
    NoticeKind,
    Objection,
    ObjectionOutcome,
    ProgramCode,
    PublicNotice,
    SpotCheck,
)
from workflows.tekun import services as tekun

from .means import MethodPermission

PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
COUNTY_RE = re.compile(r"^\d{12}$")


def money(value) -> str | None:
    return None if value in (None, "") else f"{value:.2f}"


def _username(user) -> str | None:
    return user.username if user is not None else None


def _scoped(queryset, user, field: str = "region_code"):
    """Rows whose ``field`` lies in the caller's region (core.scoping's range): the posted
    lists and spot checks are scoped like the cases they belong to."""
    scope = user_code_range(user)
    if scope is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__range": scope})


def _region_filter(user, code: str | None, field: str) -> Q | None:
    """``?region=``: a region the caller sees, and everything below it; another region
    answers an empty list (as the application list does), never whether it exists."""
    if not code:
        return Q()
    place = Region.objects.visible_to(user).filter(code=code).first()
    return within(field, place.code, place.level) if place else None


# --- a case's enrolment fields (the ``enrolment`` object of an application) ----------------------------

class _MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _VerificationSerializer(serializers.Serializer):
    results = serializers.DictField(child=serializers.ChoiceField(choices=enrolment.RESULTS),
                                    help_text="clear or found, per source; empty until the county verified")
    found = serializers.ListField(child=serializers.CharField(), help_text="the sources with a finding")
    note = serializers.CharField()
    verified_by = serializers.CharField(allow_null=True)
    verified_at = serializers.DateTimeField(allow_null=True)


class _FirstReviewSerializer(serializers.Serializer):
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    recommended_amount = serializers.CharField(allow_null=True, help_text="yuan a month, two places")


class _ExtensionSerializer(serializers.Serializer):
    reason = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)


class _TimeLimitSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()
    extended = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True, help_text="when the case was decided; null: it runs")


class _CaseNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    round = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    running = serializers.BooleanField()
    document = serializers.URLField()


class ObjectionSerializer(serializers.ModelSerializer):
    application = serializers.IntegerField(source="application_id")
    notice = serializers.IntegerField(source="notice_id")
    recorded_by = serializers.CharField(source="recorded_by.username")
    outcome = serializers.ChoiceField(choices=ObjectionOutcome.choices, allow_blank=True,
                                      help_text="empty until the re-investigation answers it")

    class Meta:
        model = Objection
        fields = ["id", "application", "notice", "text", "raised_by", "recorded_by", "recorded_at", "outcome",
                  "findings", "answered_at"]


class EnrolmentSerializer(serializers.Serializer):
    """The schema of a 低保/特困 case's own fields (``enrolment_body`` writes them); a
    program's further fields (特困: self_care, self_care_grade, unable_to_work,
    unable_reason) stand beside these."""

    delegated = serializers.BooleanField(help_text="confirmation delegated to the township")
    covered_member = _MemberSerializer(allow_null=True, help_text="individual coverage (单人保); null: the household")
    household_size = serializers.IntegerField(allow_null=True, help_text="people covered, at the last decision")
    family_signed = serializers.BooleanField()
    verification = _VerificationSerializer()
    first_review = _FirstReviewSerializer()
    paid_from = serializers.DateField(allow_null=True, help_text="the first month paid (the month after approval)")
    means = serializers.DictField(allow_null=True, help_text="the means test at the last decision: its lines and "
                                                             "reasons, as shown then")
    notices = _CaseNoticeSerializer(many=True)
    objections = ObjectionSerializer(many=True)
    extension = _ExtensionSerializer(allow_null=True)
    time_limit = _TimeLimitSerializer(allow_null=True, help_text="the whole-case limit, where the program has one")
    self_care = serializers.DictField(child=serializers.BooleanField(), required=False,
                                      help_text="特困: the six daily activities, true = done unaided")
    self_care_grade = serializers.CharField(required=False, help_text="特困")
    unable_to_work = serializers.BooleanField(required=False, allow_null=True, help_text="特困")
    unable_reason = serializers.CharField(required=False, help_text="特困")


_SHARED_FIELDS = {f.name for f in EnrolmentDetails._meta.get_fields()} | {"case"}


def is_enrolment(application) -> bool:
    return isinstance(application.details, EnrolmentDetails)


def notice_url(notice_id: int, request=None) -> str:
    path = reverse("notice-document", kwargs={"pk": notice_id})
    return request.build_absolute_uri(path) if request is not None else path


def enrolment_body(application, request=None, now=None) -> dict | None:
    """What a 低保/特困 case adds to the application: None for another program's case."""
    details = application.details
    if not isinstance(details, EnrolmentDetails):
        return None
    now = now or timezone.now()
    notices = list(PublicNotice.objects.filter(application_id=application.pk).order_by("starts_at", "id")
                   .only("id", "kind", "round", "starts_at", "ends_at", "withdrawn_at"))
    objections = Objection.objects.filter(application_id=application.pk).select_related("recorded_by")
    clock = enrolment.case_clock(application)
    body = {
        "delegated": details.delegated,
        "covered_member": ({"id": details.covered_member_id, "name": details.covered_member.name}
                           if details.covered_member_id else None),
        "household_size": details.household_size,
        "family_signed": details.family_signed,
        "verification": {"results": details.verification or {}, "found": details.found_sources(),
                         "note": details.verification_note, "verified_by": _username(details.verified_by),
                         "verified_at": details.verified_at},
        "first_review": {"by": _username(details.reviewed_by), "at": details.reviewed_at,
                         "reason": details.review_reason, "recommended_amount": money(application.recommended_amount)},
        "paid_from": details.paid_from,
        "means": details.means or None,
        "notices": [{"id": n.pk, "kind": n.kind, "round": n.round, "starts_at": n.starts_at, "ends_at": n.ends_at,
                     "withdrawn_at": n.withdrawn_at, "running": n.is_running(now),
                     "document": notice_url(n.pk, request)} for n in notices],
        "objections": ObjectionSerializer(objections, many=True).data,
        "extension": ({"reason": details.extension_reason, "at": details.extended_at,
                       "by": _username(details.extended_by)} if details.extended_at else None),
        "time_limit": ({"due_at": clock.due_at, "overdue": clock.is_overdue(now),
                        "extended": details.extended_at is not None, "closed_at": clock.closed_at}
                       if clock is not None else None),
    }
    # The program's own fields (特困: the self-care grading and whether the applicant can work).
    for field in details._meta.concrete_fields:
        if field.name not in _SHARED_FIELDS:
            body[field.name] = getattr(details, field.attname)
    return body


# --- objections and extensions -----------------------------------------------------------------------

class ObjectionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    raised_by = serializers.CharField(max_length=100, required=False, allow_blank=True, default="",
                                      help_text="who objected (a villager, the village committee…)")


class ObjectionsView(GenericAPIView):
    """Objections to a case's posted first-review opinion. Recording one withdraws the
    notice and opens a re-investigation; a new review and a new notice follow."""

    permission_classes = [IsAuthenticated, MethodPermission]
    method_perms = {"GET": ["assistance.view_application"],
                    "POST": ["assistance.view_application", "enrolment.add_objection"]}
    serializer_class = ObjectionSerializer

    def application(self) -> Application:
        return get_visible_or_404(Application.objects.all(), self.request.user, pk=self.kwargs["pk"])

    def get(self, request, pk):
        application = self.application()
        rows = Objection.objects.filter(application=application).select_related("recorded_by")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ObjectionSerializer(page, many=True).data)

    @extend_schema(request=ObjectionInputSerializer, responses={201: ObjectionSerializer})
    def post(self, request, pk):
        application = self.application()
        data = ObjectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = enrolment.raise_objection(request.user, application.pk, request=request, **data.validated_data)
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


class ExtendInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="kept on the case and in its history")


class ExtendView(GenericAPIView):
    """Extend a case's whole-case limit (低保: to 45 working days from intake)."""

    permission_classes = [IsAuthenticated, MethodPermission]
    method_perms = {"POST": ["assistance.view_application", "enrolment.extend_case"]}

    @extend_schema(request=ExtendInputSerializer, responses={200: OpenApiTypes.OBJECT},
                   description="Answers the application as GET /api/v1/applications/{id}/ does.")
    def post(self, request, pk):
        from .assistance import ApplicationDetailSerializer

        application = get_visible_or_404(Application.objects.all(), request.user, pk=pk)
        data = ExtendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not is_enrolment(application):
            raise Conflict(_("This case has no whole-case limit to extend."))
        enrolment.extend(request.user, application.pk, request=request, **data.validated_data)
        application = Application.objects.get(pk=application.pk)
        return Response(ApplicationDetailSerializer(application, context={"now": timezone.now(),
                                                                          "request": request}).data)


# --- posted lists --------------------------------------------------------------------------------------

class NoticeEntrySerializer(serializers.Serializer):
    name = serializers.CharField(help_text="masked as the county's rule says")
    household_size = serializers.IntegerField()
    amount = serializers.CharField(help_text="yuan a month, two places")


class NoticeSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_code")
    program = serializers.ChoiceField(choices=ProgramCode.choices)
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    application = serializers.IntegerField(source="application_id")
    running = serializers.SerializerMethodField()
    document = serializers.SerializerMethodField()
    entries = serializers.SerializerMethodField()

    class Meta:
        model = PublicNotice
        fields = ["id", "region", "program", "kind", "round", "application", "starts_at", "ends_at", "withdrawn_at",
                  "running", "document", "sha256", "entries"]

    def get_running(self, notice) -> bool:
        return notice.is_running(self.context.get("now"))

    def get_document(self, notice) -> str:
        return notice_url(notice.pk, self.context.get("request"))

    @staticmethod
    def _entry(entry: dict) -> dict:
        # What is posted, and only that: never an ID number, an address or bank data.
        return {"name": entry.get("name", ""), "household_size": entry.get("household_size"),
                "amount": money(_decimal(entry.get("amount")))}

    def get_entries(self, notice) -> list[dict]:
        return NoticeEntrySerializer([self._entry(e) for e in notice.entries], many=True).data


def _decimal(value):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _notice_filename(notice: PublicNotice) -> tuple[str, str]:
    """An ASCII name for old clients, and the Chinese one."""
    kind = "公示" if notice.kind == NoticeKind.FIRST_REVIEW else "公布"
    return (f"notice-{notice.application_id}-{notice.kind}-{notice.round}.pdf",
            f"{kind}-{notice.application_id}-第{notice.round}次.pdf")


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The lists posted in the caller's region (公示 and 公布), newest first."""

    lookup_value_regex = "[0-9]+"
    serializer_class = NoticeSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_perms = {"list": "enrolment.view_publicnotice", "retrieve": "enrolment.view_publicnotice",
                    "document": "enrolment.view_publicnotice"}

    def get_queryset(self):
        # The PDF is read only by the download: a list never loads it.
        qs = _scoped(PublicNotice.objects.defer("content"), self.request.user)
        if self.action == "list":
            params = self.request.query_params
            region = _region_filter(self.request.user, params.get("region"), "region_code")
            if region is None:
                return qs.none()
            qs = qs.filter(region)
            if params.get("program"):
                qs = qs.filter(program=params["program"])
            if params.get("kind"):
                qs = qs.filter(kind=params["kind"])
        return qs.order_by("-starts_at", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(parameters=[
        OpenApiParameter("region", str, description="a region code: its lists and those below it"),
        OpenApiParameter("program", str, enum=ProgramCode.values),
        OpenApiParameter("kind", str, enum=NoticeKind.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY},
                   description="The posted PDF, rendered once and never changed; the ETag is its SHA-256. "
                               "Each download is recorded in the audit trail.")
    @action(detail=True, methods=["get"])
    def document(self, request, pk=None):
        notice = self.get_object()
        if not notice.sha256:
            # Rendered after the posting commits; a download before the worker got to it renders it now.
            notice = notice_documents.render(notice.pk)
        else:
            notice = PublicNotice.objects.get(pk=notice.pk)
        etag = f'"{notice.sha256}"'
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = HttpResponseNotModified()
        else:
            content = bytes(notice.content)
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Length"] = str(len(content))
            ascii_name, name = _notice_filename(notice)
            disposition = "attachment" if "download" in request.query_params else "inline"
            response["Content-Disposition"] = f"{disposition}; filename=\"{ascii_name}\"; " \
                                              f"filename*=UTF-8''{quote(name)}"
            audit.record("enrolment.notice.downloaded", actor=request.user, obj=notice,
                         region_code=notice.region_code,
                         extra={"application": notice.application_id, "kind": notice.kind, "round": notice.round,
                                "sha256": notice.sha256}, request=request)
        response["ETag"] = etag
        patch_cache_control(response, private=True, no_cache=True)
        return response


# --- 特困's spot checks ----------------------------------------------------------------------------------

class SpotCheckSerializer(serializers.ModelSerializer):
    application = serializers.IntegerField(source="application_id")
    region = serializers.CharField(source="application.region_code")
    county = serializers.CharField(source="county_code")
    drawn_by = serializers.CharField(source="drawn_by.username")
    checked_by = serializers.CharField(source="checked_by.username", allow_null=True, default=None)

    class Meta:
        model = SpotCheck
        fields = ["id", "application", "region", "county", "period", "drawn_at", "drawn_by", "checked_at",
                  "checked_by", "finding"]


class SpotCheckInputSerializer(serializers.Serializer):
    county = serializers.RegexField(COUNTY_RE, help_text="the county's 12-digit code",
                                    error_messages={"invalid": gettext_lazy("Choose a county of your region.")})
    period = serializers.RegexField(PERIOD_RE, help_text="YYYY-MM: the cases the county approved that month",
                                    error_messages={"invalid": gettext_lazy("Give the month as YYYY-MM.")})


def _check_period(value: str | None) -> None:
    if value and not PERIOD_RE.match(value):
        raise InvalidInput({"period": [_("Give the month as YYYY-MM.")]})


class SpotCheckView(GenericAPIView):
    """特困's spot checks: the county draws at least its rule's share (≥ 30 %) of the cases
    it approved in a month, at random; drawing again tops the list up, never twice a case."""

    permission_classes = [IsAuthenticated, MethodPermission]
    method_perms = {"GET": ["enrolment.view_spotcheck"], "POST": ["enrolment.view_spotcheck",
                                                                 "tekun.draw_spot_checks"]}
    serializer_class = SpotCheckSerializer

    def rows(self):
        return (_scoped(SpotCheck.objects.all(), self.request.user, "application__region_code")
                .select_related("application", "drawn_by", "checked_by"))

    @extend_schema(parameters=[OpenApiParameter("county", str, description="the county's 12-digit code"),
                               OpenApiParameter("period", str, description="YYYY-MM")])
    def get(self, request):
        params = request.query_params
        _check_period(params.get("period"))
        qs = self.rows()
        if params.get("county"):
            qs = qs.filter(county_code=params["county"])
        if params.get("period"):
            qs = qs.filter(period=params["period"])
        page = self.paginate_queryset(qs.order_by("-period", "county_code", "application_id"))
        return self.get_paginated_response(SpotCheckSerializer(page, many=True).data)

    @extend_schema(request=SpotCheckInputSerializer, responses={201: SpotCheckSerializer(many=True)},
                   description="Answers every spot check of that county and month, those drawn before included.")
    def post(self, request):
        data = SpotCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        drawn = tekun.draw_spot_checks(request.user, data.validated_data["county"], data.validated_data["period"],
                                       request=request)
        rows = self.rows().filter(pk__in=[s.pk for s in drawn]).order_by("application_id")
        return Response(SpotCheckSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)
