"""The duplicate-benefit guard's rows.

- ``BenefitExclusion``: two programs one person may not receive at once (national rule:
  someone supported as extremely poor, 特困, is not also given 低保), per region prefix and
  date of effect like every other rule; a county's own row (``forbidden`` unticked) allows
  what the national one forbids.
- ``DuplicateOverride``: a grant made although the guard found something, with the
  approver's reason and what was found, as the approver saw it. Written once, never changed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistance.models import Application, RuleScopeMixin
from core.scoping import ScopedQuerySet


class BenefitExclusion(RuleScopeMixin):
    program = models.CharField(_("program"), max_length=12)
    other_program = models.CharField(_("not at the same time as"), max_length=12)
    forbidden = models.BooleanField(
        _("forbidden"), default=True,
        help_text=_("Untick to allow both here: a more local row replaces a wider one."))

    class Meta:
        ordering = ["scope", "program", "other_program", "-effective_from"]
        verbose_name = _("programs not received together")
        verbose_name_plural = _("programs not received together")
        constraints = [
            models.UniqueConstraint(fields=["scope", "program", "other_program", "effective_from"],
                                    name="benefit_exclusion_once"),
            models.CheckConstraint(condition=~Q(program=F("other_program")), name="benefit_exclusion_two_programs"),
        ]

    def __str__(self):
        return f"{self.scope or '*'} {self.program}/{self.other_program} {self.effective_from}"

    def clean(self):
        from core import programs

        super().clean()
        codes = {code for code, _label in programs.program_choices()}
        errors = {}
        for name in ("program", "other_program"):
            if getattr(self, name) not in codes:
                errors[name] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(sorted(codes))}
        if not errors and self.program == self.other_program:
            errors["other_program"] = _("Choose two different programs.")
        if errors:
            raise ValidationError(errors)


class DuplicateOverrideQuerySet(ScopedQuerySet):
    scope_field = "region_code"


class DuplicateOverride(models.Model):
    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                    related_name="duplicate_overrides")
    # The case's village (scoping reads it like the case's own).
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    step = models.CharField(_("step"), max_length=40)
    # What the guard found, as core.programs.Finding.as_json() gives it.
    findings = models.JSONField(_("what was found"), default=list)
    reason = models.TextField(_("reason for granting nonetheless"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    objects = DuplicateOverrideQuerySet.as_manager()

    class Meta:
        ordering = ["application", "decided_at", "id"]
        verbose_name = _("duplicate-benefit override")
        verbose_name_plural = _("duplicate-benefit overrides")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="duplicate_override_has_reason")]

    def __str__(self):
        return f"#{self.application_id} {self.step} {self.decided_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A duplicate-benefit override is recorded once and never changed.")
        super().save(*args, **kwargs)

    @property
    def finding_texts(self) -> list[str]:
        """What was found, in the reader's language."""
        from core.programs import Finding

        return [Finding.from_json(item).text for item in self.findings or []]
