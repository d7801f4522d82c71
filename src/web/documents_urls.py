from django.urls import path

from web import documents as views

urlpatterns = [
    path("documents/<int:pk>/", views.document_download, name="document_download"),
]
