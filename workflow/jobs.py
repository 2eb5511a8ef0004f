"""Work for the background, handed over only once the transaction that asked for it commits.

The domain calls `after_commit(kind, id)`; tasks/ registers, per kind, how to hand an id to a
worker. A rolled-back transaction hands over nothing. If the hand-over fails (broker down) the
row that describes the work stays as it is and the periodic requeue finds it; for a while after
such a failure no hand-over is even tried, so a request never waits on a broker that is down.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import event

from .db import db

log = logging.getLogger(__name__)
BROKER_PAUSE = 30.0  # seconds without hand-over attempts after one failed
_handlers: dict[str, Callable[[int, float], None]] = {}
_installed = False
_broker_down_until = 0.0


def register(kind: str, handler: Callable[[int, float], None]) -> None:
    """handler(id, countdown_seconds) gives the id to a worker."""
    _handlers[kind] = handler


def hand_over(kind: str, ident: int, countdown: float = 0) -> None:
    global _broker_down_until
    handler = _handlers.get(kind)
    if handler is None or time.monotonic() < _broker_down_until:
        return
    try:
        handler(ident, countdown)
    except Exception:
        _broker_down_until = time.monotonic() + BROKER_PAUSE
        log.warning("could not hand over %s %s; it stays queued", kind, ident, exc_info=True)


def after_commit(kind: str, ident: int) -> None:
    db.session.info.setdefault("jobs", []).append((kind, ident))


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(db.session, "after_commit")
    def _after_commit(session):
        for kind, ident in session.info.pop("jobs", []):
            hand_over(kind, ident)

    @event.listens_for(db.session, "after_soft_rollback")
    def _after_rollback(session, previous_transaction):
        if previous_transaction.parent is None:  # the outer transaction: nothing will happen
            session.info.pop("jobs", None)
