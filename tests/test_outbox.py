"""The outbox: unique keys, hand-over only after commit, retries, bounces, resends, digests."""
from __future__ import annotations

from datetime import timedelta

from workflow import clock, digests, notifications, outbox
from workflow.db import db
from workflow.models import OutboxMessage

from . import factories
from .conftest import drain
from .factories import filled


def handed_over(app, monkeypatch):
    seen = []
    monkeypatch.setitem(app.extensions["missiva_jobs"].handlers, "mail",
                        lambda message_id, countdown=0: seen.append(message_id))
    monkeypatch.setitem(app.extensions["missiva_jobs"].batch_handlers, "mail", seen.extend)  # several at once
    return seen


def test_same_key_is_queued_once_and_only_committed_mail_is_handed_over(app, monkeypatch):
    seen = handed_over(app, monkeypatch)
    factories.world()
    first = outbox.queue(key="k:1", kind="reminder", recipient="a@x.example", subject="s", text="t")
    assert outbox.queue(key="k:1", kind="reminder", recipient="a@x.example", subject="s", text="t") is None
    second = outbox.queue(key="k:3", kind="reminder", recipient="c@x.example", subject="s", text="t")
    assert seen == []  # not before the commit (each queue() releases a savepoint: that is no commit)
    db.session.commit()
    assert seen == [first.id, second.id]
    outbox.queue(key="k:2", kind="reminder", recipient="b@x.example", subject="s", text="t")
    db.session.rollback()
    db.session.commit()
    assert seen == [first.id, second.id]  # a rolled-back request sends nothing
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 2


def test_temporary_failures_are_retried_until_delivered(app, smtp):
    w = factories.world()
    notifications.invite(w["call"])
    db.session.commit()
    app.config["OUTBOX_RETRY_SECONDS"] = 60
    smtp.defer_next = 7  # three messages: every first try and the next two, then one more
    outcome, moment = {}, clock.now()
    for _ in range(8):  # the back-off (60 s, doubling) passes on the clock, not in real time
        with clock.frozen_at(moment):
            for key, n in drain().items():
                outcome[key] = outcome.get(key, 0) + n
        moment += timedelta(seconds=60 * 2 ** 7)
        if outcome.get("sent") == 3:
            break
    assert outcome["sent"] == 3 and outcome["retry"] == 7 and smtp.deferred == 7
    messages = db.session.scalars(db.select(OutboxMessage)).all()
    assert all(m.state == "sent" and m.smtp_response.startswith("250") and m.attempts >= 2 for m in messages)
    assert sorted(smtp.keys()) == sorted(m.key for m in messages)


def test_a_refused_address_falls_back_to_the_next_contact(app, smtp):
    w = factories.world()
    w["ar"].mission.representative_email = "embajador@ar.example"
    db.session.commit()
    smtp.refuse = {"focal@ar.example", "second@ar.example"}
    sub = factories.submission_of(w["call"], w["ar"])
    notifications.queue_for(sub, "reminder", f"reminder:{w['call'].id}:{sub.mission_id}:before-7")
    db.session.commit()
    drain()
    states = {m.recipient: (m.state, m.smtp_response[:3]) for m in db.session.scalars(db.select(OutboxMessage))}
    assert states == {"focal@ar.example": ("failed", "550"), "second@ar.example": ("failed", "550"),
                      "embajador@ar.example": ("sent", "250")}
    assert len(smtp.to("embajador@ar.example")) == 1
    db.session.refresh(w["ar"])
    assert w["ar"].bounced_at is not None
    # The next reminder goes straight to whoever is still reachable.
    notifications.queue_for(sub, "reminder", f"reminder:{w['call'].id}:{sub.mission_id}:before-2")
    db.session.commit()
    drain()
    assert len(smtp.to("embajador@ar.example")) == 2


def test_failed_and_interrupted_mail_is_shown_and_can_be_resent(app, smtp, make_client):
    factories.world()
    message = outbox.queue(key="x:1", kind="reminder", recipient="focal@ar.example", subject="Hello",
                           text="Body")
    message.state, message.claimed_at = "sending", clock.now() - timedelta(hours=1)
    db.session.commit()
    assert [m.id for m in outbox.stuck()] == [message.id]
    assert drain() == {}  # nobody resends it silently

    officer = make_client().sign_in("officer@sec.example")
    page = officer.get("/secretariat/outbox?state=attention").get_data(as_text=True)
    assert "focal@ar.example" in page and "may or may not have been sent" in page
    assert officer.post(f"/secretariat/outbox/{message.id}/resend").status_code == 302
    assert drain() == {"sent": 1}
    assert len(smtp.to("focal@ar.example")) == 1
    assert "mail_resent" in officer.get(f"/secretariat/outbox/{message.id}").get_data(as_text=True)


def test_receipt_return_and_acceptance_notices(app, smtp):
    from workflow.submissions import accept, return_to_mission, save, submit

    w = factories.world()
    sub = factories.submission_of(w["call"], w["br"])
    save(sub, filled(w["call"]), w["br"], lock_version=0)
    submit(sub, w["br"])
    db.session.commit()
    return_to_mission(sub, w["officer"], "Falta el cargo del experto.")
    db.session.commit()
    save(sub, filled(w["call"]), w["br"], lock_version=sub.lock_version)
    submit(sub, w["br"])
    accept(sub, w["officer"])
    db.session.commit()
    drain()
    subjects = [m["Subject"] for m in smtp.to("focal@br.example")]
    assert subjects == [
        "Answer received: CIBER-V/doc.1/07 · BR · 1",
        "Please review your answer: CIBER-V/doc.1/07",
        "Answer received: CIBER-V/doc.1/07 · BR · 2",
        "Accepted: CIBER-V/doc.1/07",
    ]
    assert "Falta el cargo del experto." in smtp.to("focal@br.example")[1].get_body(("plain",)).get_content()


def test_digest_lists_new_amended_outstanding_and_failed(app, smtp):
    from workflow.submissions import amend, save, submit

    w = factories.world()
    w["admin"].digest = "daily"
    sub = factories.submission_of(w["call"], w["ar"])
    save(sub, filled(w["call"]), w["ar"], lock_version=0)
    submit(sub, w["ar"])
    amend(sub, w["ar"])
    save(sub, filled(w["call"]), w["ar"], lock_version=sub.lock_version)
    submit(sub, w["ar"])
    outbox.queue(key="bad:1", kind="reminder", recipient="x@y.example", subject="Lost", text="t").state = "failed"
    db.session.commit()
    assert digests.send("daily") == 1 and digests.send("daily") == 0  # once a day
    db.session.commit()
    drain()
    text = smtp.to("admin@sec.example")[0].get_body(("plain",)).get_content()
    action = text.index("Needs your action")
    assert action < text.index("Answers received (2)") < text.index("Calls you follow")  # what to act on comes first
    assert "Argentina · CIBER-V/doc.1/07: waiting for review for 0 days" in text
    assert "Argentina · CIBER-V/doc.1/07: new answer" in text and "Argentina · CIBER-V/doc.1/07: version 2" in text
    assert "1 of 2 member states answered" in text and "Still outstanding: Brazil" in text
    assert "Mail that failed: x@y.example — Lost" in text
    assert f"http://missiva.example/secretariat/submissions/{sub.id}" in text


def test_no_digest_on_a_quiet_day_unless_a_deadline_is_near(app, smtp):
    w = factories.world()
    w["admin"].digest = "daily"
    db.session.commit()
    far = w["call"].deadline - timedelta(days=30)
    with clock.frozen_at(far):
        assert digests.send("daily") == 0  # nothing came in, nothing failed, the deadline is a month away
    with clock.frozen_at(w["call"].deadline - timedelta(days=6)):
        assert digests.send("daily") == 1  # six days left: worth a mail even on a quiet day
    db.session.commit()
    drain()
    assert "(New York time), 6 days left" in smtp.to("admin@sec.example")[0].get_body(("plain",)).get_content()


def test_the_demo_head_of_the_secretariat_gets_the_daily_digest(app):
    from workflow import demo
    from workflow.models import User

    demo.load()
    head = db.session.scalar(db.select(User).filter_by(email="head@missiva.example"))
    assert head.digest == "daily" and head.role == "admin"


def test_one_smtp_connection_carries_many_messages_and_a_closed_one_is_renewed(app):
    from .smtp import SMTPServer

    factories.world()
    with SMTPServer() as server:
        app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", server.port
        for n in range(6):
            outbox.queue(key=f"k:{n}", kind="reminder", recipient=f"r{n}@x.example", subject="s", text="t")
        db.session.commit()
        assert drain() == {"sent": 6}
        assert len(server.recorder.messages) == 6 and len(set(server.recorder.peers)) == 1
        port = server.port
    # The server went away and came back (a restart): the kept connection is dead, and the next
    # message goes out on a new one instead of failing.
    with SMTPServer(port) as again:
        outbox.queue(key="k:after", kind="reminder", recipient="late@x.example", subject="s", text="t")
        db.session.commit()
        assert drain() == {"sent": 1}
        assert [key for key, _, _ in again.recorder.messages] == ["k:after"]


def test_a_batch_of_mail_run_twice_sends_each_message_once(app, smtp):
    from tasks.mail import deliver_mail_batch

    factories.world()
    ids = [outbox.queue(key=f"b:{n}", kind="reminder", recipient=f"r{n}@x.example", subject="s", text="t").id
           for n in range(5)]
    db.session.commit()
    assert deliver_mail_batch.run(ids) == {"sent": 5}
    assert deliver_mail_batch.run(ids) == {"skipped": 5}  # redelivered after a crash, say
    assert sorted(smtp.keys().values()) == [1] * 5
