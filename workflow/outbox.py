"""The mail outbox: every message is a row with a unique key before anything is sent.

- `queue()` adds a row unless its key exists (a reminder, receipt or digest is queued once,
  whatever runs twice) and remembers it for the current transaction.
- Only after that transaction commits is delivery enqueued (workflow/jobs.py; a rolled-back
  request sends nothing); if the broker is down the row simply waits, and `overdue()` finds it for
  the periodic requeue.
- Delivery claims the row (pending -> sending) in its own transaction, so two workers never send
  one message. A row found still `sending` was interrupted mid-send: it is left for a human, who
  can see it in the app and resend it, rather than risk a duplicate.
"""
from __future__ import annotations

import json
import mailbox
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from . import audit, clock, invitations, jobs
from .db import commit_keeping, db
from .kinds import MailState
from .models import OutboxMessage, User

BATCH = "missiva_outbox_batch"
MAX_ATTEMPTS = 8
STUCK_AFTER = timedelta(minutes=10)


class Batch:
    """Messages gathered by `queue()` inside `batch()`, written by one INSERT at its end."""

    def __init__(self):
        self.rows: list[dict] = []
        self.inserted = 0


@contextmanager
def batch():
    """Queue many messages at once (the sweep's burst of reminders): `queue()` inside gathers
    rows, and the end writes them with one INSERT that skips keys already there (the unique key
    stays the guarantee), then hands the new ones over after the commit. `.inserted` says how
    many were new. Inside another batch, the outer one writes them."""
    if db.session.info.get(BATCH) is not None:
        yield Batch()
        return
    gathered = Batch()
    db.session.info[BATCH] = gathered
    try:
        yield gathered
    finally:
        db.session.info.pop(BATCH, None)
    if gathered.rows:
        ids = _insert_new(gathered.rows, clock.now())
        gathered.inserted = len(ids)
        for ident in ids:
            jobs.after_commit("mail", ident)


def _insert_new(rows: list[dict], now: datetime) -> list[int]:
    """Write gathered rows, skipping keys already there; the ids of the new ones.

    On PostgreSQL the rows travel as one array a column (`INSERT ... SELECT FROM unnest(...)`):
    psycopg rewrites every statement's parameters in Python, and a VALUES list of 200 messages
    has over 3,000 of them, where the arrays are a dozen however many messages there are."""
    constant = {"created_at": now, "next_attempt_at": now, "state": MailState.PENDING.value, "attempts": 0}
    if db.session.get_bind().dialect.name != "postgresql":
        insert = sqlite_insert(OutboxMessage).on_conflict_do_nothing(index_elements=["key"])
        return list(db.session.scalars(insert.returning(OutboxMessage.id), [{**row, **constant} for row in rows]))
    table, names = OutboxMessage.__table__, list(rows[0])

    def column(name: str):  # a JSON column travels as text, each value serialised
        if name == "cc":
            return sa.cast(sa.bindparam(name, [json.dumps(row[name]) for row in rows]), ARRAY(sa.Text))
        return sa.cast(sa.bindparam(name, [row[name] for row in rows]), ARRAY(table.c[name].type))

    new = sa.func.unnest(*map(column, names)).table_valued(*names).render_derived(name="new")
    source = sa.select(*[sa.cast(new.c[name], sa.JSON) if name == "cc" else new.c[name] for name in names],
                       *[sa.literal(value, table.c[name].type) for name, value in constant.items()])
    statement = postgresql_insert(OutboxMessage).from_select([*names, *constant], source)
    return list(db.session.scalars(statement.on_conflict_do_nothing(index_elements=["key"])
                                   .returning(OutboxMessage.id)))


def queue(*, key: str, kind: str, recipient: str, subject: str, text: str, html: str | None = None,
          language: str = "en", cc: list[str] | None = None, call=None, mission=None, submission=None,
          fallback_for: OutboxMessage | None = None) -> OutboxMessage | None:
    """Add a message unless one with this key exists. Returns the new row, or None (inside
    `batch()`, the row is written at the batch's end and None is returned)."""
    values = dict(
        key=key[:300], kind=kind, recipient=recipient, cc=cc or [], subject=subject[:300],
        body_text=text, body_html=html, language=language,
        call_id=call.id if call is not None else None,
        mission_id=mission.id if mission is not None else None,
        submission_id=submission.id if submission is not None else None,
        fallback_for_id=fallback_for.id if fallback_for is not None else None,
    )
    gathering = db.session.info.get(BATCH)
    if gathering is not None:
        gathering.rows.append(values)
        return None
    if already_queued(key):
        return None
    message = OutboxMessage(**values)
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # queued at the same moment by another process
        return None
    jobs.after_commit("mail", message.id)
    return message


def already_queued(key: str) -> bool:
    """The cheap check; the unique key in the database is the guarantee (two beats at once)."""
    return db.session.scalar(db.select(OutboxMessage.id).filter_by(key=key)) is not None


def existing_keys(prefix: str) -> set[str]:
    return set(db.session.scalars(db.select(OutboxMessage.key).where(OutboxMessage.key.startswith(prefix))))


def claim(message_id: int, at: datetime | None = None) -> OutboxMessage | None:
    """Take a pending message for sending; None if another worker has it or it is done. One
    statement claims and reads it; what the session holds unwritten (the outcome of the message
    before, see `mark_sent`) is committed with the claim. The message comes back as it was
    claimed, not expired by the commit: nothing about it is read again while it is sent."""
    at = at or clock.now()
    message = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == MailState.PENDING)
        .values(state=MailState.SENDING, claimed_at=at, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage), execution_options={"populate_existing": True}
    ).first()
    commit_keeping()
    return message


def mark_sent(message: OutboxMessage, answer: str, at: datetime | None = None, *, commit: bool = True) -> None:
    """The server took the message. `commit=False` leaves the outcome to be committed with the
    next claim of the same worker (one transaction per message in a batch); the message the
    worker is sending is never more than one."""
    message.state, message.sent_at = MailState.SENT, at or clock.now()
    message.smtp_response, message.last_error = answer[:500], None
    if commit:
        db.session.commit()


def backoff(attempts: int, base: float) -> float:
    return min(base * 2 ** (attempts - 1), 3600.0)


def mark_retry(message: OutboxMessage, error: str, base: float, at: datetime | None = None) -> float | None:
    """A temporary failure: back to pending with a later attempt, or failed after the last try.
    Returns the delay before the next attempt (None when it has failed for good)."""
    at = at or clock.now()
    message.last_error = error[:2000]
    message.smtp_response = error[:500]
    if message.attempts >= MAX_ATTEMPTS:
        message.state = MailState.FAILED
        db.session.commit()
        return None
    delay = backoff(message.attempts, base)
    message.state, message.next_attempt_at = MailState.PENDING, at + timedelta(seconds=delay)
    db.session.commit()
    return delay


def mark_failed(message: OutboxMessage, error: str) -> None:
    message.state, message.last_error, message.smtp_response = MailState.FAILED, error[:2000], error[:500]
    db.session.commit()


def overdue(at: datetime | None = None, grace: timedelta | None = None, limit: int = 500) -> list[int]:
    """Pending messages whose next attempt is past by `grace` (lost hand-overs, due back-offs)."""
    at = at or clock.now()
    if grace is None:
        grace = timedelta(seconds=current_app.config["REQUEUE_GRACE_SECONDS"])
    return list(db.session.scalars(
        db.select(OutboxMessage.id)
        .where(OutboxMessage.state == MailState.PENDING, OutboxMessage.next_attempt_at <= at - grace)
        .order_by(OutboxMessage.next_attempt_at).limit(limit)
    ))


def is_stuck(message: OutboxMessage, at: datetime | None = None) -> bool:
    """Interrupted while sending (the same test as `stuck()`, for one message in hand)."""
    return (message.state == MailState.SENDING and message.claimed_at is not None
            and message.claimed_at < (at or clock.now()) - STUCK_AFTER)


def stuck(at: datetime | None = None) -> list[OutboxMessage]:
    """Messages interrupted while sending: a human decides whether to resend them."""
    at = at or clock.now()
    return list(db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.state == MailState.SENDING,
                                       OutboxMessage.claimed_at < at - STUCK_AFTER)
    ))


def requeue(ids: list[int]) -> int:
    for message_id in ids:
        jobs.hand_over("mail", message_id)
    return len(ids)


def resend(message: OutboxMessage, actor) -> None:
    """A human sends a failed or interrupted message again (the caller commits)."""
    audit.record("mail_resent", actor, call=message.call, detail={
        "message": message.id, "key": message.key, "was": message.state, "to": message.recipient})
    person = db.session.scalar(db.select(User).filter_by(email=message.recipient))
    if person is not None:  # the personal link it carried may have been seen: a new one goes
        message.body_text = invitations.renew_links(message.body_text, person)
        message.body_html = invitations.renew_links(message.body_html, person) if message.body_html else None
    message.state, message.next_attempt_at, message.last_error = MailState.PENDING, clock.now(), None
    jobs.after_commit("mail", message.id)


def caught_by_sink(folder: str | Path, limit: int = 200) -> list:
    """What the development mail sink (tasks/mailsink.py) caught, the newest first."""
    path = Path(folder)
    if not path.exists():
        return []
    box = mailbox.Maildir(str(path), factory=None, create=False)
    found = [message_from_bytes(box.get_bytes(key), policy=policy.default) for key in box.iterkeys()]
    found.sort(key=_sent_at, reverse=True)
    return found[:limit]


def _sent_at(message) -> datetime:
    try:
        return parsedate_to_datetime(message["Date"]).astimezone(UTC).replace(tzinfo=None)
    except (TypeError, ValueError):
        return datetime.min
