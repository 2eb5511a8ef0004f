"""Who may see what, in one place. A focal point's queries always carry its mission, so another
mission's answers are unreachable by construction; the secretariat sees every mission.
"""
from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.orm import contains_eager

from .db import db
from .kinds import CallStatus
from .models import Call, Document, Submission


def submissions(user):
    """A select of the submissions `user` may read."""
    query = db.select(Submission).join(Submission.call).where(Call.status != CallStatus.DRAFT)
    if user.is_secretariat:
        return db.select(Submission)
    # A call withdrawn from the state stays visible only if the mission had sent an answer.
    return query.where(Submission.mission_id == user.mission_id,
                       or_(Submission.withdrawn_at.is_(None), Submission.submitted_at.is_not(None)))


def submission(user, submission_id: int) -> Submission | None:
    return db.session.scalar(submissions(user).where(Submission.id == submission_id))


def submission_for_call(user, call_id: int) -> Submission | None:
    """The mission's own submission to a call (None if the call is not addressed to it), with
    the call read in the same query (the answer page needs it at once)."""
    if user.mission_id is None:
        return None
    return db.session.scalar(
        submissions(user).where(Submission.call_id == call_id, Submission.mission_id == user.mission_id)
        .options(contains_eager(Submission.call))
    )


def document(user, document_id: int) -> Document | None:
    query = db.select(Document).join(Document.submission).where(Document.id == document_id)
    if not user.is_secretariat:
        query = query.where(Submission.mission_id == user.mission_id)
    return db.session.scalar(query)
