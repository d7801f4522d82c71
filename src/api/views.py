"""API views: thin. Scope through visible_to, changes through services."""

from __future__ import annotations

from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import ActionPermission
from deadlines import reports
from regions.models import Region
from registry import services as registry
from registry.models import Household, Person, PersonCondition
from registry.search import search_households
from registry.selectors import member_disclosure
from staff import logins, two_factor

from .serializers import (
    BreachSerializer,
    HouseholdInputSerializer,
    HouseholdSerializer,
    MemberSerializer,
    MeSerializer,
    RegionSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from .throttles import LoginRateThrottle


@method_decorator(never_cache, name="dispatch")
class TokenView(APIView):
    """Exchange a username and password for an API token. Failures count toward the same
    limits as the web login (staff.logins): refused → 429; the endpoint is also throttled
    per client address (as the trusted proxies report it)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            # The limits need the Django HttpRequest: its client, its device cookie.
            user = authenticate(request._request, username=data.validated_data["username"],
                                password=data.validated_data["password"])
        except AxesBackendPermissionDenied:
            user = None
        if getattr(request._request, "login_refused", None) is not None:
            return Response({"detail": _("Too many failed sign-in attempts: try again in a while.")},
                            status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            return Response({"non_field_errors": ["Unable to log in with the given credentials."]},
                            status=status.HTTP_400_BAD_REQUEST)
        refused = self._second_factor(request._request, user, data.validated_data.get("otp", ""))
        if refused is not None:
            return refused
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @staticmethod
    def _second_factor(request, user, code) -> Response | None:
        """An account with a second factor also gives its code (``otp``); a wrong one is a
        failed sign-in (staff.logins). An account whose role requires one and that has none
        gets no token: it sets one up on the web first."""
        if two_factor.must_enrol(user):
            return Response({"detail": _("Your role requires a second factor: set one up on the web first.")},
                            status=status.HTTP_403_FORBIDDEN)
        if two_factor.device_of(user) is None:
            return None
        if not code:
            return Response({"otp": [_("This account signs in with a code from its authenticator app: send it "
                                       "as otp.")]}, status=status.HTTP_400_BAD_REQUEST)
        if two_factor.check_code(request, user, code) is None:
            if logins.refusal(request, user.get_username()) is not None:
                return Response({"detail": _("Too many failed sign-in attempts: try again in a while.")},
                                status=status.HTTP_429_TOO_MANY_REQUESTS)
            return Response({"otp": [_("The code is wrong or has expired: enter the one the app shows now.")]},
                            status=status.HTTP_400_BAD_REQUEST)
        return None


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    # A region code is digits: anything else is no route (404), not a query.
    lookup_value_regex = "[0-9]{1,12}"
    serializer_class = RegionSerializer
    lookup_field = "code"

    @extend_schema(parameters=[OpenApiParameter("parent", str, description="children of this region code"),
                               OpenApiParameter("level", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = Region.objects.visible_to(self.request.user)
        parent = self.request.query_params.get("parent")
        if parent:
            qs = qs.filter(parent_id=parent)
        level = self.request.query_params.get("level")
        if level:
            qs = qs.filter(level=level)
        return qs.order_by("code")


def _members_prefetch():
    return Prefetch("members", queryset=Person.objects.prefetch_related(
        Prefetch("conditions", queryset=PersonCondition.objects.order_by("condition"))))


class HouseholdViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    # Ids are digits: anything else is no route (404), never a 500 from int().
    lookup_value_regex = "[0-9]+"
    serializer_class = HouseholdSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_perms = {"list": "registry.view_household", "retrieve": "registry.view_household",
                    "create": "registry.add_household"}

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            # The web list's own search (registry.search): the same rows for the same words.
            region = None
            code = self.request.query_params.get("region")
            if code:
                region = Region.objects.visible_to(user).filter(code=code).first()
            if code and region is None:
                qs = Household.objects.none()
            else:
                qs = search_households(user, q=self.request.query_params.get("q") or "", region=region)
        else:
            qs = Household.objects.visible_to(user)
        return qs.select_related("region").prefetch_related(_members_prefetch()).order_by("-id")

    @extend_schema(parameters=[OpenApiParameter("q", str, description="a member's name, or the last digits of an ID"),
                               OpenApiParameter("region", str, description="village or township code")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[
        OpenApiParameter("reveal", str, enum=["id_number"], description="show full ID numbers (audited)"),
        OpenApiParameter("reason", str, description="why the full numbers are needed (kept in the audit trail)"),
    ])
    def retrieve(self, request, *args, **kwargs):
        household = self.get_object()
        disclosure = member_disclosure(request.user)
        revealed = set()
        if request.query_params.get("reveal") == "id_number":
            # Refused (403) for a role without the right, and audited either way.
            revealed = set(registry.reveal_id_numbers(request.user, disclosure.members_of(household.members.all()),
                                                      reason=request.query_params.get("reason", ""),
                                                      request=request))
        return Response(self.get_serializer(household, context={**self.get_serializer_context(),
                                                                "disclosure": disclosure, "revealed": revealed}).data)

    @extend_schema(request=HouseholdInputSerializer, responses={201: HouseholdSerializer})
    def create(self, request, *args, **kwargs):
        data = HouseholdInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        household = registry.register_household(request.user, request=request, **data.validated_data)
        household = self.get_queryset().get(pk=household.pk)
        return Response(self.get_serializer(household).data, status=status.HTTP_201_CREATED)


class PersonViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # Ids are digits: anything else is no route (404), never a 500 from int().
    lookup_value_regex = "[0-9]+"
    serializer_class = MemberSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_perms = {"retrieve": "registry.view_person"}

    def get_queryset(self):
        return Person.objects.visible_to(self.request.user).select_related("household").prefetch_related("conditions")

    @extend_schema(parameters=[OpenApiParameter("reveal", str, enum=["id_number"]),
                               OpenApiParameter("reason", str)])
    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        revealed = set()
        if request.query_params.get("reveal") == "id_number":
            revealed = set(registry.reveal_id_numbers(request.user, [person],
                                                      reason=request.query_params.get("reason", ""), request=request))
        return Response(self.get_serializer(person, context={**self.get_serializer_context(),
                                                             "revealed": revealed}).data)


class BreachViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Open deadline breaches in the caller's region (supervisors; township heads for their township)."""

    serializer_class = BreachSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_perms = {"list": "deadlines.view_breaches"}

    def get_queryset(self):
        params = self.request.query_params
        return reports.breaches(self.request.user, now=self._now, region=params.get("region", ""),
                                step=params.get("step", ""))

    def get_serializer_context(self):
        from django.contrib.contenttypes.models import ContentType
        from viewflow.workflow.models import Task

        return {**super().get_serializer_context(), "now": self._now,
                "task_type_id": ContentType.objects.get_for_model(Task).pk}

    @extend_schema(parameters=[OpenApiParameter("region", str), OpenApiParameter("step", str)])
    def list(self, request, *args, **kwargs):
        self._now = timezone.now()
        return super().list(request, *args, **kwargs)
