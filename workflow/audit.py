"""The audit trail: append-only, written in the same transaction as the change it records."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app, has_app_context

from . import clock
from .db import db
from .models import AuditEvent


def set_origin_provider(app, provider: Callable[[], str | None]) -> None:
    """The app tells the domain where a request came from (an IP address), without HTTP here."""
    app.extensions["missiva_origin"] = provider


def _origin() -> str | None:
    provider = current_app.extensions.get("missiva_origin") if has_app_context() else None
    return provider() if provider else None


def record(action: str, actor, *, call=None, submission=None, mission=None, at: datetime | None = None,
           from_state: str | None = None, to_state: str | None = None, detail: dict | None = None):
    event = AuditEvent(
        at=at or clock.now(),
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.email if actor is not None else "system",
        action=action,
        call_id=(call.id if call is not None else submission.call_id if submission is not None else None),
        submission_id=submission.id if submission is not None else None,
        mission_id=(mission.id if mission is not None else submission.mission_id if submission is not None else None),
        from_state=from_state,
        to_state=to_state,
        detail=detail or {},
        ip=_origin(),
    )
    db.session.add(event)
    return event
