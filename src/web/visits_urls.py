"""Home-visit pages; included by the project under "visits/"."""

from django.urls import path

from web import visits as views

urlpatterns = [
    path("", views.visit_list, name="visit_list"),
    path("<int:pk>/", views.visit_detail, name="visit_detail"),
    path("<int:pk>/record/", views.visit_record, name="visit_record"),
    path("records/<int:pk>.pdf", views.record_pdf, name="visit_record_pdf"),
    path("records/<int:pk>/photo/", views.record_photo, name="visit_record_photo"),
    path("households/<int:pk>/", views.household_visits, name="household_visits"),
    path("households/<int:pk>/recompute/", views.household_recompute, name="household_visit_recompute"),
    path("households/<int:pk>/pairing/", views.household_pairing, name="household_pairing"),
    path("events/", views.event_list, name="visit_event_list"),
    path("events/new/", views.event_create, name="visit_event_create"),
    path("events/<int:pk>/", views.event_detail, name="visit_event_detail"),
    path("follow-ups/", views.follow_up_list, name="visit_follow_up_list"),
    path("follow-ups/<int:pk>/", views.follow_up_detail, name="visit_follow_up"),
    path("coverage/", views.coverage, name="visit_coverage"),
    path("coverage/export.xlsx", views.coverage_export, name="visit_coverage_export"),
    path("not-visited/", views.not_visited, name="visit_not_visited"),
    path("not-visited/export.xlsx", views.not_visited_export, name="visit_not_visited_export"),
]
