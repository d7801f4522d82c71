"""The numbers of the means test, as rows an administrator edits per region prefix and
date of effect (read through regions.rules, like every other versioned rule). The dibao
standard itself is assistance.models.DibaoStandard, which temporary assistance reads too."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assistance.models import RuleScopeMixin
from core.money import MONEY_FIELD


class WorkCost(models.TextChoices):
    NONE = "none", _("No deduction")
    WAGE_SHARE = "wage_share", _("A share of each working member's wages")
    PER_EARNER = "per_earner", _("A fixed amount per working member")


class MeansRule(RuleScopeMixin):
    """One version of the means-test rules for a region prefix, from a day on. A change is
    a new row with its own date of effect: the rows are the history, and a test for a
    past day reads the row that was in force then."""

    work_cost = models.CharField(_("work-cost deduction"), max_length=12, choices=WorkCost.choices,
                                 default=WorkCost.NONE)
    work_cost_share = models.DecimalField(
        _("share of wages deducted"), max_digits=4, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("For a share of wages: e.g. 0.5 deducts half of each working member's wages."))
    work_cost_amount = models.DecimalField(
        _("deduction per working member (yuan a month)"), **MONEY_FIELD, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For a fixed amount: never more than that member's wages."))
    near_dibao_multiple = models.DecimalField(
        _("near-dibao line (× standard)"), max_digits=4, decimal_places=2, default=Decimal("1.50"),
        validators=[MinValueValidator(Decimal("1"))])
    tekun_multiple = models.DecimalField(
        _("extreme-poverty basic standard (× dibao standard)"), max_digits=4, decimal_places=2,
        default=Decimal("1.30"), validators=[MinValueValidator(Decimal("1"))])
    financial_asset_months = models.PositiveSmallIntegerField(
        _("deposits and securities at most (months of the standard per member)"), null=True, blank=True,
        help_text=_("Empty: no limit."))
    max_vehicles = models.PositiveSmallIntegerField(_("vehicles allowed"), null=True, blank=True,
                                                    help_text=_("Empty: no limit."))
    max_houses = models.PositiveSmallIntegerField(_("houses allowed"), null=True, blank=True,
                                                  help_text=_("Empty: no limit."))
    individual_max_grade = models.PositiveSmallIntegerField(
        _("individual coverage: disability grade up to"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)])
    individual_max_grade_mental = models.PositiveSmallIntegerField(
        _("individual coverage: intellectual or mental disability grade up to"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(4)])

    class Meta:
        ordering = ["scope", "-effective_from"]
        verbose_name = _("means-test rule")
        verbose_name_plural = _("means-test rules")
        constraints = [
            models.UniqueConstraint(fields=["scope", "effective_from"], name="means_rule_once"),
            models.CheckConstraint(condition=Q(work_cost__in=WorkCost.values), name="means_rule_work_cost_valid"),
            models.CheckConstraint(
                condition=~Q(work_cost=WorkCost.WAGE_SHARE) | Q(work_cost_share__gt=0, work_cost_share__lte=1),
                name="means_rule_share_set"),
            models.CheckConstraint(
                condition=~Q(work_cost=WorkCost.PER_EARNER) | Q(work_cost_amount__gt=0),
                name="means_rule_amount_set"),
        ]

    def __str__(self):
        return f"{self.scope or '*'} {self.effective_from}"

    def clean(self):
        super().clean()
        if self.work_cost == WorkCost.WAGE_SHARE and not (self.work_cost_share and 0 < self.work_cost_share <= 1):
            raise ValidationError({"work_cost_share": _("Enter the share deducted, more than 0 and at most 1.")})
        if self.work_cost == WorkCost.PER_EARNER and not (self.work_cost_amount and self.work_cost_amount > 0):
            raise ValidationError({"work_cost_amount": _("Enter the amount deducted per working member.")})
