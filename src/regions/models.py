from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet

from .codes import LEVEL_ORDER, PARENT_LEVEL, Level, code_problem, is_within, subtree_range


class RegionQuerySet(ScopedQuerySet):
    scope_field = "code"


class Region(models.Model):
    """A node of the division tree. The statistical code is the primary key, so a
    record's region code can be compared by range without joining this table."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=[lv.value for lv in LEVEL_ORDER]), name="region_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(level="city", parent__isnull=True) | models.Q(parent__isnull=False),
                name="region_parent_unless_city",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        problem = code_problem(self.code, self.level)
        if problem:
            raise ValidationError({"code": problem})
        if self.level == Level.CITY:
            if self.parent_id:
                raise ValidationError({"parent": _("A city has no parent region.")})
            return
        if self.parent is None:
            raise ValidationError({"parent": _("This region needs a parent region.")})
        if self.parent.level != PARENT_LEVEL[self.level]:
            raise ValidationError({"parent": _("The parent of a %(level)s must be a %(parent)s.") % {
                "level": Level(self.level).label, "parent": Level(PARENT_LEVEL[self.level]).label}})
        if not is_within(self.code, self.parent.code, self.parent.level):
            raise ValidationError({"code": _("The code must start with the parent's code.")})

    @property
    def code_range(self) -> tuple[str, str]:
        return subtree_range(self.code, self.level)

    def contains(self, code: str) -> bool:
        return is_within(code, self.code, self.level)

    def ancestors(self) -> list[Region]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def path_name(self) -> str:
        return " / ".join(r.name for r in [*self.ancestors(), self])
