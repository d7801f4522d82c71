from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import cases, enrolment, households, proactive, statistics, supervision, trail, two_factor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links: answer with the icon.
    path("favicon.ico", views.favicon),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor.manage, name="two_factor"),
    path("accounts/two-factor/code/", two_factor.verify, name="two_factor_verify"),
    path("households/", households.household_list, name="household_list"),
    path("households/export.xlsx", households.household_export, name="household_export"),
    path("households/new/", households.household_create, name="household_create"),
    path("households/<int:pk>/", households.household_detail, name="household_detail"),
    path("households/<int:pk>/members/new/", households.household_add_member, name="household_add_member"),
    path("households/<int:pk>/incomes/new/", households.household_add_income, name="household_add_income"),
    path("households/<int:pk>/assets/new/", households.household_add_asset, name="household_add_asset"),
    path("households/duplicates/", households.duplicate_list, name="duplicate_list"),
    path("households/duplicates/<int:pk>/resolve/", households.duplicate_resolve, name="duplicate_resolve"),
    path("people/<int:pk>/edit/", households.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/", households.person_reveal, name="person_reveal"),
    path("audit/", trail.audit_list, name="audit_list"),
    path("supervision/", supervision.sla_dashboard, name="sla_dashboard"),
    path("supervision/export.xlsx", supervision.sla_dashboard_export, name="sla_dashboard_export"),
    path("supervision/breaches/", supervision.sla_breaches, name="sla_breaches"),
    path("supervision/breaches/export.xlsx", supervision.sla_breaches_export, name="sla_breaches_export"),
    path("supervision/paused/", supervision.sla_paused, name="sla_paused"),
    path("deadlines/<int:pk>/pause/", supervision.deadline_pause, name="deadline_pause"),
    path("deadlines/<int:pk>/resume/", supervision.deadline_resume, name="deadline_resume"),
    # Temporary assistance: cases, tasks and the work queues.
    path("households/<int:pk>/apply/", cases.application_create, name="application_create"),
    path("applications/", cases.application_list, name="application_list"),
    path("applications/export.xlsx", cases.application_export, name="application_export"),
    path("applications/new/", cases.application_create, name="application_create"),
    path("applications/<int:pk>/", cases.application_detail, name="application_detail"),
    path("tasks/", cases.task_inbox, name="task_inbox"),
    path("tasks/<int:pk>/", cases.task_detail, name="task_detail"),
    path("tasks/<int:pk>/claim/", cases.task_claim, name="task_claim"),
    path("tasks/<int:pk>/release/", cases.task_release, name="task_release"),
    path("approvals/", cases.approval_queue, name="approval_queue"),
    # 低保 and 特困: objections and extensions on the case page, public notices, spot checks.
    path("applications/<int:pk>/objections/", enrolment.objection_create, name="objection_create"),
    path("applications/<int:pk>/extend/", enrolment.case_extend, name="case_extend"),
    path("notices/", enrolment.notice_list, name="notice_list"),
    path("notices/export.xlsx", enrolment.notice_export, name="notice_export"),
    path("notices/<int:pk>/pdf/", enrolment.notice_pdf, name="notice_pdf"),
    path("spot-checks/", enrolment.spot_check_list, name="spot_check_list"),
    path("proactive-notices/", proactive.proactive_list, name="proactive_list"),
    path("proactive-notices/<int:pk>/pdf/", proactive.proactive_pdf, name="proactive_pdf"),
    path("proactive-notices/<int:pk>/deliver/", proactive.proactive_deliver, name="proactive_deliver"),
    path("statistics/", statistics.statistics_page, name="statistics"),
    path("statistics/export.xlsx", statistics.statistics_export, name="statistics_export"),
    path("statistics/report.pdf", statistics.statistics_report, name="statistics_report"),
    path("statistics/refresh/", statistics.statistics_refresh, name="statistics_refresh"),
    path("spot-checks/export.xlsx", enrolment.spot_check_export, name="spot_check_export"),
    # Monthly payment rosters (发放花名册).
    path("rosters/", include("web.rosters_urls")),
    # Policy what-ifs (政策测算).
    path("what-if/", include("web.whatif_urls")),
]
