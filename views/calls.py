"""Defining calls: create, edit, import and export as YAML, clone for next year."""
from __future__ import annotations

from datetime import timedelta

import yaml
from flask import Blueprint, Response, flash, redirect, render_template, url_for

from forms.calls import CallForm, CloneForm, ImportForm
from workflow import clock
from workflow.calls import (
    CallDefinitionError,
    check_definition,
    clone,
    export_call,
    import_call,
    to_definition,
    update_call,
)
from workflow.db import db
from workflow.i18n import gettext as _
from workflow.models import Call, Mission

from .access import acting_user, secretariat_required

bp = Blueprint("calls", __name__, url_prefix="/secretariat/calls")
NEW_SECTIONS = """\
- key: experts
  kind: nominations
  title: {en: Governmental experts who will participate, es: Expertos gubernamentales que participarán}
  min: 1
  max: 5
  funded_quota: 0
- key: agenda
  kind: agenda_comments
  title: {en: Comments on the draft agenda}
  items:
    - {number: 1, title: Opening}
"""


def _state_choices() -> list[tuple[str, str]]:
    missions = db.session.scalars(db.select(Mission).order_by(Mission.member_state_code)).all()
    return [(m.code, m.member_state.name()) for m in missions]


def _definition(form: CallForm) -> dict:
    title = {"en": (form.title.data or "").strip()} | {
        lang: (getattr(form, f"title_{lang}").data or "").strip() for lang in ("es", "fr", "pt")
        if (getattr(form, f"title_{lang}").data or "").strip()}
    try:
        sections = yaml.safe_load(form.sections.data)
    except yaml.YAMLError as exc:
        sections = None
        form.sections.errors = [*form.sections.errors, _("Not valid YAML: %(e)s", e=str(exc)[:300])]
    return {
        "slug": form.slug.data, "reference": form.reference.data, "title": title, "language": "en",
        "explanatory_note": {"en": form.explanatory_note.data or ""},
        "meeting": {"name": form.meeting_name.data or "", "starts": form.meeting_starts.data or "",
                    "ends": form.meeting_ends.data or "", "venue": form.meeting_venue.data or ""},
        "timezone": (form.timezone.data or "").strip(),
        "deadline": form.deadline.data.strftime("%Y-%m-%d %H:%M"),
        "policy": {"accept_late": form.accept_late.data, "allow_amendments": form.allow_amendments.data,
                   "close_at_deadline": form.close_at_deadline.data},
        "sections": sections,
        "addressed": form.addressed.data,
    }


def _problems_to_fields(form: CallForm, errors: list[str]) -> None:
    for error in errors:
        field = form.timezone if error.startswith("timezone") else (
            form.deadline if error.startswith("deadline") else
            form.slug if error.startswith("slug") else form.sections)
        field.errors = [*field.errors, error]


@bp.route("/new", methods=["GET", "POST"])
@secretariat_required
def new():
    form = CallForm()
    form.addressed.choices = _state_choices()
    if not form.is_submitted():
        form.sections.data = NEW_SECTIONS
        form.addressed.data = [c for c, _ in form.addressed.choices]
    if form.validate_on_submit():
        data = _definition(form)
        errors = [] if form.sections.errors else check_definition(data)
        if db.session.scalar(db.select(Call).filter_by(slug=data["slug"])):
            errors.append("slug: another call already has this short name")
        if not errors and not form.sections.errors:
            call = import_call(yaml.safe_dump(data, allow_unicode=True), acting_user())
            db.session.commit()
            flash(_("The call was created and opened to %(n)s member states.", n=len(call.submissions)),
                  "success")
            return redirect(url_for("secretariat.board", call_id=call.id))
        _problems_to_fields(form, errors)
    return render_template("calls/edit.html", form=form, call=None), 200 if not form.errors else 422


@bp.route("/<int:call_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit(call_id: int):
    call = db.get_or_404(Call, call_id)
    form = CallForm()
    form.addressed.choices = _state_choices()
    if not form.is_submitted():
        data = to_definition(call)
        form.process(data={
            "slug": call.slug, "reference": call.reference, "title": call.title.get("en", ""),
            **{f"title_{lang}": call.title.get(lang, "") for lang in ("es", "fr", "pt")},
            "explanatory_note": call.explanatory_note.get("en", ""),
            "meeting_name": call.meeting.get("name", ""), "meeting_starts": call.meeting.get("starts", ""),
            "meeting_ends": call.meeting.get("ends", ""), "meeting_venue": call.meeting.get("venue", ""),
            "deadline": clock.to_zone(call.deadline, call.timezone).replace(tzinfo=None),
            "timezone": call.timezone, "accept_late": call.accept_late,
            "allow_amendments": call.allow_amendments, "close_at_deadline": call.close_at_deadline,
            "addressed": data["addressed"],
            "sections": yaml.safe_dump(call.sections, allow_unicode=True, sort_keys=False),
        })
    if form.validate_on_submit():
        data = _definition(form)
        errors = [] if form.sections.errors else check_definition(data)
        clash = db.session.scalar(db.select(Call).filter(Call.slug == data["slug"], Call.id != call.id))
        if clash:
            errors.append("slug: another call already has this short name")
        if not errors and not form.sections.errors:
            data["explanatory_note"] = {**call.explanatory_note, **data["explanatory_note"]}
            update_call(call, data, acting_user())
            db.session.commit()
            flash(_("The call was saved."), "success")
            return redirect(url_for("secretariat.board", call_id=call.id))
        _problems_to_fields(form, errors)
    return render_template("calls/edit.html", form=form, call=call), 200 if not form.errors else 422


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

