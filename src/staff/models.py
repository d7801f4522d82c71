from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet

from .roles import Role


class UserQuerySet(ScopedQuerySet):
    scope_field = "region__code"


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A staff member: one home region, any number of roles (groups)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("home region"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="staff",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self):
        full = f"{self.last_name}{self.first_name}".strip()
        return f"{full} ({self.username})" if full else self.username

    @property
    def display_name(self) -> str:
        return f"{self.last_name}{self.first_name}".strip() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        names = set(self.groups.filter(name__in=Role.values).values_list("name", flat=True))
        if self.is_superuser:
            names.add(Role.ADMIN)
        return frozenset(names)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))
