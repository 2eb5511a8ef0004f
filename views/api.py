"""A read-only JSON API for secretariat integrations: calls, submissions and report data.
Authenticate with `Authorization: Bearer <token>` (tokens from `flask missiva create-api-token`)."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import update

from workflow import api_tokens, clock, status
from workflow.calls import newest_first
from workflow.db import db
from workflow.kinds import ReportState
from workflow.models import ApiToken, Call, Report, Submission

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        secret = header[7:].strip() if header.startswith("Bearer ") else ""
        # The write comes first: a GET's transaction may start without the write lock (SQLite), and
        # a transaction that has read must not then try to write.
        db.session.commit()
        used = db.session.execute(update(ApiToken).where(
            ApiToken.digest == api_tokens.digest(secret), ApiToken.revoked.is_(False))
            .values(last_used_at=clock.now())).rowcount if secret else 0
        db.session.commit()
        if used != 1:
            response = jsonify(error="a valid API token is required (Authorization: Bearer <token>)")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        return view(*args, **kwargs)

    return wrapper


def _call_json(call: Call) -> dict:
    return {"id": call.id, "slug": call.slug, "reference": call.reference, "title": call.title,
            "language": call.language, "status": call.status, "deadline": call.deadline.isoformat() + "Z",
            "timezone": call.timezone, "meeting": call.meeting, "sections": call.sections,
            "addressed": len(call.submissions)}


@bp.route("/status")
@token_required
def system_status():
    """For a monitoring system: 200 when all is well, 503 when something needs a person."""
    found = status.snapshot()
    return jsonify(found), 200 if found["ok"] else 503


@bp.route("/calls")
@token_required
def calls():
    rows = newest_first()
    return jsonify(calls=[_call_json(c) for c in rows])


@bp.route("/calls/<int:call_id>")
@token_required
def call(call_id: int):
    return jsonify(_call_json(db.get_or_404(Call, call_id)))


@bp.route("/calls/<int:call_id>/submissions")
@token_required
def submissions(call_id: int):
    db.get_or_404(Call, call_id)
    rows = db.session.scalars(db.select(Submission).where(Submission.call_id == call_id)).all()
    return jsonify(submissions=[{
        "id": s.id, "member_state": s.mission.code, "state": s.state, "late": s.late,
        "deadline": s.deadline.isoformat() + "Z",
        "submitted_at": s.submitted_at.isoformat() + "Z" if s.submitted_at else None,
        "versions": [{"number": v.number, "submitted_at": v.submitted_at.isoformat() + "Z", "late": v.late,
                      "provenance": v.provenance, "receipt_number": v.receipt_number, "content": v.content}
                     for v in s.versions],
    } for s in sorted(rows, key=lambda s: s.mission.code)])


@bp.route("/calls/<int:call_id>/report")
@token_required
def latest_report(call_id: int):
    db.get_or_404(Call, call_id)
    row = db.session.scalars(db.select(Report).filter_by(call_id=call_id, state=ReportState.DONE)
                             .order_by(Report.id.desc())).first()
    if row is None:
        abort(404)
    return jsonify(report_id=row.id, compiled_at=row.finished_at.isoformat() + "Z", data=row.data)
