"""The outbox's rules one by one, at their edges: back-off, the last attempt, what counts as
interrupted, what the requeue picks up, what a resend changes, and what the development sink shows."""
from __future__ import annotations

import mailbox
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest

from workflow import clock, invitations, outbox
from workflow.db import db
from workflow.kinds import MailState
from workflow.models import AuditEvent, OutboxMessage

from . import factories

T0 = datetime(2030, 3, 1, 12, 0)


def _message(key="m", **values) -> OutboxMessage:
    found = outbox.queue(key=key, kind="reminder", recipient=values.pop("recipient", "a@x.example"),
                         subject="s", text=values.pop("text", "t"), html=values.pop("html", None))
    for name, value in values.items():
        setattr(found, name, value)
    db.session.commit()
    return found


@pytest.mark.parametrize("attempts,delay", [(1, 60), (2, 120), (3, 240), (7, 3600), (30, 3600)])
def test_back_off_doubles_up_to_an_hour(attempts, delay):
    assert outbox.backoff(attempts, 60) == delay


def test_a_temporary_failure_waits_then_the_last_attempt_fails_for_good(app):
    message = _message(attempts=1)
    assert outbox.mark_retry(message, "451 later" + "x" * 3000, base=60, at=T0) == 60
    assert message.state == MailState.PENDING and message.next_attempt_at == T0 + timedelta(seconds=60)
    assert message.last_error.startswith("451 later") and len(message.last_error) == 2000
    assert len(message.smtp_response) == 500
    message.attempts = outbox.MAX_ATTEMPTS - 1
    assert outbox.mark_retry(message, "451 again", base=60, at=T0) == 3600
    message.attempts = outbox.MAX_ATTEMPTS
    assert outbox.mark_retry(message, "451 still", base=60, at=T0) is None
    assert message.state == MailState.FAILED and message.last_error == "451 still"


def test_sent_and_failed_are_recorded_with_the_servers_answer(app):
    sent, failed = _message("a"), _message("b")
    outbox.mark_sent(sent, "250 2.0.0 Ok: queued as A1", at=T0)
    outbox.mark_failed(failed, "550 5.1.1 no such mailbox")
    db.session.refresh(sent)
    db.session.refresh(failed)
    assert (sent.state, sent.sent_at, sent.smtp_response, sent.last_error) == (
        MailState.SENT, T0, "250 2.0.0 Ok: queued as A1", None)
    assert (failed.state, failed.smtp_response, failed.last_error) == (
        MailState.FAILED, "550 5.1.1 no such mailbox", "550 5.1.1 no such mailbox")


def test_the_requeue_takes_pending_mail_overdue_by_the_grace_oldest_first(app):
    app.config["REQUEUE_GRACE_SECONDS"] = 30
    edge = _message("edge", next_attempt_at=T0 - timedelta(seconds=30))
    late = _message("late", next_attempt_at=T0 - timedelta(seconds=90))
    _message("fresh", next_attempt_at=T0 - timedelta(seconds=29))
    _message("sent", next_attempt_at=T0 - timedelta(hours=1), state=MailState.SENT)
    _message("sending", next_attempt_at=T0 - timedelta(hours=1), state=MailState.SENDING)
    assert outbox.overdue(T0) == [late.id, edge.id]
    assert outbox.overdue(T0, grace=timedelta(0), limit=1) == [late.id]
    with clock.frozen_at(T0):
        assert outbox.overdue() == [late.id, edge.id]


def test_interrupted_means_sending_for_more_than_ten_minutes(app):
    old = _message("old", state=MailState.SENDING, claimed_at=T0 - outbox.STUCK_AFTER - timedelta(seconds=1))
    edge = _message("edge", state=MailState.SENDING, claimed_at=T0 - outbox.STUCK_AFTER)
    unclaimed = _message("unclaimed", state=MailState.SENDING, claimed_at=None)
    done = _message("done", state=MailState.SENT, claimed_at=T0 - timedelta(hours=1))
    assert [m.id for m in outbox.stuck(T0)] == [old.id]
    assert [outbox.is_stuck(m, T0) for m in (old, edge, unclaimed, done)] == [True, False, False, False]
    with clock.frozen_at(T0):
        assert outbox.is_stuck(old) and [m.id for m in outbox.stuck()] == [old.id]


def test_a_resend_is_audited_goes_back_to_pending_and_carries_a_new_link(app):
    w = factories.world()
    link = invitations.link_for(w["ar"])
    message = _message("r", recipient="focal@ar.example", text=f"Sign in: {link}", html=f"<a href='{link}'>x</a>",
                       state=MailState.FAILED, last_error="550 refused", next_attempt_at=T0, call_id=w["call"].id)
    with clock.frozen_at(T0 + timedelta(hours=2)):
        outbox.resend(message, w["officer"])
        db.session.commit()
    db.session.refresh(message)
    assert (message.state, message.next_attempt_at, message.last_error) == (
        MailState.PENDING, T0 + timedelta(hours=2), None)
    assert link not in message.body_text and link not in message.body_html
    assert invitations.LINK.search(message.body_text) and invitations.LINK.search(message.body_html)
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="mail_resent"))
    assert event.actor_label == "officer@sec.example" and event.call_id == w["call"].id
    assert event.detail == {"message": message.id, "key": "r", "was": "failed", "to": "focal@ar.example"}
    other = _message("pr", recipient="embajador@ar.example", text="no link", state=MailState.SENDING)
    outbox.resend(other, w["officer"])
    assert other.body_text == "no link" and other.body_html is None


def test_the_sink_shows_what_it_caught_newest_first(app, tmp_path):
    box = mailbox.Maildir(str(tmp_path / "sink"), create=True)
    for date, subject in (("Sat, 02 Mar 2030", "older"), ("Mon, 04 Mar 2030", "newest"), ("Sun, 03 Mar 2030", "middle")):
        caught = EmailMessage()  # by date, not by the text of the header ("Mon" < "Sun")
        caught["Subject"], caught["Date"] = subject, f"{date} 12:00:00 +0000"
        caught.set_content("body")
        box.add(caught)
    assert [m["Subject"] for m in outbox.caught_by_sink(tmp_path / "sink")] == ["newest", "middle", "older"]
    assert [m["Subject"] for m in outbox.caught_by_sink(tmp_path / "sink", limit=1)] == ["newest"]
    assert outbox.caught_by_sink(tmp_path / "nothing-here") == []


def test_long_answers_are_cut_to_what_the_columns_hold(app):
    sent, failed = _message("a"), _message("b")
    outbox.mark_sent(sent, "250 " + "y" * 600, at=T0)
    outbox.mark_failed(failed, "550 " + "z" * 3000)
    assert len(sent.smtp_response) == 500 and sent.sent_at == T0
    assert len(failed.smtp_response) == 500 and len(failed.last_error) == 2000


def test_a_message_is_in_english_unless_told_and_keys_are_found_by_prefix(app):
    message = _message("reminder:1:2:before-7:a@x.example")
    _message("reminder:1:3:before-7:b@x.example")
    _message("receipt:9:1:c@x.example")
    assert message.language == "en"
    assert outbox.existing_keys("reminder:1:") == {"reminder:1:2:before-7:a@x.example",
                                                  "reminder:1:3:before-7:b@x.example"}


def test_a_resend_is_handed_to_a_worker_once_it_commits(app, monkeypatch):
    message = _message("h", state=MailState.FAILED)
    seen = []
    monkeypatch.setitem(app.extensions["missiva_jobs"].handlers, "mail",
                        lambda message_id, countdown=0: seen.append(message_id))
    outbox.resend(message, None)
    assert seen == []
    db.session.commit()
    assert seen == [message.id]


def test_a_queued_message_keeps_what_it_was_given(app):
    w = factories.world()
    sub = factories.submission_of(w["call"], w["ar"].mission)
    first = outbox.queue(key="k" * 400, kind="reminder", recipient="a@x.example", subject="S" * 400, text="t")
    second = outbox.queue(key="second", kind="reminder", recipient="b@x.example", subject="s", text="t",
                          html="<p>t</p>", language="es", cc=["c@x.example"], call=w["call"], mission=sub.mission,
                          submission=sub, fallback_for=first)
    db.session.commit()
    assert (len(first.key), len(first.subject), first.cc, first.fallback_for_id) == (300, 300, [], None)
    assert (second.language, second.cc, second.body_html) == ("es", ["c@x.example"], "<p>t</p>")
    assert (second.call_id, second.mission_id, second.submission_id, second.fallback_for_id) == (
        w["call"].id, sub.mission_id, sub.id, first.id)
