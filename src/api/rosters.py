"""Monthly payment rosters in the JSON API (API.md, "Version 1 additions"):

    GET|POST /api/v1/rosters/                         the caller's county's rosters; POST {"county", "program",
                                                      "month": "YYYY-MM"} (county finance) → 201 new, 200 existing
    GET      /api/v1/rosters/{id}/                    one roster (while generating: "progress")
    GET      /api/v1/rosters/{id}/lines/              its lines (?status=pending|paid|failed), accounts masked
    POST     /api/v1/rosters/{id}/lock/               → 200 the roster; 409 unless a draft
    GET      /api/v1/rosters/{id}/bank-file/          text/csv with a header row (locked rosters; audited)
    POST     /api/v1/rosters/{id}/bank-results/       multipart ``file`` → 200 {"paid", "failed", "unchanged"};
                                                      any invalid row → 400 {"rows": [{"row", "error"}]}, nothing
                                                      applied
    POST     /api/v1/roster-lines/{id}/reissue/       a failed payment issued again → 200 the line
    GET|PUT  /api/v1/applications/{id}/bank-account/  where a case is paid {"holder", "bank_name", "account_number"}

Role first (403), then region (404, never revealing that a roster exists); every change
through workflows.rosters.services.
"""

from __future__ import annotations

import re

from django.http import Http404, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from assistance.models import Application
from audit import services as audit
from core.errors import Conflict, InvalidInput
from core.permissions import ActionPermission
from core.scoping import get_visible_or_404
from workflows.rosters import services
from workflows.rosters.models import (
    BankAccount,
    ImportStatus,
    LineStatus,
    Roster,
    RosterLine,
    RosterProgram,
    RosterStatus,
    mask_account,
)

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(value):
    """"2026-11" → the first day of that month; None for anything else."""
    import datetime

    match = MONTH_RE.match(str(value or "").strip())
    if match is None:
        return None
    return datetime.date(int(match[1]), int(match[2]), 1)


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class RosterSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county_code")
    program = serializers.ChoiceField(choices=RosterProgram.choices)
    month = serializers.CharField(source="month_label", help_text="YYYY-MM")
    status = serializers.ChoiceField(choices=RosterStatus.choices)
    lines = serializers.IntegerField(source="line_count")
    total = serializers.SerializerMethodField(help_text="yuan, two places")
    progress = serializers.SerializerMethodField(help_text="while generating: cases done of cases to do")
    locked_by = serializers.SerializerMethodField()

    class Meta:
        model = Roster
        fields = ["id", "county", "program", "month", "status", "lines", "total", "progress", "error",
                  "generated_at", "created_at", "locked_at", "locked_by"]

    def get_total(self, roster) -> str:
        return f"{roster.total:.2f}"

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, roster) -> dict:
        return {"done": roster.progress_done, "total": roster.progress_total}

    def get_locked_by(self, roster) -> str | None:
        return roster.locked_by.get_username() if roster.locked_by_id else None


class RosterInputSerializer(serializers.Serializer):
    county = serializers.RegexField(r"^\d{12}$", help_text="12-digit county code",
                                    error_messages={"invalid": "A 12-digit county code."})
    program = serializers.ChoiceField(choices=RosterProgram.choices)
    month = serializers.CharField(max_length=7, help_text="YYYY-MM")

    def validate_month(self, value):
        month = parse_month(value)
        if month is None:
            raise serializers.ValidationError(_("Give the month as YYYY-MM."))
        return month


class RosterLineSerializer(serializers.ModelSerializer):
    roster = serializers.IntegerField(source="roster_id")
    application = serializers.IntegerField(source="application_id")
    household = serializers.IntegerField(source="household_id")
    region = serializers.CharField(source="region_code")
    amount = serializers.SerializerMethodField(help_text="yuan, two places")
    status = serializers.ChoiceField(choices=LineStatus.choices)
    month = serializers.SerializerMethodField(help_text="YYYY-MM")
    account = serializers.CharField(source="masked_account", help_text="masked: the last four digits only")

    class Meta:
        model = RosterLine
        fields = ["id", "roster", "application", "household", "region", "program", "month", "amount", "people",
                  "payee", "bank_name", "account", "status", "attempt", "bank_reference", "failure_reason",
                  "settled_at"]

    def get_amount(self, line) -> str:
        return f"{line.amount:.2f}"

    def get_month(self, line) -> str:
        return f"{line.month:%Y-%m}"


class BankResultsInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with the columns line, status (paid|failed), bank_reference, reason")


BankResultsSerializer = inline_serializer("BankResults", {
    "import": serializers.IntegerField(),
    "paid": serializers.IntegerField(),
    "failed": serializers.IntegerField(),
    "unchanged": serializers.IntegerField(),
})
RejectedRowsSerializer = inline_serializer("BankResultsRejected", {
    "import": serializers.IntegerField(),
    "rows": inline_serializer("RejectedRow", {"row": serializers.IntegerField(), "error": serializers.CharField()},
                              many=True),
})


class RosterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # Ids are digits: anything else is no route (404), never a 500 from int().
    lookup_value_regex = "[0-9]+"
    serializer_class = RosterSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_perms = {"list": "rosters.view_roster", "retrieve": "rosters.view_roster",
                    "lines": "rosters.view_roster", "create": "rosters.add_roster", "lock": "rosters.lock_roster",
                    "bank_file": "rosters.reconcile_roster", "bank_results": "rosters.reconcile_roster"}

    def get_queryset(self):
        qs = Roster.objects.visible_to(self.request.user).select_related("locked_by")
        params = self.request.query_params
        if self.action == "list":
            for field in ("program", "status"):
                if params.get(field):
                    qs = qs.filter(**{field: params[field]})
            if params.get("month"):
                month = parse_month(params["month"])
                if month is None:
                    raise InvalidInput({"month": [_("Give the month as YYYY-MM.")]})
                qs = qs.filter(month=month)
        return qs.order_by("-month", "county_code", "program")

    @extend_schema(parameters=[OpenApiParameter("program", str, enum=RosterProgram.values),
                               OpenApiParameter("status", str, enum=RosterStatus.values),
                               OpenApiParameter("month", str, description="YYYY-MM")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RosterInputSerializer, responses={201: RosterSerializer, 200: RosterSerializer})
    def create(self, request, *args, **kwargs):
        data = RosterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        roster, created = services.request_roster(request.user, county=values["county"],
                                                  program=values["program"], month=values["month"])
        return Response(RosterSerializer(roster).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=LineStatus.values)],
                   responses=RosterLineSerializer(many=True))
    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None):
        roster = self.get_object()
        lines = roster.lines.order_by("pk")
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in LineStatus.values:
                raise InvalidInput({"status": [_("Choose one of: %(choices)s.") % {
                    "choices": ", ".join(LineStatus.values)}]})
            lines = lines.filter(status=wanted)
        page = self.paginate_queryset(lines)
        return self.get_paginated_response(RosterLineSerializer(page, many=True).data)

    @extend_schema(request=None, responses=RosterSerializer)
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        roster = services.lock(request.user, self.get_object(), request=request)
        return Response(RosterSerializer(Roster.objects.select_related("locked_by").get(pk=roster.pk)).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="bank-file")
    def bank_file(self, request, pk=None):
        roster = self.get_object()
        if roster.status != RosterStatus.LOCKED:
            raise Conflict(_("Lock the roster before sending it to the bank."))
        return bank_file_response(request, roster)

    @extend_schema(request={"multipart/form-data": BankResultsInputSerializer},
                   responses={200: BankResultsSerializer,
                              400: OpenApiResponse(RejectedRowsSerializer,
                                                   description="nothing applied: the rejected rows")})
    @action(detail=True, methods=["post"], url_path="bank-results", parser_classes=[MultiPartParser, FormParser])
    def bank_results(self, request, pk=None):
        roster = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput({"file": [_("Choose the bank's results file.")]})
        if upload.size > services.MAX_RESULT_BYTES:
            raise InvalidInput({"file": [_("The file is larger than %(mb)s MB.") % {
                "mb": services.MAX_RESULT_BYTES // 2**20}]})
        report = services.import_results(request.user, roster, upload.read(), file_name=upload.name or "",
                                         request=request)
        if report.status == ImportStatus.REJECTED:
            return Response({"import": report.pk, "rows": report.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"import": report.pk, "paid": report.paid, "failed": report.failed,
                         "unchanged": report.unchanged})


def bank_file_response(request, roster: Roster) -> StreamingHttpResponse:
    """The locked roster's bank file, streamed; every download is audited (it holds the
    full account numbers the bank needs)."""
    audit.record("rosters.bank_file.downloaded", actor=request.user, obj=roster, region_code=roster.county_code,
                 request=request)
    response = StreamingHttpResponse(services.bank_csv(roster), content_type="text/csv; charset=utf-8")
    name = f"roster-{roster.county_code}-{roster.program}-{roster.month_label}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


class RosterLineViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"
    serializer_class = RosterLineSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_perms = {"retrieve": "rosters.view_roster", "reissue": "rosters.reconcile_roster"}

    def get_queryset(self):
        return RosterLine.objects.visible_to(self.request.user)

    @extend_schema(request=None, responses=RosterLineSerializer)
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        try:
            line = services.reissue(request.user, int(pk), request=request)
        except LookupError:
            raise Http404 from None
        return Response(RosterLineSerializer(line).data)


class BankAccountSerializer(serializers.Serializer):
    holder = serializers.CharField(max_length=50)
    bank_name = serializers.CharField(max_length=60)
    account_number = serializers.CharField(max_length=40, help_text="masked unless revealed")


class BankAccountReadSerializer(BankAccountSerializer):
    application = serializers.IntegerField()
    masked = serializers.BooleanField()
    updated_at = serializers.DateTimeField(allow_null=True)


def _account_body(case: Application, account: BankAccount | None, *, reveal: bool = False) -> dict:
    if account is None:
        return {"application": case.pk, "holder": "", "bank_name": "", "account_number": "", "masked": True,
                "updated_at": None}
    return {"application": case.pk, "holder": account.holder, "bank_name": account.bank_name,
            "account_number": account.account_number if reveal else mask_account(account.account_number),
            "masked": not reveal, "updated_at": account.updated_at}


class BankAccountView(APIView):
    """Where a 低保/特困 case is paid. GET: the account with its number masked (``?reveal=account``
    and the right: in full, audited). PUT: record or correct it (township caseworkers, county finance)."""

    permission_classes = [IsAuthenticated]

    def _case(self, request, pk) -> Application:
        return get_visible_or_404(Application.objects.all(), request.user, pk=pk)

    @extend_schema(parameters=[OpenApiParameter("reveal", str, enum=["account"])],
                   responses=BankAccountReadSerializer)
    def get(self, request, pk: int):
        if not request.user.has_perm("rosters.view_bankaccount"):
            raise PermissionDenied(_("Your role does not see bank accounts."))
        case = self._case(request, pk)
        account = BankAccount.objects.filter(application=case).first()
        reveal = request.query_params.get("reveal") == "account"
        if reveal:
            if not request.user.has_perm("rosters.reveal_account"):
                raise PermissionDenied(_("Your role does not see full account numbers."))
            if account is not None:
                audit.record("rosters.account.revealed", actor=request.user, obj=case, region_code=case.region_code,
                             request=request)
        return Response(_account_body(case, account, reveal=reveal))

    @extend_schema(request=BankAccountSerializer, responses=BankAccountReadSerializer)
    def put(self, request, pk: int):
        if not (request.user.has_perm("rosters.change_bankaccount") or request.user.has_perm("rosters.add_bankaccount")):
            raise PermissionDenied(_("Your role does not record bank accounts."))
        case = self._case(request, pk)
        data = BankAccountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            account = services.set_account(request.user, case, request=request, **data.validated_data)
        except LookupError:
            raise Http404 from None
        return Response(_account_body(case, account))


def roster_payments(application) -> list[dict]:
    """The case's roster lines as payments of the application (one query, whatever their number)."""
    lines = (RosterLine.objects.filter(application_id=application.pk).order_by("month", "pk")
             .only("pk", "roster_id", "month", "amount", "status", "settled_at", "attempt", "program"))
    return [{"id": line.pk, "amount": f"{line.amount:.2f}", "source": "roster", "status": line.status,
             "paid_at": line.settled_at if line.status == LineStatus.PAID else None, "month": f"{line.month:%Y-%m}",
             "roster": line.roster_id, "program": line.program, "attempt": line.attempt}
            for line in lines]
