"""Each guard that makes mail go once, tested on its own: the check before queuing, the unique key
in the database (two beats at the same moment), and claiming only pending rows."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from workflow import outbox
from workflow.db import db
from workflow.models import OutboxMessage

from . import factories


def _count(key):
    return db.session.scalar(db.select(db.func.count(OutboxMessage.id)).filter_by(key=key))


def test_queuing_the_same_key_twice_adds_one_row(app):
    factories.world()
    first = outbox.queue(key="reminder:1:1:before-7:a@x", kind="reminder", recipient="a@x", subject="s", text="t")
    second = outbox.queue(key="reminder:1:1:before-7:a@x", kind="reminder", recipient="a@x", subject="s", text="t")
    db.session.commit()
    assert first is not None and second is None and _count("reminder:1:1:before-7:a@x") == 1


def test_the_database_refuses_a_second_row_with_the_same_key(app):
    db.session.add(OutboxMessage(key="k", kind="reminder", recipient="a@x", subject="s", body_text="t"))
    db.session.commit()
    db.session.add(OutboxMessage(key="k", kind="reminder", recipient="a@x", subject="s", body_text="t"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert _count("k") == 1


def test_a_second_beat_that_missed_the_check_is_stopped_by_the_key(app, monkeypatch):
    """The other beat's row committed between our check and our insert: the insert fails on the
    unique key inside its savepoint, queue() answers None, and our transaction goes on."""
    outbox.queue(key="k2", kind="reminder", recipient="a@x", subject="s", text="t")
    db.session.commit()
    monkeypatch.setattr(outbox, "already_queued", lambda key: False)
    again = outbox.queue(key="k2", kind="reminder", recipient="a@x", subject="s", text="t")
    other = outbox.queue(key="k3", kind="reminder", recipient="b@x", subject="s", text="t")
    db.session.commit()
    assert again is None and other is not None and _count("k2") == 1 and _count("k3") == 1


@pytest.mark.parametrize("state", ["sending", "sent", "failed"])
def test_claim_takes_only_pending_rows(app, state):
    message = outbox.queue(key=f"c-{state}", kind="reminder", recipient="a@x", subject="s", text="t")
    db.session.commit()
    message.state = state
    db.session.commit()
    assert outbox.claim(message.id) is None
    db.session.refresh(message)
    assert message.state == state and message.attempts == 0


def test_claim_is_won_once(app):
    message = outbox.queue(key="c", kind="reminder", recipient="a@x", subject="s", text="t")
    db.session.commit()
    won = outbox.claim(message.id)
    assert won is not None and won.state == "sending" and won.attempts == 1 and won.claimed_at is not None
    assert outbox.claim(message.id) is None
    db.session.refresh(message)
    assert message.attempts == 1


def test_a_batch_of_reminders_skips_a_key_another_beat_queued_first(app):
    factories.world()
    outbox.queue(key="reminder:1:2:before-7:a@x.example", kind="reminder", recipient="a@x.example",
                 subject="s", text="t")
    db.session.commit()
    with outbox.batch() as gathered:
        for address in ("a@x.example", "b@x.example"):  # the first was queued meanwhile elsewhere
            outbox.queue(key=f"reminder:1:2:before-7:{address}", kind="reminder", recipient=address,
                         subject="s", text="t")
    db.session.commit()
    assert gathered.inserted == 1
    assert _count("reminder:1:2:before-7:a@x.example") == 1 and _count("reminder:1:2:before-7:b@x.example") == 1
