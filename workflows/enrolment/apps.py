from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    """What the two enrolment programs (低保 ``dibao`` and 特困 ``tekun``) share: their
    status machine, their rules, public notices with objections. Not a program itself:
    the folders workflows/dibao and workflows/tekun register the programs."""

    name = "workflows.enrolment"
    label = "enrolment"
    verbose_name = _("Enrolment (minimum living guarantee and extreme-poverty support)")
