"""Policy what-if pages; included by web.urls under "what-if/"."""

from django.urls import path

from web import whatif as views

urlpatterns = [
    path("", views.whatif_list, name="whatif_list"),
    path("new/", views.whatif_create, name="whatif_create"),
    path("<int:pk>/", views.whatif_detail, name="whatif_detail"),
    path("<int:pk>/status.json", views.whatif_status, name="whatif_status"),
    path("<int:pk>/households.xlsx", views.whatif_export, name="whatif_export"),
]
