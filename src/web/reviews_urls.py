"""The pages of ongoing 低保/特困 cases; included by the project at the root."""

from django.urls import path

from web import reviews as views

urlpatterns = [
    path("applications/<int:pk>/changes/", views.change_create, name="change_create"),
    path("applications/<int:pk>/work-refusals/", views.work_refusal_create, name="work_refusal_create"),
    path("benefit-notices/<int:pk>/pdf/", views.benefit_notice_pdf, name="benefit_notice_pdf"),
    path("township-changes/", views.township_changes, name="township_changes"),
    path("township-changes/export.xlsx", views.township_changes_export, name="township_changes_export"),
]
