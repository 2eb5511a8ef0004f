"""The mission portal: a focal point's calls, answers, receipts and files — and nothing else."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy.orm import contains_eager, defer

from forms.base import ConfirmForm
from forms.directory import ColleagueForm
from workflow import access, directory, receipts, report_render
from workflow import documents as document_store
from workflow.db import commit_keeping, db, reads_first
from workflow.i18n import gettext as _
from workflow.models import Call, Submission, SubmissionVersion, User
from workflow.states import EDITABLE, Action, State, TransitionError, allowed
from workflow.submissions import amend, documents_of, save_and_submit

from .access import acting_user, mission_required
from .answering import answer_page

bp = Blueprint("mission", __name__, url_prefix="/portal")


def _own(call_id: int) -> Submission:
    submission = access.submission_for_call(current_user, call_id)
    if submission is None:
        abort(404)
    return submission


@bp.route("/")
@mission_required
def calls():
    # The cards show each call's title, reference and deadline: not the answers, nor the calls'
    # sections and notes (decoding them was half of this page's time).
    rows = db.session.scalars(
        access.submissions(current_user).order_by(Call.deadline.desc())
        .options(defer(Submission.content), contains_eager(Submission.call).defer(Call.sections)
                 .defer(Call.explanatory_note).defer(Call.mail_templates).defer(Call.former_sections))
    ).all()
    return render_template("mission/calls.html", submissions=rows)


@bp.route("/calls/<int:call_id>", methods=["GET", "POST"])
@reads_first
@mission_required
def answer(call_id: int):
    submission = _own(call_id)
    me = acting_user()
    # A post always goes to the answer page: if saving is refused (the call closed, the deadline
    # passed) it says why and shows what was typed, rather than dropping it.
    if request.method == "POST" or (State(submission.state) in EDITABLE and allowed(submission, Action.SAVE, me)):
        return answer_page(
            submission, template="mission/answer.html",
            self_url=url_for("mission.answer", call_id=call_id),
            check_url=url_for("mission.check", call_id=call_id),
            done_url=lambda v: url_for("mission.receipt", call_id=call_id, number=v.number),
        )
    version = submission.latest_version
    return render_template(
        "mission/answered.html", submission=submission, call=submission.call, version=version,
        documents=documents_of(submission, version.content if version else None),
        can_amend=allowed(submission, Action.AMEND, me), form=ConfirmForm(),
    ), 200


@bp.route("/calls/<int:call_id>/check", methods=["GET", "POST"])
@mission_required
def check(call_id: int):
    """Check your answer: everything that will be sent, then the formal submission."""
    submission = _own(call_id)
    me = acting_user()
    if State(submission.state) not in EDITABLE or not allowed(submission, Action.SAVE, me):
        return redirect(url_for("mission.answer", call_id=call_id))
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            lock = int(request.form.get("lock_version", ""))
        except ValueError:
            lock = -1
        outcome = save_and_submit(submission, submission.content, me, lock_version=lock, submitting=True)
        if outcome.version is not None:
            commit_keeping()
            return redirect(url_for("mission.receipt", call_id=call_id, number=outcome.version.number))
        db.session.rollback()
        flash(outcome.refusal or _("The answer changed after you opened this page: please check it again."),
              "error")
        return redirect(url_for("mission.answer", call_id=call_id) if outcome.problems else
                        url_for("mission.check", call_id=call_id))
    return render_template("mission/check.html", submission=submission, call=submission.call, form=form,
                           documents=documents_of(submission))


@bp.route("/calls/<int:call_id>/amend", methods=["POST"])
@mission_required
def start_amendment(call_id: int):
    submission = _own(call_id)
    try:
        amend(submission, acting_user())
    except TransitionError as exc:
        flash(str(exc), "error")
        return redirect(url_for("mission.answer", call_id=call_id))
    db.session.commit()
    flash(_("You can now change your answer. The secretariat keeps the version it received "
             "until you submit again."), "info")
    return redirect(url_for("mission.answer", call_id=call_id))


def _own_version(call_id: int, number: int) -> tuple[Submission, SubmissionVersion]:
    submission = _own(call_id)
    version = db.session.scalar(db.select(SubmissionVersion).filter_by(
        submission_id=submission.id, number=number))
    if version is None:
        abort(404)
    return submission, version


@bp.route("/calls/<int:call_id>/receipt/<int:number>")
@mission_required
def receipt(call_id: int, number: int):
    submission, version = _own_version(call_id, number)
    return render_template("mission/receipt.html", submission=submission, call=submission.call,
                           version=version, documents=documents_of(submission, version.content))


@bp.route("/calls/<int:call_id>/receipt/<int:number>.docx")
@mission_required
def receipt_document(call_id: int, number: int):
    """The numbered acknowledgement of receipt as a document to file."""
    submission, version = _own_version(call_id, number)
    data = report_render.receipt_docx(submission, version, str(get_locale()))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition":
                             f"attachment; filename={receipts.file_name(version, 'docx')}"})


@bp.route("/calls/<int:call_id>/receipt/<int:number>.pdf")
@mission_required
def receipt_pdf(call_id: int, number: int):
    """The numbered acknowledgement of receipt as PDF, in the page's language."""
    submission, version = _own_version(call_id, number)
    return Response(receipts.pdf(submission, version, str(get_locale())), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename={receipts.file_name(version, 'pdf')}"})


@bp.route("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    found = access.document(current_user, document_id)
    if found is None:
        abort(404)
    path = document_store.path_of(found)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=found.content_type, as_attachment=True,
                     download_name=document_store.safe_name(found.original_name))


# --- the mission's own people, kept by its lead focal point ------------------------------------

@bp.route("/colleagues", methods=["GET", "POST"])
@mission_required
def colleagues():
    me = acting_user()
    form = ColleagueForm()
    if request.method == "POST":
        if not me.is_lead:
            abort(403)
        if form.validate_on_submit():
            try:
                person = directory.add_colleague(me, email=form.email.data, name=form.name.data, role=form.role.data)
            except directory.DirectoryError as exc:
                form.email.errors = [*form.email.errors, str(exc)]
            else:
                db.session.commit()
                flash(_("%(name)s was added to your mission and has been sent a link to sign in.", name=person.name),
                      "success")
                return redirect(url_for("mission.colleagues"))
    return render_template("mission/colleagues.html", people=directory.colleagues(me.mission), form=form,
                           confirm=ConfirmForm(), role_of=directory.role_of, roles=directory.PERSON_ROLE_LABELS,
                           ), 422 if form.errors else 200


@bp.route("/colleagues/<int:person_id>/remove", methods=["POST"])
@mission_required
def remove_colleague(person_id: int):
    me = acting_user()
    person = db.session.get(User, person_id)
    if not me.is_lead or person is None or person.mission_id != me.mission_id:
        abort(403 if not me.is_lead else 404)
    if ConfirmForm().validate_on_submit():
        try:
            directory.remove_colleague(me, person)
        except directory.DirectoryError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("%(name)s can no longer sign in for your mission. What they did is kept.", name=person.name),
                  "success")
    return redirect(url_for("mission.colleagues"))
