"""Defining calls: the call builder (create, edit, preview, open), import and export as YAML,
clone for next year."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from markupsafe import Markup

from forms.answer import build
from forms.base import ConfirmForm
from forms.calls import CloneForm, ImportForm
from workflow import builder, directory, notifications
from workflow.calls import (
    CallDefinitionError,
    blank_content,
    check_definition,
    clone,
    create,
    export_call,
    import_call,
    open_call,
    to_definition,
    update_call,
)
from workflow.checks import LANGUAGES, zone_names
from workflow.db import db
from workflow.i18n import gettext as _
from workflow.i18n import ngettext
from workflow.kinds import CallStatus
from workflow.member_states import REGION_LABELS
from workflow.models import Call, Mission
from workflow.sections import KINDS

from .access import acting_user, secretariat_required

bp = Blueprint("calls", __name__, url_prefix="/secretariat/calls")
def _states() -> list[tuple[str, str]]:
    """The member states to address, by name in the reader's language, accents ignored."""
    language = str(get_locale())
    return [(s.code, s.name(language)) for s in directory.states(language, members_only=True)]


def _render(call, data: dict, errors: list[str] | None = None, orphans=None, status: int = 200):
    return render_template(
        "calls/builder.html", call=call, data=data, errors=errors or [], placed=builder.field_errors(errors or []),
        orphans=orphans or [], kinds=KINDS, states=_states(), languages=LANGUAGES, form=ConfirmForm(),
        missing=builder.missing_translations(data), zones=zone_names(),
        where=lambda path: builder.where(path, data), regions=REGION_LABELS,
    ), status


def _build(call: Call | None):
    """The builder page: GET shows the definition; a button posts it all back with an action
    (add, move, remove) or asks to save it. Nothing is stored until the whole definition is right."""
    if request.method == "GET":
        return _render(call, to_definition(call) if call else builder.blank())
    data = builder.read(request.form)
    if call is not None:
        data["status"] = call.status
    if not ConfirmForm().validate_on_submit():
        flash(_("The page had expired, so nothing was saved. Your changes are still below: save again."), "error")
        return _render(call, data, status=400)
    action = request.form.get("action", "save")
    if action not in ("save", "save-anyway"):
        builder.act(data, action)
        return _render(call, data)
    data.pop("status", None)
    errors = check_definition(data)
    clash = db.session.scalar(db.select(Call).where(Call.slug == data["slug"], Call.id != (call.id if call else -1)))
    if clash:
        errors.append(f"slug: another call already has the short name {data['slug']}")
    if errors:
        return _render(call, data, errors, status=422)
    me = acting_user()
    if call is None:
        call = create(data, me, status=CallStatus.DRAFT, event="call_created")
        db.session.commit()
        flash(_("The call was saved as a draft: missions do not see it yet. Preview it, then open it."),
              "success")
        return redirect(url_for("secretariat.board", call_id=call.id))
    orphans = builder.orphaned(call, data["sections"])
    if orphans and action != "save-anyway":
        return _render(call, data, orphans=orphans, status=409)
    update_call(call, data, me)
    db.session.commit()
    flash(_("The call was saved."), "success")
    return redirect(url_for("secretariat.board", call_id=call.id))


@bp.route("/new", methods=["GET", "POST"])
@secretariat_required
def new():
    return _build(None)


@bp.route("/<int:call_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit(call_id: int):
    return _build(db.get_or_404(Call, call_id))


@bp.route("/<int:call_id>/preview")
@secretariat_required
def preview(call_id: int):
    """The call as a chosen mission sees it, in a chosen language; nothing can be saved here."""
    call = db.get_or_404(Call, call_id)
    states = _states()
    code = (request.args.get("state") or "").upper()
    if code not in {c for c, _name in states}:
        addressed = [s.mission.code for s in call.submissions if s.withdrawn_at is None]
        code = (addressed or [c for c, _name in states] or [""])[0]
    language = request.args.get("language")
    if language not in LANGUAGES:
        language = call.language
    mission = db.session.scalar(db.select(Mission).where(Mission.member_state_code == code))
    if mission is None:
        abort(404)
    stand_in = SimpleNamespace(mission=mission, call=call, content=blank_content(call), id=None,
                               deadline=call.deadline)
    with force_locale(language):
        form = build(call, language, stand_in.content, state=code)
        body = Markup(render_template("calls/_preview_body.html", call=call, form=form, submission=stand_in,
                               documents={}, language=language, preview=True))
    return render_template("calls/preview.html", call=call, body=body, states=states, code=code,
                           language=language, languages=LANGUAGES, form=ConfirmForm())


@bp.route("/<int:call_id>/test-invitation", methods=["POST"])
@secretariat_required
def test_invitation(call_id: int):
    call = db.get_or_404(Call, call_id)
    code, language = (request.form.get("state") or "").upper(), request.form.get("language")
    mission = db.session.scalar(db.select(Mission).where(Mission.member_state_code == code))
    if ConfirmForm().validate_on_submit() and mission is not None and language in LANGUAGES:
        me = acting_user()
        notifications.test_invitation(call, mission, language, me)
        db.session.commit()
        flash(_("A test invitation, as %(state)s would receive it, was sent to %(email)s.",
                state=mission.member_state.name(str(get_locale())), email=me.email), "success")
    return redirect(url_for("calls.preview", call_id=call.id, state=code, language=language))


@bp.route("/<int:call_id>/open", methods=["POST"])
@secretariat_required
def open_for_answers(call_id: int):
    call = db.get_or_404(Call, call_id)
    if ConfirmForm().validate_on_submit() and open_call(call, acting_user()):
        queued = notifications.invite(call, acting_user())  # opened and invited together, or neither
        db.session.commit()
        flash(ngettext("The call is open: missions see it now. %(num)d invitation queued.",
                       "The call is open: missions see it now. %(num)d invitations queued.", queued), "success")
    return redirect(url_for("secretariat.board", call_id=call.id))


@bp.route("/import", methods=["GET", "POST"])
@secretariat_required
def import_file():
    form = ImportForm()
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8")
            call = import_call(text, acting_user())
            db.session.commit()
            flash(_("Imported %(ref)s.", ref=call.reference), "success")
            return redirect(url_for("secretariat.board", call_id=call.id))
        except UnicodeDecodeError:
            form.file.errors = [_("The file must be UTF-8 text (YAML).")]
        except CallDefinitionError as exc:
            db.session.rollback()
            form.file.errors = list(exc.errors)
    return render_template("calls/import.html", form=form), 200 if not form.errors else 422


@bp.route("/<int:call_id>/export")
@secretariat_required
def export(call_id: int):
    call = db.get_or_404(Call, call_id)
    return Response(export_call(call), mimetype="application/yaml",
                    headers={"Content-Disposition": f"attachment; filename={call.slug}.yaml"})


@bp.route("/<int:call_id>/clone", methods=["GET", "POST"])
@secretariat_required
def clone_call(call_id: int):
    call = db.get_or_404(Call, call_id)
    form = CloneForm()
    if not form.is_submitted():
        form.reference.data = call.reference
    if form.validate_on_submit():
        try:
            new_call = clone(call, slug=form.slug.data, reference=form.reference.data,
                             shift=timedelta(days=form.days.data), actor=acting_user())
            db.session.commit()
            flash(_("Cloned as %(ref)s.", ref=new_call.reference), "success")
            return redirect(url_for("calls.edit", call_id=new_call.id))
        except CallDefinitionError as exc:
            db.session.rollback()
            form.slug.errors = list(exc.errors)
    return render_template("calls/clone.html", form=form, call=call), 200 if not form.errors else 422

