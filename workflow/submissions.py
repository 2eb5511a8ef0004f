"""The writes on a submission: save a draft, submit, amend, return, accept. Each goes through
`states.transition()` (checks + audit); the caller commits.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from . import audit, clock, roster
from .db import db
from .i18n import lazy_gettext as _
from .models import Document, Submission, SubmissionNote, SubmissionVersion
from .sections import Problem, attached_ids, kind_of, problems
from .states import Action, TransitionError, transition

PROVENANCES = ("portal", "email", "fax", "post", "hand")
PROVENANCE_LABELS = {"email": _("Email"), "fax": _("Fax"), "post": _("Note verbale by post"),
                     "hand": _("Delivered by hand"), "portal": _("Missiva portal")}


class ConflictError(Exception):
    """Someone saved this answer after it was opened: nothing was overwritten."""


class IncompleteError(TransitionError):
    def __init__(self, found: list[Problem]):
        super().__init__(_("Some answers need attention before this can be submitted."))
        self.problems = found


def all_problems(submission: Submission, content: dict | None = None) -> list[Problem]:
    content = submission.content if content is None else content
    return [p for section in submission.call.sections
            for p in problems(section, content.get(section["key"], {}), submission.mission.code)]


def save(submission: Submission, content: dict, actor, *, lock_version: int | None,
         detail: dict | None = None):
    """Store the working answer. `lock_version` is what the editor was opened at."""
    if lock_version is not None and lock_version != submission.lock_version:
        raise ConflictError()
    event = transition(submission, Action.SAVE, actor, detail=detail)
    submission.content = copy.deepcopy(content)
    submission.lock_version += 1
    return event


@dataclass(frozen=True)
class Arrival:
    """How an answer the secretariat enters reached it: the channel, its reference (the note
    verbale's number), when it arrived (which decides lateness) and the scanned original."""

    provenance: str = "portal"
    note: str | None = None
    received_at: datetime | None = None  # naive UTC
    original: Document | None = None

    @property
    def on_behalf(self) -> bool:
        return self.provenance != "portal"


PORTAL = Arrival()


def submit(submission: Submission, actor, *, received: Arrival = PORTAL):
    """Freeze the working answer as a new version the secretariat will see. Every refusal is
    raised before anything is changed: a refused submission leaves the submission as it was."""
    found = all_problems(submission)
    if found:
        raise IncompleteError(found)
    if received.provenance not in PROVENANCES:
        raise TransitionError(_("Say how the answer was received."))
    with db.session.no_autoflush:  # the draft just saved and this submission go in one UPDATE
        number = len(submission.versions) + 1
    detail: dict = {"provenance": received.provenance, "version": number}
    if received.note:
        detail["note"] = received.note
    arrived = received.received_at if received.on_behalf else None
    if arrived is not None:
        if arrived > clock.now():
            raise TransitionError(_("An answer cannot have been received after it is entered."))
        detail["received_at"] = arrived.isoformat()
    if received.original is not None:
        detail["original"] = received.original.original_name
    was_late = submission.late
    transition(submission, Action.SUBMIT, actor, detail=detail)
    # Lateness goes by when the secretariat had the answer in hand, not when it was typed in.
    late = submission.is_past_deadline(arrived or submission.submitted_at)
    submission.late = was_late or late
    version = SubmissionVersion(
        submission=submission, number=number,
        content=copy.deepcopy(submission.content), submitted_at=submission.submitted_at,
        submitted_by_id=actor.id if actor else None, late=late,
        provenance=received.provenance, provenance_note=received.note, received_at=arrived,
        original_document_id=received.original.id if received.original is not None else None,
    )
    db.session.add(version)
    roster.record(submission, version)
    return version


MAX_EXTENSION = timedelta(days=366)


class ExtensionError(ValueError):
    """The new deadline was refused; the message says why, for the field."""


def extend_deadline(submission: Submission, local: datetime | None, actor):
    """Give one mission a later deadline (`local`, wall-clock time in the call's zone), or take the
    extension back (None). The sweep and the portal follow it. The caller commits."""
    call, before = submission.call, submission.deadline_override
    if local is None:
        submission.deadline_override = None
    else:
        refused = ExtensionError(_("The new deadline must fall after the call's deadline and at most "
                                   "a year later."))
        try:
            moment = clock.from_zone(local, call.timezone)
        except (OverflowError, ValueError) as exc:
            raise refused from exc
        if not call.deadline < moment <= call.deadline + MAX_EXTENSION:
            raise refused
        submission.deadline_override = moment
    return audit.record("deadline_extended", actor, submission=submission, detail={
        "from": before.isoformat() if before else None,
        "to": submission.deadline_override.isoformat() if submission.deadline_override else None})


@dataclass
class Outcome:
    """What became of a mission's (or an officer's) post of the answer form."""

    saved: bool  # the draft was stored
    version: SubmissionVersion | None = None  # the new frozen version, when it was submitted
    conflict: bool = False  # someone else saved in between: nothing was stored
    refusal: str | None = None  # why saving or submitting was refused (closed call, deadline ...)
    problems: list[Problem] = field(default_factory=list)  # what stops the submission


def save_and_submit(submission: Submission, content: dict, actor, *, lock_version: int | None,
                    submitting: bool, ready: bool = True, received: Arrival = PORTAL) -> Outcome:
    """The answer form's one write: the draft is stored first, whatever happens next; then, when
    asked and `ready` (the form's own checks passed), it is submitted, so the draft and a
    successful submission are committed together, and a refused submission (refused before it
    changes anything) keeps the draft. The caller commits (or rolls back when nothing was saved)."""
    try:
        save(submission, content, actor, lock_version=lock_version,
             detail={"provenance": received.provenance} if received.on_behalf else None)
    except ConflictError:
        return Outcome(saved=False, conflict=True)
    except TransitionError as exc:
        return Outcome(saved=False, refusal=str(exc))
    if not submitting:
        return Outcome(saved=True)
    if not ready:
        return Outcome(saved=True, problems=all_problems(submission))
    try:
        return Outcome(saved=True, version=submit(submission, actor, received=received))
    except IncompleteError as exc:
        return Outcome(saved=True, problems=exc.problems)
    except TransitionError as exc:
        return Outcome(saved=True, refusal=str(exc))


def amend(submission: Submission, actor):
    return transition(submission, Action.AMEND, actor)


def return_to_mission(submission: Submission, actor, comment: str):
    return transition(submission, Action.RETURN, actor, comment=comment)


def second_reader_needed(submission: Submission, actor) -> str | None:
    """Why `actor` may not accept this answer though their role may: with SEPARATE_ENTRY_AND_ACCEPTANCE
    (on unless turned off), an answer the secretariat typed in from a fax, a mail or a letter is
    accepted by another officer than the one who typed it, so two people have read it against the
    original. None when nothing stands in the way."""
    version = submission.latest_version
    if (current_app.config["SEPARATE_ENTRY_AND_ACCEPTANCE"] and version is not None
            and version.provenance != "portal" and actor is not None and version.submitted_by_id == actor.id):
        return str(_("You entered this answer from what the mission sent, so another officer must accept it."))
    return None


def accept(submission: Submission, actor):
    refusal = second_reader_needed(submission, actor)
    if refusal:
        raise TransitionError(refusal)
    return transition(submission, Action.ACCEPT, actor)


def add_note(submission: Submission, actor, text: str) -> SubmissionNote:
    """An internal note of the secretariat on a submission (missions never see notes), audited."""
    note = SubmissionNote(submission=submission, author=actor, text=text, at=clock.now())
    db.session.add(note)
    db.session.flush()
    audit.record("note_added", actor, submission=submission, detail={"note": note.id})
    return note


def notes_of(submission: Submission) -> list[SubmissionNote]:
    return list(db.session.scalars(db.select(SubmissionNote).filter_by(submission_id=submission.id)
                                   .order_by(SubmissionNote.at, SubmissionNote.id)))


def versions_compared(submission: Submission, version: SubmissionVersion, locale: str):
    """What changed from the version before `version` to it: (that previous version or None, the keys
    of the sections that changed, [(section, [Change]) for each of them])."""
    previous = next((v for v in submission.versions if v.number == version.number - 1), None)
    if previous is None:
        return None, set(), []
    changed = {s["key"] for s in submission.call.sections
               if previous.content.get(s["key"]) != version.content.get(s["key"])}
    files = {**documents_of(submission, previous.content), **documents_of(submission, version.content)}
    return previous, changed, [
        (section, kind_of(section).changes(section, previous.content.get(section["key"], {}),
                                           version.content.get(section["key"], {}), locale, files))
        for section in submission.call.sections if section["key"] in changed]


def documents_of(submission: Submission, content: dict | None = None) -> dict[int, Document]:
    """The documents a content (working copy or a version) refers to, by id."""
    content = submission.content if content is None else content
    ids = attached_ids(submission.call.sections, content)
    if not ids:
        return {}
    rows = db.session.scalars(db.select(Document).where(Document.id.in_(ids),
                                                        Document.submission_id == submission.id))
    return {d.id: d for d in rows}
