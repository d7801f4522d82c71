"""The project's routes plus the documents routes, until the root URLconf includes them."""

from django.urls import include, path

from engine.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("", include("documents.urls")), *project_urlpatterns]
