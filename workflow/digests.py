"""The digest for the secretariat: what came in since the last one, who is still outstanding,
how many days are left, and which mails failed. Daily or weekly, per person (`User.digest`)."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from . import clock, notifications, outbox
from .db import db
from .deadlines import UNANSWERED
from .kinds import CallStatus, MailState
from .models import Call, OutboxMessage, Submission, SubmissionVersion, User

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def data(since: datetime, at: datetime) -> dict:
    versions = db.session.scalars(
        db.select(SubmissionVersion).join(SubmissionVersion.submission)
        .where(SubmissionVersion.submitted_at > since, SubmissionVersion.submitted_at <= at)
        .order_by(SubmissionVersion.submitted_at)
    ).all()
    calls = db.session.scalars(db.select(Call).where(Call.status == CallStatus.OPEN).order_by(Call.deadline)).all()
    open_calls = []
    for call in calls:
        outstanding = db.session.scalars(
            db.select(Submission).where(Submission.call_id == call.id, Submission.state.in_(UNANSWERED))
        ).all()
        open_calls.append({
            "call": call, "days_left": (call.deadline - at).days,
            "outstanding": sorted(s.mission.member_state.name() for s in outstanding),
            "total": len(call.submissions),
            "answered": len(call.submissions) - len(outstanding),
        })
    failed = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.state == MailState.FAILED).order_by(OutboxMessage.created_at)
    ).all()
    troubled = db.session.scalars(db.select(Call).where(Call.status != CallStatus.DRAFT).order_by(Call.deadline)).all()
    problems = [problem for problem in ({"call": call, "sweep": call.sweep_problem,
                                         "wording": notifications.broken_wording(call)} for call in troubled)
                if problem["sweep"] or problem["wording"]]
    return {
        "since": since, "at": at, "problems": problems,
        "new": [v for v in versions if v.number == 1],
        "amended": [v for v in versions if v.number > 1],
        "calls": open_calls,
        "failed": failed,
        "stuck": outbox.stuck(at),
    }


def quiet(content: dict) -> bool:
    """Nothing came in, nothing needs attention and no deadline is near: no mail that day
    (a deadline within DIGEST_QUIET_DAYS always makes a digest worth sending)."""
    near = current_app.config["DIGEST_QUIET_DAYS"]
    return not (content["new"] or content["amended"] or content["failed"] or content["stuck"]
                or content["problems"] or any(0 <= c["days_left"] <= near for c in content["calls"]))


def _last_digest(user: User, period: str) -> datetime | None:
    return db.session.scalar(
        db.select(db.func.max(OutboxMessage.created_at))
        .where(OutboxMessage.kind == "digest", OutboxMessage.recipient == user.email,
               OutboxMessage.key.startswith(f"digest:{period}:"))
    )


def send(period: str, at: datetime | None = None) -> int:
    """Queue the digest for everyone who asked for this period (once per person and day)."""
    at = at or clock.now()
    people = db.session.scalars(db.select(User).where(User.digest == period, User.active.is_(True))).all()
    queued = 0
    for person in people:
        since = _last_digest(person, period) or at - PERIODS[period]
        language = person.locale or "en"
        with force_locale(language):
            content = data(since, at)
            if quiet(content):
                continue
            subject = gettext("Missiva digest: %(new)s new, %(amended)s amended, %(failed)s failed mails",
                              new=len(content["new"]), amended=len(content["amended"]),
                              failed=len(content["failed"]))
            text = render_template("email/digest.txt", **content, person=person, language=language)
            html = render_template("email/digest.html", **content, person=person, language=language)
        queued += outbox.queue(key=f"digest:{period}:{at:%Y-%m-%d}:{person.email}", kind="digest",
                               recipient=person.email, subject=subject, text=text, html=html,
                               language=language) is not None
    return queued
