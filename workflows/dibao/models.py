"""低保's case: the enrolment status machine (workflows/enrolment) with this program's
step permissions, and its own fields."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from assistance.models import Application
from workflows.enrolment.models import EnrolmentCase, EnrolmentDetails

CODE = "dibao"


class DibaoCase(EnrolmentCase):
    class Meta:
        proxy = True
        verbose_name = _("minimum-living-guarantee case")
        verbose_name_plural = _("minimum-living-guarantee cases")
        permissions = [
            ("do_intake", _("Can take in dibao applications and their documents")),
            ("investigate", _("Can investigate dibao applications")),
            ("county_investigate", _("Can investigate dibao applications of staff relatives")),
            ("verify", _("Can verify dibao applicants' data")),
            ("township_review", _("Can give the township's first-review opinion on dibao")),
            ("township_confirm", _("Can confirm dibao where it is delegated to the township")),
            ("county_confirm", _("Can confirm dibao at the county")),
        ]


class DibaoDetails(EnrolmentDetails):
    case = models.OneToOneField(Application, primary_key=True, on_delete=models.CASCADE, related_name=CODE)

    class Meta:
        verbose_name = _("dibao details")
        verbose_name_plural = _("dibao details")

    def __str__(self):
        return f"{self.case_id}"
