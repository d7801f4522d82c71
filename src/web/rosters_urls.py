"""Payment roster pages; included by web.urls under "rosters/"."""

from django.urls import path

from web import rosters as views

urlpatterns = [
    path("", views.roster_list, name="roster_list"),
    path("new/", views.roster_create, name="roster_create"),
    path("export.xlsx", views.roster_list_export, name="roster_list_export"),
    path("<int:pk>/", views.roster_detail, name="roster_detail"),
    path("<int:pk>/regenerate/", views.roster_regenerate, name="roster_regenerate"),
    path("<int:pk>/lock/", views.roster_lock, name="roster_lock"),
    path("<int:pk>/bank-file.csv", views.roster_bank_file, name="roster_bank_file"),
    path("<int:pk>/bank-file.xlsx", views.roster_bank_xlsx, name="roster_bank_xlsx"),
    path("<int:pk>/roster.pdf", views.roster_pdf_view, name="roster_pdf"),
    path("<int:pk>/lines.xlsx", views.roster_lines_export, name="roster_lines_export"),
    path("<int:pk>/results/", views.roster_results, name="roster_results"),
    path("lines/<int:pk>/reissue/", views.line_reissue, name="roster_line_reissue"),
    path("accounts/<int:pk>/", views.case_bank_account, name="case_bank_account"),
]
