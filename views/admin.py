"""The head of the secretariat's pages: the directory (member states, missions, people), its import
and export, API tokens and the system status. Officers keep the day-to-day work elsewhere."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale

from forms.base import ConfirmForm
from forms.directory import AddStatesForm, ImportForm, PersonForm, StateForm, TokenForm
from workflow import api_tokens, audit, directory, directory_files, roster, status
from workflow.checks import zone_names
from workflow.db import db
from workflow.i18n import gettext as _
from workflow.i18n import ngettext
from workflow.models import LANGUAGES, ApiToken, MemberState, Mission, User
from workflow.text import name_key

from .access import acting_user, admin_required
from .navigation import safe_target

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _language() -> str:
    return str(get_locale())


def _mission_choices() -> list[tuple[str, str]]:
    return [("", _("No mission (secretariat)"))] + [
        (s.code, s.name(_language())) for s in directory.states(_language(), members_only=True)]


@bp.route("/")
@admin_required
def home():
    return redirect(url_for("admin.states"))


# --- member states and missions --------------------------------------------------------------

@bp.route("/directory")
@admin_required
def states():
    language = _language()
    found = directory.states(language)
    missions = {m.member_state_code: m for m in db.session.scalars(db.select(Mission))}
    people = {}
    for person in db.session.scalars(db.select(User).where(User.mission_id.is_not(None), User.active.is_(True))):
        people[person.mission_id] = people.get(person.mission_id, 0) + 1
    return render_template("admin/states.html", states=found, missions=missions, people=people,
                           add=AddStatesForm(), language=language)


@bp.route("/directory/add", methods=["POST"])
@admin_required
def add_states():
    form = AddStatesForm()
    if not form.validate_on_submit():
        language = _language()
        missions = {m.member_state_code: m for m in db.session.scalars(db.select(Mission))}
        return render_template("admin/states.html", states=directory.states(language), missions=missions,
                               people={}, add=form, language=language), 422
    codes = form.code_list()
    for code in codes:
        directory.add_state(code, acting_user())
    db.session.commit()
    flash(_("Member states in the directory: %(codes)s.", codes=", ".join(codes)), "success")
    return redirect(url_for("admin.states"))


def _state_or_404(code: str) -> tuple[MemberState, Mission]:
    state = db.session.get(MemberState, code.upper()) if len(code) == 2 else None
    mission = db.session.scalar(db.select(Mission).filter_by(member_state_code=state.code)) if state else None
    if state is None or mission is None:
        abort(404)
    return state, mission


@bp.route("/directory/<code>", methods=["GET", "POST"])
@admin_required
def state(code: str):
    state, mission = _state_or_404(code)
    form = StateForm()
    if not form.is_submitted():
        for lang in LANGUAGES:
            form[f"name_{lang}"].data = (state.names or {}).get(lang, "")
            form[f"of_{lang}"].data = (state.of_names or {}).get(lang, "")
        for name in directory.MISSION_FIELDS:
            form[name].data = getattr(mission, name)
    elif form.validate_on_submit():
        actor = acting_user()
        typed = {name: (form[name].data or "").strip() for name in form.data if name != "csrf_token"}
        names = {lang: typed[f"name_{lang}"] for lang in LANGUAGES if typed[f"name_{lang}"]}
        of_names = {lang: typed[f"of_{lang}"] for lang in LANGUAGES if typed[f"of_{lang}"]}
        changed = directory.change(state, {"names": {**state.names, **names}, "of_names": of_names or None}, actor,
                                   action="state_changed", mission=mission, detail={"state": state.code})
        changed.update(directory.change(
            mission, {name: typed[name] or None for name in directory.MISSION_FIELDS},
            actor, action="mission_changed", mission=mission, detail={"state": state.code}))
        db.session.commit()
        flash(_("Saved.") if changed else _("Nothing had changed."), "success")
        return redirect(url_for("admin.state", code=state.code))
    return _state_page(state, mission, form, status=422 if form.errors else 200)


def _state_page(state, mission, form, *, invite=None, status: int = 200):
    if invite is None:
        invite = PersonForm(prefix="invite", formdata=None)
        invite.role.data, invite.state.data = "focal_point", state.code
    invite.state.choices = _mission_choices()
    return render_template("admin/state.html", state=state, mission=mission, form=form, invite=invite,
                           people=directory.colleagues(mission), history=directory.history(mission),
                           zones=zone_names(), confirm=ConfirmForm(), role_of=directory.role_of,
                           roles=directory.PERSON_ROLE_LABELS, fields=directory.FIELD_LABELS), status


@bp.route("/directory/<code>/membership", methods=["POST"])
@admin_required
def membership(code: str):
    state, _mission = _state_or_404(code)
    if ConfirmForm().validate_on_submit():
        directory.set_member(state, not state.member, acting_user())
        db.session.commit()
        flash(_("%(state)s is a member again.", state=state.name(_language())) if state.member else
              _("%(state)s is no longer a member: new calls leave it out; its answers stay.",
                state=state.name(_language())), "success")
    return redirect(url_for("admin.state", code=state.code))


# --- people ----------------------------------------------------------------------------------

@bp.route("/people", methods=["GET", "POST"])
@admin_required
def people():
    form = PersonForm(prefix="invite")
    form.state.choices = _mission_choices()
    if form.validate_on_submit():
        mission = db.session.scalar(db.select(Mission).filter_by(member_state_code=form.state.data)) \
            if form.state.data else None
        try:
            person = directory.invite(acting_user(), email=form.email.data, name=form.name.data, role=form.role.data,
                                      mission=mission)
        except directory.DirectoryError as exc:
            form.email.errors = [*form.email.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("%(name)s was added and has been sent a link to sign in.", name=person.name), "success")
            return redirect(_back(url_for("admin.people")))
    shown = request.args.get("show", "active")
    query = db.select(User)
    if shown == "active":
        query = query.where(User.active.is_(True))
    elif shown == "inactive":
        query = query.where(User.active.is_(False))
    everyone = sorted(db.session.scalars(query), key=lambda p: (
        p.mission is not None, name_key(p.mission.member_state.name(_language())) if p.mission else "",
        name_key(p.name)))
    return render_template("admin/people.html", people=everyone, form=form, shown=shown, confirm=ConfirmForm(),
                           role_of=directory.role_of, roles=directory.PERSON_ROLE_LABELS), 422 if form.errors else 200


def _back(default: str) -> str:
    """Where the form came from, when it is one of these pages."""
    back = safe_target(request.form.get("back"))
    return back if back and back.startswith("/admin/") else default


def _person_or_404(person_id: int) -> User:
    return db.get_or_404(User, person_id)


@bp.route("/people/<int:person_id>/active", methods=["POST"])
@admin_required
def person_active(person_id: int):
    person = _person_or_404(person_id)
    if ConfirmForm().validate_on_submit():
        try:
            directory.set_active(person, not person.active, acting_user())
        except directory.DirectoryError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("%(name)s can sign in again.", name=person.name) if person.active else
                  _("%(name)s can no longer sign in and gets no mail; what they did is kept.", name=person.name),
                  "success")
    return redirect(_back(url_for("admin.people")))


@bp.route("/people/<int:person_id>/role", methods=["POST"])
@admin_required
def person_role(person_id: int):
    person = _person_or_404(person_id)
    role = request.form.get("role", "")
    if ConfirmForm().validate_on_submit() and role in directory.PERSON_ROLES:
        try:
            directory.set_role(person, role, acting_user())
        except directory.DirectoryError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("%(name)s is now: %(role)s.", name=person.name, role=directory.PERSON_ROLE_LABELS[role]),
                  "success")
    return redirect(_back(url_for("admin.people")))


# --- import and export -----------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@admin_required
def import_page():
    form = ImportForm()
    form.membership.choices = [("", _("None"))] + [(k, str(v)) for k, v in directory_files.MEMBERSHIPS.items()]
    if not form.validate_on_submit():
        return render_template("admin/import.html", form=form, outcome=None), 422 if form.errors else 200
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        data, filename = upload.read(), upload.filename
    else:
        filename = form.membership.data  # one of MEMBERSHIPS (the form accepts nothing else)
        data = directory_files.membership(filename)
    outcome = directory_files.import_file(data, filename, acting_user(), dry_run=True,
                                          deactivate_missing=form.deactivate_missing.data)
    db.session.rollback()
    staged = directory_files.stage(data, filename) if not outcome.problems else None
    return render_template("admin/import.html", form=form, outcome=outcome, staged=staged, filename=filename,
                           confirm=ConfirmForm(), fields=directory.FIELD_LABELS), 422 if outcome.problems else 200


@bp.route("/import/confirm", methods=["POST"])
@admin_required
def import_confirm():
    name = request.form.get("staged", "")
    data = directory_files.staged(name)
    if not ConfirmForm().validate_on_submit() or data is None:
        flash(_("That preview has expired. Choose the file again."), "error")
        return redirect(url_for("admin.import_page"))
    outcome = directory_files.import_file(data, name, acting_user(),
                                          deactivate_missing=request.form.get("deactivate_missing") == "y")
    if outcome.problems:  # the directory changed since the preview
        db.session.rollback()
        flash(_("The directory changed since the preview. Check the file again."), "error")
        return redirect(url_for("admin.import_page"))
    audit.record("directory_imported", acting_user(), detail={"changes": len(outcome.changes)})
    db.session.commit()
    directory_files.unstage(name)
    flash(ngettext("Imported: %(num)d change.", "Imported: %(num)d changes.", len(outcome.changes)) if outcome.changes
          else _("The directory already said all that: nothing changed."), "success")
    return redirect(url_for("admin.states"))


@bp.route("/export.<fmt>")
@admin_required
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    mime = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(directory_files.export(fmt), mimetype=mime,
                    headers={"Content-Disposition": f'attachment; filename="missiva-directory.{fmt}"'})


# --- the roster's personal data --------------------------------------------------------------

@bp.route("/roster/<int:expert_id>/erase", methods=["POST"])
@admin_required
def erase_expert(expert_id: int):
    entry = roster.entry(None, expert_id)
    if entry is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        roster.erase(entry, acting_user())
        db.session.commit()
        flash(_("The expert's personal data was erased; their nominations are still counted."), "success")
    return redirect(url_for("secretariat.roster_page"))


# --- API tokens and status -------------------------------------------------------------------

@bp.route("/tokens", methods=["GET", "POST"])
@admin_required
def tokens():
    form, secret = TokenForm(), None
    if form.validate_on_submit():
        _token, secret = api_tokens.create(form.name.data, acting_user())
        db.session.commit()
    return render_template("admin/tokens.html", form=form, secret=secret, tokens=api_tokens.listed(),
                           confirm=ConfirmForm()), 422 if form.errors else 200


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@admin_required
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if ConfirmForm().validate_on_submit():
        api_tokens.revoke(token, acting_user())
        db.session.commit()
        flash(_("The token “%(name)s” no longer opens anything.", name=token.name), "success")
    return redirect(url_for("admin.tokens"))


@bp.route("/status")
@admin_required
def system_status():
    return render_template("admin/status.html", found=status.snapshot())


@bp.route("/status.json")
@admin_required
def system_status_json():
    found = status.snapshot()
    return jsonify(found), 200 if found["ok"] else 503
