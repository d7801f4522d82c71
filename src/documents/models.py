"""Written documents of a case: the PDFs given to the applicant or kept on file.

A document is made once and never changes. Its bytes live in the row itself (not
in a file store) so that the file, its hash and the row commit together and no
one can swap the file under the hash. A notice already handed to a family is a
fact: a correction is a new kind of document, never a regenerated one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet


class ImmutableDocumentError(Exception):
    """Raised on any attempt to change or delete a stored document."""


class DocumentKind(models.TextChoices):
    APPROVAL_FORM = "approval_form", _("Approval form")
    DECISION_NOTICE = "decision_notice", _("Decision notice")
    REJECTION_NOTICE = "rejection_notice", _("Rejection notice")
    MISSING_DOCUMENTS_NOTICE = "missing_documents_notice", _("Missing-documents notice")
    DISBURSEMENT_VOUCHER = "disbursement_voucher", _("Disbursement voucher")
    REFERRAL_LETTER = "referral_letter", _("Referral letter")


class DocumentQuerySet(ScopedQuerySet):
    scope_field = "application__region_code"

    def update(self, **kwargs):
        raise ImmutableDocumentError("Documents are immutable.")

    def delete(self):
        raise ImmutableDocumentError("Documents are immutable.")

    def bulk_update(self, *args, **kwargs):
        raise ImmutableDocumentError("Documents are immutable.")


class Document(models.Model):
    application = models.ForeignKey("assistance.Application", verbose_name=_("application"),
                                    on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    # Only vouchers belong to one instalment; every other kind is one per application.
    instalment = models.ForeignKey("assistance.Instalment", verbose_name=_("instalment"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="documents")
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True, editable=False)
    content = models.BinaryField(_("content"), editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["application_id", "created_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            # One constraint per case because NULLs are distinct in a plain unique index:
            # (application, kind, NULL) would otherwise be allowed twice.
            models.UniqueConstraint(fields=["application", "kind"], condition=Q(instalment__isnull=True),
                                    name="document_once_per_application"),
            models.UniqueConstraint(fields=["application", "kind", "instalment"],
                                    condition=Q(instalment__isnull=False), name="document_once_per_instalment"),
            models.CheckConstraint(
                condition=Q(kind="disbursement_voucher", instalment__isnull=False)
                | (~Q(kind="disbursement_voucher") & Q(instalment__isnull=True)),
                name="document_instalment_only_for_vouchers"),
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"),
        ]

    def __str__(self):
        label = self.get_kind_display()
        if self.instalment_id:
            return f"{label} #{self.application_id}/{self.instalment.number}"
        return f"{label} #{self.application_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableDocumentError("Documents are immutable: generate a new kind of document instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError("Documents are immutable and are never deleted.")

    @property
    def filename(self) -> str:
        """ASCII name for clients that cannot take the Chinese one."""
        suffix = f"-{self.instalment.number}" if self.instalment_id else ""
        return f"application-{self.application_id}-{self.kind}{suffix}.pdf"

    @property
    def display_filename(self) -> str:
        from .labels import title_for
        from .numerals import payment_order

        suffix = f"-{payment_order(self.instalment.number)}" if self.instalment_id else ""

        return f"{title_for(self.kind, self.application.program)}-{self.application_id}{suffix}.pdf"
