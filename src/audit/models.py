from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit row."""


class AuditQuerySet(ScopedQuerySet):
    scope_field = "region_code"

    def update(self, **kwargs):
        raise AppendOnlyError("Audit rows are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit rows are append-only.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("Audit rows are append-only.")


class AuditEvent(models.Model):
    """One row per change of state, change of personal data, or reveal of an ID number.

    Append-only three times over: this model refuses save-after-create and delete,
    the admin offers neither, and a database trigger rejects UPDATE (and DELETE on
    PostgreSQL) from any client.
    """

    append_only = True  # core.integrity checks the trigger is there and fires

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    # PROTECT: staff who left are deactivated, never deleted, so their trail stays whole.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor_username = models.CharField(_("actor username"), max_length=150, blank=True)
    event = models.CharField(_("event"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    extra = models.JSONField(_("extra data"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx"),
            models.Index(fields=["region_code", "at"], name="audit_region_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.event} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit rows are append-only.")
