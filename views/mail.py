"""The secretariat's view of mail: the outbox and sent log, resends, invitations, reminders sent
now, the wording of a call's messages (with a preview), and the development mail sink."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func

from forms.base import ConfirmForm
from forms.mail import WordingForm
from workflow import notifications, outbox
from workflow.calls import choices
from workflow.db import db
from workflow.i18n import gettext as _
from workflow.i18n import ngettext
from workflow.kinds import MailState, values
from workflow.models import AuditEvent, Call, OutboxMessage

from .access import acting_user, secretariat_required
from .navigation import int_arg

bp = Blueprint("mail", __name__, url_prefix="/secretariat")
FILTERS = ("all", *values(MailState), "attention")


@bp.route("/outbox")
@secretariat_required
def outbox_list():
    state = request.args.get("state", "all")
    state = state if state in FILTERS else "all"
    call_id = int_arg("call")
    query = db.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if call_id:
        query = query.where(OutboxMessage.call_id == call_id)
    stuck_ids = {m.id for m in outbox.stuck()}
    if state == "attention":
        query = query.where((OutboxMessage.state == MailState.FAILED) | OutboxMessage.id.in_(stuck_ids))
    elif state != "all":
        query = query.where(OutboxMessage.state == state)
    rows = db.session.scalars(query.limit(300)).all()
    counts = dict(db.session.execute(
        db.select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
    calls = choices(call_id)
    return render_template("mail/outbox.html", rows=rows, state=state, counts=counts, filters=FILTERS,
                           stuck=stuck_ids, form=ConfirmForm(), calls=calls, call_id=call_id)


@bp.route("/outbox/<int:message_id>")
@secretariat_required
def message(message_id: int):
    found = db.get_or_404(OutboxMessage, message_id)
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "mail_resent", AuditEvent.call_id == found.call_id)
        .order_by(AuditEvent.id)
    ).all()
    events = [e for e in events if e.detail.get("message") == found.id]  # the id sits in the JSON detail
    return render_template("mail/message.html", message=found, events=events, form=ConfirmForm(),
                           stuck=outbox.is_stuck(found))


@bp.route("/outbox/<int:message_id>/resend", methods=["POST"])
@secretariat_required
def resend(message_id: int):
    found = db.get_or_404(OutboxMessage, message_id)
    if found.state in (MailState.FAILED, MailState.SENDING) and ConfirmForm().validate_on_submit():
        outbox.resend(found, acting_user())
        db.session.commit()
        flash(_("The message to %(to)s will be sent again.", to=found.recipient), "success")
    return redirect(url_for("mail.message", message_id=found.id))


@bp.route("/mail-sink")
@secretariat_required
def sink():
    """What the development SMTP sink caught (the embedded default only)."""
    found = outbox.caught_by_sink(current_app.config["MAIL_SINK_FOLDER"])
    call_id = int_arg("call")
    if call_id:  # each message carries its outbox key, and the outbox knows the call
        keys = set(db.session.scalars(db.select(OutboxMessage.key).where(OutboxMessage.call_id == call_id)))
        found = [m for m in found if m["X-Missiva-Key"] in keys]
    calls = choices(call_id)
    return render_template("mail/sink.html", messages=found, calls=calls, call_id=call_id)


@bp.route("/calls/<int:call_id>/invite", methods=["POST"])
@secretariat_required
def invite(call_id: int):
    call = db.get_or_404(Call, call_id)
    if ConfirmForm().validate_on_submit():
        queued = notifications.invite(call, acting_user())
        db.session.commit()
        flash(ngettext("%(num)d invitation queued; focal points already invited were skipped.",
                       "%(num)d invitations queued; focal points already invited were skipped.", queued), "success")
    return redirect(url_for("secretariat.board", call_id=call.id))


@bp.route("/calls/<int:call_id>/remind", methods=["POST"])
@secretariat_required
def remind_now(call_id: int):
    call = db.get_or_404(Call, call_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        ids = [int(i) for i in request.form.getlist("submission") if i.isdigit() and len(i) < 10]
        reminded, queued = notifications.remind_now(call, ids, acting_user())
        if not reminded:
            flash(_("Choose at least one member state."), "error")
            return redirect(url_for("secretariat.board", call_id=call.id))
        db.session.commit()
        flash(" ".join((ngettext("Reminders queued for %(num)d member state.",
                                 "Reminders queued for %(num)d member states.", reminded),
                        ngettext("%(num)d message in all, one to each focal point.",
                                 "%(num)d messages in all, one to each focal point.", queued))), "success")
    return redirect(url_for("secretariat.board", call_id=call.id))


@bp.route("/calls/<int:call_id>/wording", methods=["GET", "POST"])
@secretariat_required
def wording(call_id: int):
    """Edit the wording of one kind of message in one language, previewing it for a mission."""
    call = db.get_or_404(Call, call_id)
    kind = request.args.get("kind", "reminder")
    language = request.args.get("language", call.language)
    if kind not in notifications.KINDS or language not in current_app.config["LANGUAGES"]:
        abort(404)
    form = WordingForm()
    if not form.is_submitted():
        form.subject.data, form.body.data = notifications.wording(call, kind, language)
    submissions = sorted(call.submissions, key=lambda s: s.mission.code)
    form.preview_for.choices = [(str(s.id), s.mission.member_state.name(language)) for s in submissions]
    preview = None
    if form.validate_on_submit():
        me = acting_user()
        try:
            if request.form.get("action") == "save":
                notifications.save_wording(call, kind, language, form.subject.data, form.body.data, me)
                db.session.commit()
                flash(_("Saved. Messages of this kind in this language now use your wording."), "success")
                return redirect(url_for("mail.wording", call_id=call.id, kind=kind, language=language))
            if request.form.get("action") == "reset":
                notifications.reset_wording(call, kind, language, me)
                db.session.commit()
                flash(_("Back to the standard wording."), "success")
                return redirect(url_for("mail.wording", call_id=call.id, kind=kind, language=language))
            notifications.check_wording(form.subject.data, form.body.data)
        except notifications.TemplateProblem as exc:
            db.session.rollback()
            form.body.errors = [*form.body.errors, _("This text cannot be used: %(e)s", e=str(exc))]
    sample = next((s for s in submissions if str(s.id) == form.preview_for.data),
                  submissions[0] if submissions else None)
    if sample is not None and not form.errors:
        try:
            preview = notifications.render_wording(form.subject.data, form.body.data,
                                                   notifications.sample_values(sample, language))
        except notifications.TemplateProblem as exc:
            form.body.errors = [*form.body.errors, _("This text cannot be used: %(e)s", e=str(exc))]
    status = 200 if not form.errors else 422
    return render_template("mail/wording.html", call=call, form=form, kind=kind, language=language,
                           kinds=notifications.KINDS, preview=preview,
                           broken=notifications.broken_wording(call),
                           placeholders=notifications.PLACEHOLDERS), status
