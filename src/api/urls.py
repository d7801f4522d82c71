from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api.funds import FundViewSet
from api.visits import VisitViewSet
from api.warnings import WarningViewSet

from . import assistance, enrolment, means, reviews, rosters, statistics, views


class Router(DefaultRouter):
    # No ".json"/".api" twins of every route: the views take no format argument (a 500),
    # and clients ask for JSON by Accept.
    include_format_suffixes = False


router = Router(trailing_slash=True)
router.register("regions", views.RegionViewSet, basename="region")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("people", views.PersonViewSet, basename="person")
router.register("sla/breaches", views.BreachViewSet, basename="breach")
router.register("applications", assistance.ApplicationViewSet, basename="application")
router.register("tasks", assistance.TaskViewSet, basename="task")
router.register("funds", FundViewSet, basename="fund")
router.register("visits", VisitViewSet, basename="visit")
router.register("notices", enrolment.NoticeViewSet, basename="notice")
router.register("rosters", rosters.RosterViewSet, basename="roster")
router.register("roster-lines", rosters.RosterLineViewSet, basename="roster-line")
router.register("warnings", WarningViewSet, basename="warning")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("documents/<int:pk>/", assistance.DocumentView.as_view(), name="api-document"),
    path("households/<int:pk>/incomes/", means.HouseholdIncomesView.as_view(), name="api-household-incomes"),
    path("households/<int:pk>/assets/", means.HouseholdAssetsView.as_view(), name="api-household-assets"),
    path("households/<int:pk>/means-test/", means.MeansTestView.as_view(), name="api-household-means-test"),
    path("applications/<int:pk>/objections/", enrolment.ObjectionsView.as_view(), name="api-application-objections"),
    path("applications/<int:pk>/extend/", enrolment.ExtendView.as_view(), name="api-application-extend"),
    path("applications/<int:pk>/bank-account/", rosters.BankAccountView.as_view(), name="api-application-bank-account"),
    path("spot-checks/", enrolment.SpotCheckView.as_view(), name="api-spot-checks"),
    path("statistics/", statistics.StatisticsView.as_view(), name="api-statistics"),
    path("applications/<int:pk>/changes/", reviews.ChangesView.as_view(), name="api-application-changes"),
    path("applications/<int:pk>/work-refusals/", reviews.WorkRefusalsView.as_view(),
         name="api-application-work-refusals"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the Content-Security-Policy allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include(router.urls)),
]
