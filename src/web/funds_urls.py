"""Reserve-fund pages; included by the project under "funds/"."""

from django.urls import path, register_converter

from web import funds as views


class MonthConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(MonthConverter, "fund_month")

urlpatterns = [
    path("", views.fund_list, name="fund_list"),
    path("<int:pk>/", views.fund_detail, name="fund_detail"),
    path("<int:pk>/allocate/", views.fund_allocate, name="fund_allocate"),
    path("<int:pk>/adjust/", views.fund_adjust, name="fund_adjust"),
    path("<int:pk>/limits/", views.fund_limits, name="fund_limits"),
    path("<int:pk>/replenishment/", views.fund_request_replenishment, name="fund_request_replenishment"),
    path("<int:pk>/entries/<int:entry_pk>/reverse/", views.fund_entry_reverse, name="fund_entry_reverse"),
    path("<int:pk>/statements/<fund_month:month>/", views.fund_statement, name="fund_statement"),
    path("<int:pk>/statements/<fund_month:month>.pdf", views.fund_statement_pdf, name="fund_statement_pdf"),
    path("<int:pk>/statements/<fund_month:month>.xlsx", views.fund_statement_xlsx, name="fund_statement_xlsx"),
    path("<int:pk>/statements/<fund_month:month>/sign-off/", views.fund_sign_off, name="fund_sign_off"),
    path("replenishments/<int:pk>/", views.fund_replenishment, name="fund_replenishment"),
]
