"""The operations views call, asked directly: every outcome of the answer form's save-and-submit,
the reminder figures on the status board, which documents an answer refers to, the requeue."""
from __future__ import annotations

from datetime import datetime, timedelta

from workflow import deadlines, documents, outbox
from workflow.db import db
from workflow.kinds import CallStatus, MailState
from workflow.models import AuditEvent, OutboxMessage
from workflow.sections import Problem
from workflow.submissions import Arrival, all_problems, documents_of, save_and_submit

from . import factories

T0 = datetime(2030, 10, 1, 12, 0)


def _ar(w):
    return factories.submission_of(w["call"], w["ar"].mission)


def _empty(call):
    return factories.filled(call) | {"experts": {"experts": []}}


def test_a_draft_is_saved_and_only_an_entry_on_behalf_records_its_provenance(app):
    w = factories.world()
    sub = _ar(w)
    outcome = save_and_submit(sub, _empty(w["call"]), w["ar"], lock_version=0, submitting=False)
    assert (outcome.saved, outcome.version, outcome.conflict, outcome.refusal, outcome.problems) == (
        True, None, False, None, [])
    entered = save_and_submit(sub, _empty(w["call"]), w["officer"], lock_version=1, submitting=False,
                              received=Arrival("fax"))
    assert entered.saved
    db.session.commit()
    details = [e.detail for e in db.session.scalars(db.select(AuditEvent).filter_by(action="save")
                                                    .order_by(AuditEvent.id))]
    assert details == [{}, {"provenance": "fax"}]


def test_nothing_is_saved_on_a_conflict_or_a_refusal(app):
    w = factories.world()
    sub = _ar(w)
    conflict = save_and_submit(sub, _empty(w["call"]), w["ar"], lock_version=7, submitting=True)
    assert (conflict.saved, conflict.conflict, conflict.refusal) == (False, True, None)
    w["call"].status = CallStatus.CLOSED
    refused = save_and_submit(sub, _empty(w["call"]), w["ar"], lock_version=0, submitting=True)
    assert (refused.saved, refused.conflict) == (False, False)
    assert refused.refusal == "This call is closed and no longer takes answers."
    assert sub.state == "not_started"


def test_a_submission_that_cannot_go_keeps_the_draft_and_says_why(app):
    w = factories.world()
    sub = _ar(w)
    not_ready = save_and_submit(sub, _empty(w["call"]), w["ar"], lock_version=0, submitting=True, ready=False)
    assert not_ready.saved and not_ready.version is None and sub.state == "draft"
    assert not_ready.problems == all_problems(sub) and not_ready.problems
    incomplete = save_and_submit(sub, _empty(w["call"]), w["ar"], lock_version=1, submitting=True)
    assert incomplete.saved and incomplete.version is None and sub.state == "draft"
    assert incomplete.problems == [Problem("experts", (), incomplete.problems[0].message)]
    wrong_channel = save_and_submit(sub, factories.filled(w["call"]), w["officer"], lock_version=2,
                                    submitting=True, received=Arrival("pigeon"))
    assert wrong_channel.saved and wrong_channel.refusal == "Say how the answer was received."
    assert sub.state == "draft" and sub.content["experts"]["experts"][0]["name"] == "Ana Souza"


def test_a_ready_answer_is_submitted_with_the_draft(app):
    w = factories.world()
    sub = _ar(w)
    outcome = save_and_submit(sub, factories.filled(w["call"]), w["ar"], lock_version=0, submitting=True)
    assert outcome.saved and outcome.version.number == 1 and sub.state == "submitted"
    assert outcome.problems == [] and outcome.refusal is None
    db.session.commit()
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="submit")).detail == {
        "provenance": "portal", "version": 1}  # no note when none was given
    typed = factories.filled(w["call"])
    sub.state = "draft"
    save_and_submit(sub, typed, w["ar"], lock_version=sub.lock_version, submitting=False)
    typed["experts"]["experts"][0]["name"] = "changed after saving"
    assert sub.content["experts"]["experts"][0]["name"] == "Ana Souza"  # the draft is a copy


def test_the_board_counts_reminders_per_mission_and_shows_the_next(app):
    w = factories.world()
    call = w["call"]
    call.created_at = call.deadline - timedelta(days=30)
    other = factories.call_from_file(addressed=["AR"], slug="other", reference="O", deadline="2030-10-29 23:59")
    ar, br = _ar(w), factories.submission_of(call, w["br"].mission)
    rows = [("before-7", "a", MailState.FAILED, None), ("before-14", "a", MailState.SENT, T0),
            ("before-14", "b", MailState.SENT, T0 + timedelta(hours=1))]
    for slot, who, state, sent_at in rows:
        db.session.add(OutboxMessage(key=f"reminder:{call.id}:{ar.mission_id}:{slot}:{who}@ar", kind="reminder",
                                     recipient=f"{who}@ar", subject="s", body_text="t", call_id=call.id,
                                     mission_id=ar.mission_id, state=state, sent_at=sent_at))
    db.session.add(OutboxMessage(key=f"reminder:{other.id}:{ar.mission_id}:before-2:a@ar", kind="reminder",
                                 recipient="a@ar", subject="s", body_text="t", call_id=other.id,
                                 mission_id=ar.mission_id, state=MailState.FAILED))
    db.session.add(OutboxMessage(key=f"invitation:{call.id}:{br.mission_id}:x", kind="invitation",
                                 recipient="x", subject="s", body_text="t", call_id=call.id,
                                 mission_id=br.mission_id, state=MailState.FAILED, sent_at=T0))
    db.session.commit()
    at = call.deadline - timedelta(days=5)
    status = deadlines.reminder_status(call, at)
    assert status[ar.id] == {"sent": 2, "last": T0 + timedelta(hours=1), "failed": 1,
                             "next": call.deadline - timedelta(days=2)}
    assert status[br.id] == {"sent": 0, "last": None, "failed": 0, "next": call.deadline - timedelta(days=2)}
    ar.state, ar.submitted_at = "submitted", at
    assert deadlines.reminder_status(call, at)[ar.id]["next"] is None  # an answered mission is not chased


def test_documents_of_an_answer_are_its_own(app):
    w = factories.world()
    ar, br = _ar(w), factories.submission_of(w["call"], w["br"].mission)
    slot = w["call"].section("country_report")["documents"][0]
    mine = documents.store(factories.PDF, "a.pdf", submission=ar, section_key="country_report", slot=slot, actor=w["ar"])
    theirs = documents.store(factories.PDF, "b.pdf", submission=br, section_key="country_report", slot=slot,
                             actor=w["br"])
    assert documents_of(ar) == {} and documents_of(ar, {}) == {} and documents_of(ar, {"country_report": {}}) == {}
    content = {"country_report": {"files": {"developments": mine.id}}}
    assert documents_of(ar, content) == {mine.id: mine}
    assert documents_of(ar, {"country_report": {"files": {"developments": theirs.id}}}) == {}
    ar.content = content
    assert list(documents_of(ar)) == [mine.id]


def test_the_requeue_hands_over_each_overdue_message(app, monkeypatch):
    handed = []
    monkeypatch.setitem(app.extensions["missiva_jobs"].handlers, "mail",
                        lambda message_id, countdown=0: handed.append(message_id))
    assert outbox.requeue([3, 5, 8]) == 3 and handed == [3, 5, 8]
    assert outbox.requeue([]) == 0
