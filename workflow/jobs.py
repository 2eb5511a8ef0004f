"""Work for the background, handed over only once the transaction that asked for it commits.

The domain calls `after_commit(kind, id)`; tasks/ registers, per app and per kind, how to hand an
id to a worker. A rolled-back transaction hands over nothing. If the hand-over fails (broker down)
the row that describes the work stays as it is and the periodic requeue finds it; for a while
after such a failure no hand-over is even tried, so a request never waits on a broker that is down.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import event

from .db import db

log = logging.getLogger(__name__)
BROKER_PAUSE = 30.0  # seconds without hand-over attempts after one failed


@dataclass
class HandOver:
    """One app's hand-over to its workers (kept in app.extensions["missiva_jobs"])."""

    handlers: dict[str, Callable[[int, float], None]] = field(default_factory=dict)
    # Optional: how to hand many ids of a kind over at once (one task for a batch of mail)
    batch_handlers: dict[str, Callable[[list[int]], None]] = field(default_factory=dict)
    broker_down_until: float = 0.0


def _state() -> HandOver | None:
    return current_app.extensions.get("missiva_jobs") if has_app_context() else None


def register(app, kind: str, handler: Callable[[int, float], None],
             many: Callable[[list[int]], None] | None = None) -> None:
    """handler(id, countdown_seconds) gives the id to a worker; many(ids), where given, gives a
    transaction's ids of this kind over in batches."""
    state = app.extensions.setdefault("missiva_jobs", HandOver())
    state.handlers[kind] = handler
    if many is not None:
        state.batch_handlers[kind] = many


def hand_over(kind: str, ident: int, countdown: float = 0) -> None:
    state = _state()
    handler = state.handlers.get(kind) if state else None
    if state is None or handler is None or time.monotonic() < state.broker_down_until:
        return
    try:
        handler(ident, countdown)
    except Exception:
        state.broker_down_until = time.monotonic() + BROKER_PAUSE
        log.warning("could not hand over %s %s; it stays queued", kind, ident, exc_info=True)


def after_commit(kind: str, ident: int) -> None:
    db.session.info.setdefault("jobs", []).append((kind, ident))


# after_commit also fires when a SAVEPOINT is released, and does not say which transaction
# committed; after_transaction_end does. Only the end of a committed root transaction counts.
@event.listens_for(db.session, "after_commit")
def _committed(session):
    session.info["jobs_committed"] = True


@event.listens_for(db.session, "after_transaction_end")
def _ended(session, transaction):
    committed = session.info.pop("jobs_committed", False)
    if transaction.parent is not None:
        return  # a savepoint: its work waits for the outer transaction
    waiting = session.info.pop("jobs", [])
    if not committed:  # a rolled-back transaction hands over nothing
        return
    by_kind: dict[str, list[int]] = {}
    for kind, ident in waiting:
        by_kind.setdefault(kind, []).append(ident)
    state = _state()
    for kind, idents in by_kind.items():
        many = state.batch_handlers.get(kind) if state is not None else None
        if state is not None and many is not None and len(idents) > 1:
            _hand_over_many(state, kind, many, idents)
        else:
            for ident in idents:
                hand_over(kind, ident)


def _hand_over_many(state: HandOver, kind: str, many: Callable[[list[int]], None], idents: list[int]) -> None:
    if time.monotonic() < state.broker_down_until:
        return
    try:
        many(idents)
    except Exception:
        state.broker_down_until = time.monotonic() + BROKER_PAUSE
        log.warning("could not hand over %d %s; they stay queued", len(idents), kind, exc_info=True)
