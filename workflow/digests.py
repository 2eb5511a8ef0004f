"""Digests, in the reader's language and time zone, each item a link into Missiva.

For the secretariat (daily or weekly, over the calls each person follows): first what needs
action (answers waiting for review and for how long, returned answers the mission has not touched,
mail that failed or is stuck, calls the sweep or a wording could not process), then what came in
(new and amended answers), then each followed call: answered, days left, states still outstanding.
For a mission's focal point (its own mission's calls only): what is still to answer and by when,
answers returned to it, and the receipts of what it submitted.

A quiet period sends nothing unless a deadline is within DIGEST_QUIET_DAYS. Each person gets at
most one digest per period (the outbox key), and everyone's digest is queued in one transaction.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy.orm import selectinload

from . import clock, notifications, outbox, profiles
from .db import db
from .deadlines import UNANSWERED
from .kinds import MISSION, CallStatus, MailState, State
from .links import absolute as link
from .models import Call, OutboxMessage, Submission, SubmissionVersion, User
from .text import name_key

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


class Snapshot:
    """What every digest of one run reads, loaded once for everyone."""

    def __init__(self, since: datetime, at: datetime):
        self.at = at
        self.calls = db.session.scalars(db.select(Call).where(Call.status != CallStatus.DRAFT)
                                        .order_by(Call.deadline)).all()
        self.submissions = db.session.scalars(
            db.select(Submission).join(Submission.call).where(Call.status != CallStatus.DRAFT,
                                                              Submission.withdrawn_at.is_(None))
            .options(selectinload(Submission.versions))).all()
        self.versions = db.session.scalars(
            db.select(SubmissionVersion).join(SubmissionVersion.submission).join(Submission.call)
            .where(SubmissionVersion.submitted_at > since, SubmissionVersion.submitted_at <= at,
                   Call.status != CallStatus.DRAFT).order_by(SubmissionVersion.submitted_at)).all()
        self.failed = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.state == MailState.FAILED)
                                         .order_by(OutboxMessage.created_at)).all()
        self.stuck = outbox.stuck(at)


def _name(submission: Submission, language: str) -> str:
    return submission.mission.member_state.name(language)


def staff(person: User, snap: Snapshot, since: datetime, language: str) -> dict:
    """The secretariat digest of one person, over the calls they follow."""
    at, zone = snap.at, person.zone
    followed = {c.id for c in snap.calls if person.follows_all or c.id in (person.followed_calls or [])}
    mine = [s for s in snap.submissions if s.call_id in followed]
    waiting = sorted((s for s in mine if s.state == State.SUBMITTED.value and s.latest_version),
                     key=lambda s: s.latest_version.submitted_at)
    returned = [s for s in mine if s.state == State.RETURNED.value]
    in_window = [v for v in snap.versions if v.submitted_at > since and v.submission.call_id in followed]
    calls = []
    for call in snap.calls:
        if call.id not in followed or call.status != CallStatus.OPEN:
            continue
        addressed = [s for s in mine if s.call_id == call.id]
        outstanding = sorted((_name(s, language) for s in addressed if s.state in UNANSWERED), key=name_key)
        calls.append({"call": call, "title": call.title_in(language), "link": link(f"/secretariat/calls/{call.id}"),
                      "total": len(addressed), "answered": len(addressed) - len(outstanding),
                      "days_left": (call.deadline - at).days, "outstanding": outstanding,
                      "deadline": notifications.moment_in(call.deadline, call.timezone, language)})
    problems = [{"call": call, "link": link(f"/secretariat/calls/{call.id}"), "sweep": call.sweep_problem,
                 "wording": notifications.broken_wording(call)} for call in snap.calls if call.id in followed]
    return {
        "audience": "staff", "person": person, "language": language, "zone": zone,
        "since": notifications.moment_in(since, zone, language), "at": notifications.moment_in(at, zone, language),
        "waiting": [{"state": _name(s, language), "call": s.call.reference,
                     "days": (at - s.latest_version.submitted_at).days,
                     "link": link(f"/secretariat/submissions/{s.id}")} for s in waiting],
        "returned": [{"state": _name(s, language), "call": s.call.reference,
                      "link": link(f"/secretariat/submissions/{s.id}")} for s in returned],
        "failed": [{"recipient": m.recipient, "subject": m.subject, "error": m.last_error,
                    "link": link(f"/secretariat/outbox/{m.id}")} for m in snap.failed
                   if m.call_id is None or m.call_id in followed],
        "stuck": [{"recipient": m.recipient, "subject": m.subject, "link": link(f"/secretariat/outbox/{m.id}")}
                  for m in snap.stuck if m.call_id is None or m.call_id in followed],
        "problems": [p for p in problems if p["sweep"] or p["wording"]],
        "came_in": [{"state": _name(v.submission, language), "call": v.submission.call.reference,
                     "number": v.number, "late": v.late,
                     "when": notifications.moment_in(v.submitted_at, zone, language),
                     "link": link(f"/secretariat/submissions/{v.submission_id}")} for v in in_window],
        "calls": calls,
        "unsubscribe": profiles.unsubscribe_url(person),
        "profile": link("/profile"),
    }


def mission(person: User, snap: Snapshot, since: datetime, language: str) -> dict:
    """A focal point's digest: only the calls addressed to its own mission."""
    at, zone = snap.at, person.zone
    own = [s for s in snap.submissions if s.mission_id == person.mission_id and s.call.status == CallStatus.OPEN]
    to_answer = sorted((s for s in own if s.state in UNANSWERED and s.state != State.RETURNED.value),
                       key=lambda s: s.deadline)
    return {
        "audience": "mission", "person": person, "language": language, "zone": zone,
        "since": notifications.moment_in(since, zone, language), "at": notifications.moment_in(at, zone, language),
        "to_answer": [{"title": s.call.title_in(language), "reference": s.call.reference,
                       "draft": s.state == State.DRAFT.value,
                       "deadline": notifications.moment_in(s.deadline, s.call.timezone, language),
                       "days_left": (s.deadline - at).days, "link": link(f"/portal/calls/{s.call_id}")}
                      for s in to_answer],
        "returned": [{"title": s.call.title_in(language), "reference": s.call.reference, "comment": s.return_comment,
                      "link": link(f"/portal/calls/{s.call_id}")} for s in own if s.state == State.RETURNED.value],
        "receipts": [{"title": v.submission.call.title_in(language), "number": v.receipt_number,
                      "when": notifications.moment_in(v.submitted_at, zone, language),
                      "link": link(f"/portal/calls/{v.submission.call_id}/receipt/{v.number}")}
                     for v in snap.versions if v.submitted_at > since and v.submission.mission_id == person.mission_id],
        "unsubscribe": profiles.unsubscribe_url(person),
        "profile": link("/profile"),
    }


def quiet(content: dict) -> bool:
    """Nothing came in, nothing needs attention and no deadline is near: no mail that period
    (a deadline within DIGEST_QUIET_DAYS always makes a digest worth sending)."""
    near = current_app.config["DIGEST_QUIET_DAYS"]
    if content["audience"] == "mission":
        return not (content["returned"] or content["receipts"]
                    or any(0 <= c["days_left"] <= near for c in content["to_answer"]))
    return not (content["waiting"] or content["returned"] or content["failed"] or content["stuck"]
                or content["problems"] or content["came_in"]
                or any(0 <= c["days_left"] <= near for c in content["calls"]))


def _subject(content: dict) -> str:
    """The counts in the subject, each with the number it agrees with ("1 reçue", "2 reçues")."""
    if content["audience"] == "mission":
        counts = ", ".join((
            ngettext("%(num)d to answer", "%(num)d to answer", len(content["to_answer"])),
            ngettext("%(num)d returned to you", "%(num)d returned to you", len(content["returned"]))))
        return gettext("Missiva: your mission's calls (%(counts)s)", counts=counts)
    counts = ", ".join((
        ngettext("%(num)d to review", "%(num)d to review", len(content["waiting"])),
        ngettext("%(num)d received", "%(num)d received", len(content["came_in"])),
        ngettext("%(num)d mail problem", "%(num)d mail problems", len(content["failed"]) + len(content["stuck"]))))
    return gettext("Missiva digest: %(counts)s", counts=counts)


def _last_digests(period: str) -> dict[str, datetime]:
    rows = db.session.execute(
        db.select(OutboxMessage.recipient, db.func.max(OutboxMessage.created_at))
        .where(OutboxMessage.kind == "digest", OutboxMessage.key.startswith(f"digest:{period}:"))
        .group_by(OutboxMessage.recipient))
    return dict(rows.all())


def send(period: str, at: datetime | None = None) -> int:
    """Queue the digest of everyone who asked for this period: at most once per person and period
    (the key), read from one snapshot, in the caller's one transaction."""
    at = at or clock.now()
    people = db.session.scalars(db.select(User).where(User.digest == period, User.active.is_(True),
                                                      User.bounced_at.is_(None))).all()
    if not people:
        return 0
    last = _last_digests(period)
    earliest = min((last.get(p.email) or at - PERIODS[period]) for p in people)
    snap = Snapshot(earliest, at)
    queued = 0
    for person in people:
        since = max(last.get(person.email) or at - PERIODS[period], earliest)
        language = person.locale or (person.mission.language if person.mission else None) or "en"
        with force_locale(language):
            build = mission if person.role in MISSION else staff
            content = build(person, snap, since, language)
            if quiet(content):
                continue
            subject = _subject(content)
            text = render_template("email/digest.txt", **content)
            html = render_template("email/digest.html", **content)
        queued += outbox.queue(key=f"digest:{period}:{at:%Y-%m-%d}:{person.email}", kind="digest",
                               recipient=person.email, subject=subject, text=text, html=html,
                               language=language) is not None
    return queued
