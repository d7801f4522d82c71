"""The sample program's status machine on its proxy of the shared case."""

from __future__ import annotations

from django.db import models
from django_fsm import transition

from assistance.models import Application

CODE = "sample"


class Status(models.TextChoices):
    REGISTERED = "registered", "Registered"
    ASSESSING = "assessing", "Being assessed"
    DECIDING = "deciding", "Awaiting the decision"
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"


class SampleCase(Application):
    class Meta:
        proxy = True
        permissions = [("register_case", "Can register sample cases"),
                       ("assess_case", "Can assess sample cases"),
                       ("decide_case", "Can decide sample cases")]

    @transition(field="status", source=Status.REGISTERED, target=Status.ASSESSING)
    def registered(self):
        pass

    @transition(field="status", source=Status.ASSESSING, target=Status.DECIDING)
    def assessed(self):
        pass

    @transition(field="status", source=Status.DECIDING, target=Status.GRANTED)
    def grant(self):
        pass

    @transition(field="status", source=Status.DECIDING, target=Status.REFUSED)
    def refuse(self):
        pass
