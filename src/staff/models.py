from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet

from . import access


def display_name(last_name: str, first_name: str, username: str) -> str:
    """What pages call a staff member (surname first, as in Chinese); ``User.display_name``
    for exports that read plain values instead of users."""
    return f"{last_name}{first_name}".strip() or username


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
        return display_name(self.last_name, self.first_name, self.username)

    @property
    def roles(self) -> frozenset[str]:
        """Role names, read with the permissions in one query and kept on this object
        (a request's user is loaded afresh each request): see staff.access."""
        return access.roles(self)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))
