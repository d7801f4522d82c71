"""Writing the audit trail. Call ``record`` inside the transaction of the change it
describes, so the change and its history commit or roll back together."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from core.clients import client_address

from .models import AuditEvent


def _jsonable(value: Any) -> Any:
    # Dates, Decimals and UUIDs as strings, exactly as the JSON column will hold them.
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def client_ip(request) -> str | None:
    # The client's address as the deployment's proxies report it, not the proxy's.
    return client_address(request)


def build(
    event: str,
    *,
    actor=None,
    obj=None,
    region_code: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    extra: dict | None = None,
    request=None,
) -> AuditEvent:
    """An unsaved audit row, for writers that insert many at once (bulk_create)."""
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        event=event,
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        # A proxy (a program's view of the shared case) is filed under its concrete model.
        object_type=obj._meta.concrete_model._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        region_code=region_code,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
        extra=_jsonable(extra or {}),
        ip_address=client_ip(request),
    )


def record(
    event: str,
    *,
    actor=None,
    obj=None,
    region_code: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    extra: dict | None = None,
    request=None,
) -> AuditEvent:
    row = build(event, actor=actor, obj=obj, region_code=region_code, before=before, after=after,
                reason=reason, extra=extra, request=request)
    row.save()
    return row


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
