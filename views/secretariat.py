"""The secretariat's desk: calls, the status board, the review queue and one submission."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from sqlalchemy import func
from sqlalchemy.orm import defer, joinedload

from forms.base import ConfirmForm
from forms.review import ExtensionForm, NoteForm, ReturnForm
from workflow import clock, deadlines, notifications, report_render, roster
from workflow.calls import choices, newest_first
from workflow.db import db, reads_first
from workflow.i18n import gettext as _
from workflow.i18n import lazy_gettext as _l
from workflow.kinds import label
from workflow.models import AuditEvent, Call, MemberState, Mission, Submission, SubmissionVersion, localized
from workflow.states import Action, State, TransitionError, allowed
from workflow.submissions import (
    ExtensionError,
    accept,
    add_note,
    documents_of,
    extend_deadline,
    notes_of,
    return_to_mission,
    second_reader_needed,
    versions_compared,
)
from workflow.text import name_key

from .access import acting_user, secretariat_required
from .answering import answer_page
from .i18n import moment
from .navigation import int_arg

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")
PAGE = 100


def _submission(submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    return submission


def _version_counts(call_id: int | None = None) -> dict[int, int]:
    query = db.select(SubmissionVersion.submission_id, func.count()).group_by(SubmissionVersion.submission_id)
    if call_id is not None:
        query = query.join(Submission).where(Submission.call_id == call_id)
    return dict(db.session.execute(query).all())


CALLS_PAGE = 25


@bp.route("/")
@secretariat_required
def calls():
    """The calls, newest first, a page at a time, with how far each has come."""
    page = int_arg("page", 1, high=100_000)
    rows = newest_first(CALLS_PAGE + 1, (page - 1) * CALLS_PAGE)
    more, rows = len(rows) > CALLS_PAGE, rows[:CALLS_PAGE]
    counts: dict[int, dict[str, int]] = {}
    for call_id, state, late, n in db.session.execute(
        db.select(Submission.call_id, Submission.state, Submission.late, func.count())
        .where(Submission.withdrawn_at.is_(None), Submission.call_id.in_([c.id for c in rows]))
        .group_by(Submission.call_id, Submission.state, Submission.late)
    ):
        row = counts.setdefault(call_id, {"total": 0, "late": 0})
        row[state] = row.get(state, 0) + n
        row["total"] += n
        row["late"] += n if late else 0
    return render_template("secretariat/calls.html", calls=rows, counts=counts, states=list(State), page=page,
                           more=more)


BOARD_SORTS = ("name", "state", "activity", "versions")
STATE_ORDER = {state.value: index for index, state in enumerate(State)}


@dataclass(frozen=True, slots=True)
class BoardRow:
    """A member state's line on the status board, read as plain values: not its answer, nor
    objects for the submission, its mission and its state (loading 193 of each was a third of the
    board's time)."""

    id: int
    mission_id: int
    code: str
    name: str  # in the reader's language
    state: str
    late: bool
    withdrawn_at: datetime | None
    last_activity_at: datetime | None
    deadline_override: datetime | None
    deadline: datetime


def _addressees(call: Call, language: str) -> list[BoardRow]:
    """The call's submissions with their member states' names, in one query."""
    return [BoardRow(id, mission_id, code, MemberState.named(names, code, language), state, late, withdrawn_at,
                     last_activity_at, override, call.deadline_for(override))
            for id, mission_id, code, names, state, late, withdrawn_at, last_activity_at, override
            in db.session.execute(
                db.select(Submission.id, Submission.mission_id, MemberState.code, MemberState.names, Submission.state,
                          Submission.late, Submission.withdrawn_at, Submission.last_activity_at,
                          Submission.deadline_override)
                .join(Mission, Mission.id == Submission.mission_id)
                .join(MemberState, MemberState.code == Mission.member_state_code)
                .where(Submission.call_id == call.id))]


def _board_rows(versions: dict[int, int], everyone: list[BoardRow]) -> list[BoardRow]:
    """The call's member states as the board lists them: by name in the reader's language (accents
    ignored), or by state, last activity or versions; filtered by state when asked."""
    rows = list(everyone)
    sort = request.args.get("sort") if request.args.get("sort") in BOARD_SORTS else "name"
    keys: dict[str, Callable[[BoardRow], Any]] = {
        "name": lambda s: name_key(s.name),
        "state": lambda s: (STATE_ORDER.get(s.state, 99), name_key(s.name)),
        "versions": lambda s: (-versions.get(s.id, 0), name_key(s.name)),
    }
    if sort == "activity":  # the latest first, never-touched last
        rows.sort(key=lambda s: s.last_activity_at or datetime.min, reverse=True)
    else:
        rows.sort(key=keys[sort])
    wanted = request.args.get("state")
    if wanted in STATE_ORDER:
        rows = [s for s in rows if s.state == wanted]
    elif wanted == "late":
        rows = [s for s in rows if s.late]
    return rows


@bp.route("/calls/<int:call_id>")
@secretariat_required
def board(call_id: int):
    call = db.get_or_404(Call, call_id)
    language = str(get_locale())
    versions = _version_counts(call_id)
    everyone = _addressees(call, language)
    addressed = [s for s in everyone if s.withdrawn_at is None]
    summary = {state.value: sum(1 for s in addressed if s.state == state.value) for state in State}
    summary["late"] = sum(1 for s in addressed if s.late)
    return render_template("secretariat/board.html", call=call, rows=_board_rows(versions, everyone),
                           summary=summary, versions=versions, states=list(State),
                           reminders=deadlines.reminder_status(call, submissions=everyone), form=ConfirmForm(),
                           broken=notifications.broken_wording(call), sort=request.args.get("sort") or "name",
                           shown_state=request.args.get("state") or "", tick=request.args.get("tick"))


@bp.route("/calls/<int:call_id>/board.xlsx")
@secretariat_required
def board_xlsx(call_id: int):
    """The board as a workbook, in the order and with the filter shown."""
    call = db.get_or_404(Call, call_id)
    language = str(get_locale())
    versions = _version_counts(call_id)
    everyone = _addressees(call, language)
    reminders = deadlines.reminder_status(call, submissions=everyone)
    header = [_("Member state"), _("State"), _("Late"), _("Versions"), _("Last activity"), _("Reminders sent"),
              _("Next reminder")]
    rows = [[s.name, str(label(State, s.state)), _("Yes") if s.late else "",
             versions.get(s.id, 0), moment(s.last_activity_at, call.timezone, "short") if s.last_activity_at else "",
             reminders[s.id]["sent"], moment(reminders[s.id]["next"], call.timezone, "short")
             if reminders[s.id]["next"] else ""] for s in _board_rows(versions, everyone)]
    data = report_render.xlsx({"_sheets": [(call.reference.replace("/", "-")[:31], header, rows)]})
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={call.slug}-board.xlsx"})


@bp.route("/queue")
@secretariat_required
def queue():
    call_id = int_arg("call")
    state = request.args.get("state", State.SUBMITTED.value)
    late_only = request.args.get("late") == "1"
    page = int_arg("page", 1, high=100_000)
    query = db.select(Submission)
    if call_id:
        query = query.where(Submission.call_id == call_id)
    if state in {s.value for s in State}:
        query = query.where(Submission.state == state)
    if late_only:
        query = query.where(Submission.late.is_(True))
    total = db.session.scalar(db.select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Submission.submitted_at.asc().nulls_last(), Submission.id)
        .limit(PAGE).offset((page - 1) * PAGE)
        .options(defer(Submission.content), joinedload(Submission.call).load_only(Call.reference, Call.timezone),
                 joinedload(Submission.mission).joinedload(Mission.member_state))
    ).all()
    return render_template("secretariat/queue.html", rows=rows, calls=choices(call_id), call_id=call_id,
                           state=state, late_only=late_only, page=page, total=total, page_size=PAGE,
                           states=list(State))


def _submission_page(sub: Submission, version: SubmissionVersion | None, return_form: ReturnForm,
                     status: int = 200, extension: ExtensionForm | None = None, note: NoteForm | None = None):
    documents = documents_of(sub, version.content if version else None)
    previous, changed, differences = (versions_compared(sub, version, str(get_locale())) if version
                                      else (None, set(), []))
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.submission_id == sub.id).order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return render_template(
        "secretariat/submission.html", submission=sub, call=sub.call, version=version,
        previous=previous, changed=changed, differences=differences, events=events,
        documents=documents,
        return_form=return_form, accept_form=ConfirmForm(), extension_form=extension or extension_form(sub),
        notes=notes_of(sub), note_form=note or NoteForm(),
        can_review=allowed(sub, Action.ACCEPT, acting_user()),
        second_reader=second_reader_needed(sub, acting_user()),
    ), status


@bp.route("/submissions/<int:submission_id>")
@secretariat_required
def submission(submission_id: int):
    sub = _submission(submission_id)
    number = int_arg("version")
    version = next((v for v in sub.versions if v.number == number), None) if number else sub.latest_version
    if number and version is None:
        abort(404)
    return _submission_page(sub, version, ReturnForm())


@bp.route("/submissions/<int:submission_id>/accept", methods=["POST"])
@secretariat_required
def accept_submission(submission_id: int):
    sub = _submission(submission_id)
    if ConfirmForm().validate_on_submit():
        latest = sub.latest_version.number if sub.latest_version else None
        if request.form.get("version") != str(latest):
            flash(_("A newer version arrived after you opened the page: read it before you accept."), "error")
            return redirect(url_for("secretariat.submission", submission_id=sub.id))
        if request.form.get("confirm") != "y":
            flash(_("Tick the box to confirm that you have read the answer, then accept it."), "error")
            return redirect(url_for("secretariat.submission", submission_id=sub.id))
        try:
            accept(sub, acting_user())
            db.session.commit()
            flash(_("Accepted the answer %(of_state)s.", of_state=sub.mission.member_state.of(str(get_locale()))),
                  "success")
        except TransitionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for("secretariat.submission", submission_id=sub.id))


@bp.route("/submissions/<int:submission_id>/return", methods=["POST"])
@secretariat_required
def return_submission(submission_id: int):
    sub = _submission(submission_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            return_to_mission(sub, acting_user(), form.comment.data)
            db.session.commit()
            flash(_("Returned to the mission with your comment."), "success")
            return redirect(url_for("secretariat.submission", submission_id=sub.id))
        except TransitionError as exc:
            db.session.rollback()
            form.comment.errors = [str(exc)]
    return _submission_page(sub, sub.latest_version, form, 422)


@bp.route("/submissions/<int:submission_id>/notes", methods=["POST"])
@secretariat_required
def add_submission_note(submission_id: int):
    """An internal note: for the secretariat only, on the submission's page."""
    sub = _submission(submission_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _submission_page(sub, sub.latest_version, ReturnForm(), 422, note=form)
    add_note(sub, acting_user(), form.text.data)
    db.session.commit()
    flash(_("Your note is added. Only the secretariat sees it."), "success")
    return redirect(url_for("secretariat.submission", submission_id=sub.id) + "#notes")


@bp.route("/submissions/<int:submission_id>/changes-<int:number>.xlsx")
@secretariat_required
def changes_xlsx(submission_id: int, number: int):
    """What changed in version `number` of an answer, as a workbook (old struck through, new underlined)."""
    sub = _submission(submission_id)
    version = next((v for v in sub.versions if v.number == number), None)
    if version is None or version.number < 2:
        abort(404)
    locale = str(get_locale())
    previous, _changed, differences = versions_compared(sub, version, locale)
    header = [_("Section"), _("Answer"), _("Version %(n)s", n=previous.number), _("Version %(n)s", n=number)]
    rows = [[localized(section["title"], locale, sub.call.language), change.where, change.old, change.new]
            for section, found in differences for change in found]
    name = f"{sub.call.slug}-{sub.mission.code}-changes-v{previous.number}-v{number}.xlsx"
    return Response(report_render.changes_xlsx(sub.mission.member_state.name(locale), header, rows),
                    mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/submissions/<int:submission_id>/enter", methods=["GET", "POST"])
@reads_first
@secretariat_required
def enter(submission_id: int):
    """Enter an answer received by email, fax or post on the mission's behalf."""
    sub = _submission(submission_id)
    if sub.state in (State.SUBMITTED.value, State.ACCEPTED.value):
        flash(_("This answer is already submitted; return it to the mission to change it."), "info")
        return redirect(url_for("secretariat.submission", submission_id=sub.id))
    return answer_page(
        sub, template="secretariat/enter.html", on_behalf=True,
        self_url=url_for("secretariat.enter", submission_id=sub.id),
        done_url=lambda v: url_for("secretariat.submission", submission_id=sub.id, version=v.number),
    )


def extension_form(sub: Submission, formdata=None) -> ExtensionForm:
    form = ExtensionForm(formdata=formdata)
    if formdata is None and sub.deadline_override:
        form.deadline.data = clock.to_zone(sub.deadline_override, sub.call.timezone).replace(tzinfo=None)
    return form


@bp.route("/submissions/<int:submission_id>/extension", methods=["POST"])
@secretariat_required
def extend(submission_id: int):
    """Give one mission more time (or take the extension back): the sweep and the portal follow."""
    sub = _submission(submission_id)
    form = ExtensionForm()
    if form.validate_on_submit():
        clear = request.form.get("action") == "clear"
        if not clear and form.deadline.data is None:
            form.deadline.errors = [_("Give the new deadline as a date and time.")]
        else:
            try:
                extend_deadline(sub, None if clear else form.deadline.data, acting_user())
            except ExtensionError as exc:
                db.session.rollback()
                form.deadline.errors = [str(exc)]
            else:
                db.session.commit()
                flash(_("The deadline for the answer %(of_state)s is now %(when)s.",
                        of_state=sub.mission.member_state.of(str(get_locale())),
                        when=moment(sub.deadline, sub.call.timezone)), "success")
                return redirect(url_for("secretariat.submission", submission_id=sub.id))
    return _submission_page(sub, sub.latest_version, ReturnForm(), 422, extension=form)


# --- the expert roster -------------------------------------------------------------------------

def _roster_rows(language: str) -> list[list]:
    rows = []
    for entry in roster.everyone():
        calls = ", ".join(n.call.reference for n in entry.nominations)
        name = entry.name if entry.erased_at is None else _("(personal data erased)")
        rows.append([entry.mission.member_state.name(language), name, entry.title or "", entry.institution or "",
                     entry.email or "", entry.phone or "", len(entry.nominations), calls])
    return rows


ROSTER_HEADER = (_l("Member state"), _l("Full name"), _l("Title or post"), _l("Institution"), _l("Email"),
                 _l("Telephone"), _l("Nominations"), _l("Calls"))


@bp.route("/roster")
@secretariat_required
def roster_page():
    """Every expert the missions have nominated, with their places across calls."""
    return render_template("secretariat/roster.html", experts=roster.everyone(), confirm=ConfirmForm())


@bp.route("/roster.xlsx")
@secretariat_required
def roster_xlsx():
    language = str(get_locale())
    data = roster.xlsx(_roster_rows(language), [str(h) for h in ROSTER_HEADER])
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": 'attachment; filename="missiva-roster.xlsx"'})
