"""What a deadline needs from the work it times: a title, a link, and a way to
hand the work to someone else on escalation. Workflow tasks and visits both fit."""

from __future__ import annotations

from django.utils.translation import gettext as _


def _subject(deadline):
    try:
        return deadline.subject
    except Exception:  # noqa: BLE001 - a deleted subject must not stop the sweep
        return None


def subject_title(deadline) -> str:
    subject = _subject(deadline)
    describe = getattr(subject, "deadline_title", None)
    if callable(describe):
        return describe()
    return _("%(flow)s / %(step)s #%(id)s") % {"flow": deadline.flow, "step": deadline.step, "id": deadline.subject_id}


def subject_link(deadline) -> str:
    """Where a person goes to do or follow this work: a workflow task's own page,
    else the subject's page."""
    from django.contrib.contenttypes.models import ContentType
    from django.urls import NoReverseMatch, reverse

    kind = ContentType.objects.get_for_id(deadline.subject_type_id)  # cached: no query per row
    if kind.app_label == "viewflow" and kind.model == "task":
        try:
            return reverse("task_detail", args=[deadline.subject_id])
        except NoReverseMatch:
            return ""
    subject = _subject(deadline)
    url = getattr(subject, "get_absolute_url", None)
    return url() if callable(url) else ""


def reassign_subject(deadline, user) -> bool:
    """Give the work to ``user``: viewflow tasks get a new owner; other subjects
    may define ``reassign_for_escalation``; for any other subject the deadline itself says
    who does it. Returns whether the work changed hands, so the deadline names the same
    person as its subject (a task already started stays with whoever started it)."""
    subject = _subject(deadline)
    if subject is None:
        return True  # the deadline is the only record of who does the work
    hook = getattr(subject, "reassign_for_escalation", None)
    if callable(hook):
        hook(user)
        return True
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    if isinstance(subject, Task) and subject.status in (STATUS.NEW, STATUS.ASSIGNED):
        subject.owner = user
        subject.status = STATUS.ASSIGNED
        subject.save(update_fields=["owner", "status"])
        return True
    return not isinstance(subject, Task)
