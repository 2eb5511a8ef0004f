"""The answer page, shared by the mission portal and by the secretariat entering an answer
received by email or fax. Nothing typed is ever lost: a draft is saved before anything else is
checked, and every problem is shown next to its field with the posted text kept.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import flash, redirect, render_template, request
from flask_babel import format_time, get_locale

from forms.answer import attach, build, rows_beyond_limit, to_content
from forms.base import out_of_bounds
from workflow import clock, roster
from workflow import documents as document_store
from workflow.db import commit_keeping, db, start_writing
from workflow.i18n import gettext as _
from workflow.i18n import lazy_gettext as _l
from workflow.sections import compact, format_problems, kind_of
from workflow.submissions import PORTAL, Arrival, all_problems, documents_of, save_and_submit

from .access import acting_user


def _render(template: str, submission, form, status: int = 200, **context):
    return render_template(
        template, submission=submission, call=submission.call, form=form,
        documents=documents_of(submission), roster=roster.of_mission(submission.mission_id), **context,
    ), status


def _store_uploads(form, submission, content: dict, actor) -> bool:
    """Keep every uploaded file the form carries; problems go next to the file field."""
    ok = True
    for section in submission.call.sections:
        kind = kind_of(section)
        for slot in kind.upload_slots(section):
            field = form[section["key"]][slot["key"]]
            upload = field.data
            if not upload or not getattr(upload, "filename", ""):
                continue
            try:
                upload.stream.seek(0, 2)  # the size, before reading a file that may be refused
                document_store.check_size(upload.stream.tell(), submission=submission, slot=slot,
                                          section_key=section["key"])
                upload.stream.seek(0)
                stored = document_store.store(upload.read(), upload.filename, submission=submission,
                                              section_key=section["key"], slot=slot, actor=actor)
            except document_store.UploadError as exc:
                field.errors = [*field.errors, str(exc)]
                ok = False
                continue
            kind.attached(content[section["key"]])[slot["key"]] = stored.id
    return ok


ORIGINAL_SLOT = {"key": "original", "types": ["pdf", "png", "jpg", "tif"]}


def _received(form, submission, actor, action: str) -> tuple[Arrival, bool]:
    """How an answer the secretariat enters reached it; problems go next to their fields."""
    ok = True
    note = (form.provenance_note.data or "").strip() or None
    received_at = None
    local = form.received_on.data
    if form.received_on.errors:
        form.received_on.errors = [_("Give the date and time it was received, e.g. 2026-11-23 14:30.")]
        ok = False
    elif local is None:
        if action == "submit":
            form.received_on.errors = [_("Say when the secretariat received this answer.")]
            ok = False
    else:
        received_at = clock.from_zone(local, submission.call.timezone)
        if received_at > clock.now():
            form.received_on.errors = [_("This date is in the future: give the day it was received.")]
            received_at, ok = None, False
    original = None
    upload = form.original.data
    if upload and getattr(upload, "filename", ""):
        try:
            original = document_store.store(upload.read(), upload.filename, submission=submission,
                                            section_key="_received", slot=ORIGINAL_SLOT, actor=actor)
        except document_store.UploadError as exc:
            form.original.errors = [*form.original.errors, str(exc)]
            ok = False
    return Arrival(form.provenance.data, note, received_at, original), ok


def _removal(action: str, call, content: dict) -> str | None:
    """`remove:<section>:<group>:<row>` takes that row out of what is saved; the section's key."""
    parts = action.split(":")
    if len(parts) != 4 or parts[0] != "remove" or not parts[3].isdigit() or len(parts[3]) > 4:
        return None
    section = call.section(parts[1])
    if section is None or not kind_of(section).remove_entry(content[section["key"]], parts[2], int(parts[3])):
        return None
    return section["key"]


def _from_roster(action: str, submission, content: dict) -> str | None:
    """`roster:<section>:<row>` fills that row with the expert chosen from the mission's roster (in
    `roster-<section>-<row>`); the section's key. Only the mission's own experts can be chosen."""
    parts = action.split(":")
    if len(parts) != 3 or parts[0] != "roster" or not parts[2].isdigit() or len(parts[2]) > 4:
        return None
    section = submission.call.section(parts[1])
    chosen = request.form.get(f"roster-{parts[1]}-{parts[2]}", "")
    entry = roster.entry(submission.mission_id, int(chosen)) if chosen.isdigit() and len(chosen) < 10 else None
    if section is None or entry is None or \
            not kind_of(section).fill_entry(section, content[section["key"]], int(parts[2]), roster.details(entry),
                                            submission.mission.code):
        return None
    return section["key"]


CONFLICT = _l("Someone else saved this answer after you opened it, so nothing was saved. Your text is "
             "still below: compare it with the saved answer, then save again to keep yours.")


def _autosave(submission, content: dict, actor, lock: int):
    """Where JavaScript runs, the draft saves itself as the person types (files are attached only
    by saving). The answer is JSON; a conflict or a refusal stops autosaving, with the reason."""
    if content == submission.content and lock == submission.lock_version:
        return {"saved": True, "lock_version": lock, "message": ""}, 200  # nothing new to keep
    outcome = save_and_submit(submission, content, actor, lock_version=lock, submitting=False)
    if not outcome.saved:
        db.session.rollback()
        return {"saved": False, "message": str(CONFLICT if outcome.conflict else outcome.refusal)}, 409
    db.session.commit()
    return {"saved": True, "lock_version": submission.lock_version,
            "message": _("Draft saved automatically at %(time)s.", time=format_time(clock.now(), "short"))}, 200


def answer_page(submission, *, template: str, self_url: str, done_url, on_behalf: bool = False,
                check_url: str | None = None, **context):
    """GET shows the form; POST saves the draft, then submits when asked to.

    `done_url(version)` is where a successful submission goes (the receipt). With `check_url`,
    "review" saves the draft and, when nothing stops it, leads to the page where the whole answer
    is checked before it is formally submitted.
    """
    call = submission.call
    locale = str(get_locale())
    actor = acting_user()
    if request.method == "GET":
        more = request.args.get("more")
        form = build(call, locale, submission.content, on_behalf=on_behalf, state=submission.mission.code,
                     extra_rows={more: 1} if more else None)
        form.lock_version.data = submission.lock_version
        return _render(template, submission, form, **context)

    form = build(call, locale, submission.content, posted=True, on_behalf=on_behalf, state=submission.mission.code)
    formats_ok = form.validate()
    if out_of_bounds(form) or rows_beyond_limit(form, request.form):
        if request.form.get("action") == "autosave":
            return {"saved": False, "message": _("Not saved automatically: some answers go beyond what this "
                                                 "form allows. Save the draft to see where.")}, 422
        # Never stored (only a crafted request exceeds the limits the browser enforces); what was
        # sent stays in the form with the reason next to each field.
        form.lock_version.data = submission.lock_version
        flash(_("Nothing was saved: some answers go beyond what this form allows (too long, too many, or "
                "not among the choices offered). Please see the messages next to them."), "error")
        return _render(template, submission, form, 422, **context)
    content = to_content(form, call, submission.content, compact=False)
    action = request.form.get("action", "save")
    try:
        lock = int(form.lock_version.data)
    except (TypeError, ValueError):
        lock = -1
    # What was posted is read and checked: from here on the answer is stored, by the answer and
    # the call's rules as they are now.
    start_writing(submission, (call, call.TAKING_ANSWERS))
    if action == "autosave" and not on_behalf:
        return _autosave(submission, compact(call.sections, content), actor, lock)
    removing = _removal(action, call, content) or (_from_roster(action, submission, content) if not on_behalf else None)
    uploads_ok = _store_uploads(form, submission, content, actor)
    received, received_ok = _received(form, submission, actor, action) if on_behalf else (PORTAL, True)
    if action == "review" and check_url is None:
        action = "submit"
    outcome = save_and_submit(submission, compact(call.sections, content), actor, lock_version=lock,
                              submitting=action == "submit", ready=formats_ok and uploads_ok and received_ok,
                              received=received)
    if not outcome.saved:
        db.session.rollback()
        form.lock_version.data = submission.lock_version
        if outcome.conflict:
            flash(str(CONFLICT), "error")
        else:
            flash(outcome.refusal, "error")
        return _render(template, submission, form, 409, conflict=outcome.conflict, **context)
    commit_keeping()  # what this request wrote is what it shows or redirects to: nothing to read again
    form.lock_version.data = submission.lock_version
    if outcome.version is not None:
        return redirect(done_url(outcome.version))
    if outcome.refusal:
        flash(outcome.refusal, "error")
        return _render(template, submission, form, 409, **context)
    found = all_problems(submission, content) if action in ("submit", "review") else []
    if action == "submit" or found or (action == "review" and not (formats_ok and uploads_ok and received_ok)):
        attach(form, found)
        flash(_("Your draft was saved, but it cannot be submitted yet: please see the "
                "messages next to the answers below."), "error")
        return _render(template, submission, form, 422, **context)

    if action == "review" and check_url:
        return redirect(check_url)
    if removing and action.startswith("roster:"):
        flash(_("Filled in from your experts. Check the details and correct what has changed."), "success")
        return redirect(f"{self_url}#section-{removing}")
    if removing:
        flash(_("Removed. Your draft was saved."), "success")
        return redirect(f"{self_url}#section-{removing}")
    warnings = [p for s in call.sections for p in format_problems(s, content.get(s["key"], {}),
                                                                      submission.mission.code)]
    if not (formats_ok and uploads_ok) or warnings:
        attach(form, warnings)
        flash(_("Your draft was saved. Please correct the answers marked below before submitting."),
              "warning")
        return _render(template, submission, form, 200, **context)
    flash(_("Your draft was saved."), "success")
    more = action[5:] if action.startswith("more:") else None
    if more and call.section(more) is not None:  # a section key: [a-z0-9_]
        return redirect(f"{self_url}?{urlencode({'more': more})}#section-{more}")
    return redirect(self_url)
