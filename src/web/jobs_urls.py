"""Export job pages; included by the project under "exports/"."""

from django.urls import path

from web import jobs as views

urlpatterns = [
    path("", views.job_list, name="export_list"),
    path("<uuid:pk>/", views.job_detail, name="export_job"),
    path("<uuid:pk>/status.json", views.job_status, name="export_job_status"),
    path("<uuid:pk>/download/", views.job_download, name="export_job_download"),
]
