"""The consolidated report's data: built once from a call's answers, then rendered to DOCX,
XLSX, CSV and HTML (workflow/report_render.py). A pure function of the stored answers.

Which answers: `basis="accepted"` takes each mission's accepted version; `basis="submitted"` also
takes versions submitted and not yet reviewed (and the last submitted version of an answer being
amended). Returned answers wait for their amendment. Text is in the language the officer chose
(the call's own by default); the call's texts not translated into it stay in the call's language.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, func, update
from sqlalchemy.orm import selectinload

from . import audit, clock, jobs
from .calls import report_sections
from .db import db
from .kinds import ReportState, State
from .models import Call, Document, Mission, OutboxMessage, Report, Submission, localized
from .receipts import secretariat_name
from .sections import kind_of
from .text import printable_tree


def included(submission: Submission, basis: str):
    """The version of this submission the report uses, or None."""
    version = submission.latest_version
    if version is None:
        return None
    if submission.state == State.ACCEPTED.value:
        return version
    if basis == "submitted" and submission.state in (State.SUBMITTED.value, State.DRAFT.value):
        return version
    return None


def section_payload(section: dict, rows: list[tuple], language: str, documents: dict[int, Document]) -> dict:
    """rows: (code, state name, content of this section)."""
    return {"key": section["key"], "kind": section["kind"], "title": localized(section["title"], language),
            "former": bool(section.get("former")), **kind_of(section).payload(section, rows, language, documents)}


def _first_invitation(call: Call) -> datetime | None:
    return db.session.scalar(db.select(func.min(OutboxMessage.created_at))
                             .where(OutboxMessage.call_id == call.id, OutboxMessage.kind == "invitation"))


def build(call: Call, basis: str = "accepted", *, at: datetime | None = None, language: str | None = None,
          progress: Callable[[int], None] | None = None) -> dict:
    at = at or clock.now()
    language = language or call.language
    submissions = db.session.scalars(
        db.select(Submission).where(Submission.call_id == call.id)
        .options(selectinload(Submission.versions), selectinload(Submission.mission).joinedload(Mission.member_state))
    ).all()
    submissions = [s for s in submissions if s.withdrawn_at is None or s.versions]  # withdrawn, never answered
    submissions.sort(key=lambda s: s.mission.member_state.name(language))
    documents = {d.id: d for d in db.session.scalars(
        db.select(Document).join(Document.submission).where(Submission.call_id == call.id))}
    chosen = [(s, included(s, basis)) for s in submissions]
    used = [(s, v) for s, v in chosen if v is not None]
    laid_out = report_sections(call)
    sections = []
    for index, section in enumerate(laid_out):
        rows = [(s.mission.code, s.mission.member_state.name(language), v.content.get(section["key"], {}))
                for s, v in used]
        sections.append(section_payload(section, rows, language, documents))
        if progress:
            progress(10 + int(80 * (index + 1) / max(1, len(laid_out))))
    totals: Counter = Counter({"experts": 0, "funded": 0, "own_cost": 0, "documents": 0})
    for payload in sections:
        totals.update(kind_of(payload).totals(payload))
    firsts = sorted(v[0].received for v in (s.versions for s in submissions) if v)
    days: Counter = Counter(moment.date().isoformat() for moment in firsts)
    timeline, total = [], 0
    for day in sorted(days):
        total += days[day]
        timeline.append({"date": day, "count": total})
    # Stored answers may predate the text rules: nothing in them may break a document.
    return printable_tree({
        "call": {"id": call.id, "reference": call.reference, "symbol": call.report_symbol,
                 "title": call.title_in(language), "language": language, "original_language": call.language,
                 "meeting": call.meeting, "timezone": call.timezone,
                 "deadline": call.deadline.isoformat(), "contact": call.contact},
        "secretariat": secretariat_name(language),
        "funds": any(p.get("funds") for p in sections),
        "basis": basis,
        "compiled_at": at.isoformat(),
        "summary": {
            "addressed": len(submissions),
            "included": len(used),
            "not_answered": sum(1 for s in submissions if not s.versions),
            "late": sum(1 for _, v in used if v.late),
            "amended": sum(1 for _, v in used if v.number > 1),
            **totals,
            "by_state": dict(Counter(s.state for s in submissions)),
        },
        "sources": [{"code": s.mission.code, "state": s.mission.member_state.name(language),
                     "status": s.state, "version": v.number, "submitted_at": v.submitted_at.isoformat(),
                     "received_at": v.received.isoformat(), "late": v.late, "amended": v.number > 1,
                     "provenance": v.provenance, "reference": v.provenance_note or ""} for s, v in used],
        "missing_documents": [entry for payload in sections for entry in kind_of(payload).missing(payload)],
        "waiting": [{"code": s.mission.code, "state": s.mission.member_state.name(language), "status": s.state}
                    for s, v in chosen if v is None and s.versions],
        "not_answered": [{"code": s.mission.code, "state": s.mission.member_state.name(language)}
                         for s in submissions if not s.versions],
        "sections": sections,
        "timeline": timeline,
        "timeline_deadline": call.deadline.date().isoformat(),
        # From the first invitation (or the call's opening) to the deadline or the last answer, if later.
        "timeline_start": min(filter(None, (_first_invitation(call) or call.created_at,
                                            firsts[0] if firsts else None))).date().isoformat(),
        "timeline_end": max(call.deadline, firsts[-1] if firsts else call.deadline).date().isoformat(),
    })


def folder() -> Path:
    """Where compiled report files are kept (REPORT_FOLDER)."""
    path = Path(current_app.config["REPORT_FOLDER"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def request(call: Call, basis: str, actor=None, *, automatic: bool = False, at: datetime | None = None,
            language: str | None = None) -> Report:
    """Ask for a compilation: the row, its audit event, and the hand-over to a worker once the
    transaction commits. An officer's request and the sweep's scheduled one are the same thing."""
    row = Report(call=call, basis=basis, automatic=automatic, requested_by_id=actor.id if actor else None,
                 requested_at=at or clock.now(), language=language or call.language)
    db.session.add(row)
    db.session.flush()
    audit.record("report_scheduled" if automatic else "report_requested", actor, call=call, at=at,
                 detail={"report": row.id, "basis": basis, "language": row.language})
    jobs.after_commit("report", row.id)
    return row


def claim(report_id: int, at: datetime | None = None) -> Report | None:
    """Take a waiting (or failed) compilation for this worker; None if another worker has it."""
    result = db.session.execute(
        update(Report).where(Report.id == report_id, Report.state.in_((ReportState.QUEUED, ReportState.FAILED)))
        .values(state=ReportState.RUNNING, started_at=at or clock.now(), progress=5, error=None))
    db.session.commit()
    if cast(CursorResult, result).rowcount != 1:
        return None
    return db.session.get(Report, report_id)
