"""The domain's closed sets of values, each an enum in one place: who people are, where an answer,
a call, a mail or a report stands, which mail it is. A leaf module (it imports nothing of the
domain), so models, the state machine and the pages can all name them without an import circle.
Labels are what the pages show; the database keeps the values (CHECK constraints in models.py)."""
from __future__ import annotations

from enum import StrEnum

from .i18n import lazy_gettext as _l

ROLES = ("focal_point", "officer", "admin")
SECRETARIAT = frozenset({"officer", "admin"})
MISSION = frozenset({"focal_point"})
MISSION_ROLES = ("lead", "focal_point", "alternate")


class State(StrEnum):
    """Where a mission's answer stands (late is a flag, never a state)."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class Action(StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    AMEND = "amend"
    RETURN = "return"
    ACCEPT = "accept"


class CallStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class MailState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class ReportState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MailKind(StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    RECEIPT = "receipt"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    DIGEST = "digest"
    SIGN_IN = "sign_in"
    REPORT = "report"
    WELCOME = "welcome"


LABELS: dict[type[StrEnum], dict[str, object]] = {
    State: {State.NOT_STARTED: _l("not started"), State.DRAFT: _l("draft"), State.SUBMITTED: _l("submitted"),
            State.RETURNED: _l("returned"), State.ACCEPTED: _l("accepted")},
    CallStatus: {CallStatus.DRAFT: _l("draft"), CallStatus.OPEN: _l("open"), CallStatus.CLOSED: _l("closed")},
    MailState: {MailState.PENDING: _l("Waiting"), MailState.SENDING: _l("Sending"), MailState.SENT: _l("Sent"),
                MailState.FAILED: _l("Failed")},
    ReportState: {ReportState.QUEUED: _l("waiting"), ReportState.RUNNING: _l("compiling"),
                  ReportState.DONE: _l("ready"), ReportState.FAILED: _l("failed")},
    MailKind: {MailKind.INVITATION: _l("Invitation"), MailKind.REMINDER: _l("Reminder"),
               MailKind.RECEIPT: _l("Receipt"), MailKind.RETURNED: _l("Returned"),
               MailKind.ACCEPTED: _l("Accepted"), MailKind.DIGEST: _l("Digest"),
               MailKind.SIGN_IN: _l("Sign-in link"), MailKind.REPORT: _l("Report ready"),
               MailKind.WELCOME: _l("Welcome")},
}


# What the audit trail calls each event (an event not listed here is shown by its own name).
EVENTS: dict[str, object] = {
    Action.SAVE: _l("Draft saved"), Action.SUBMIT: _l("Submitted"), Action.AMEND: _l("Amendment started"),
    Action.RETURN: _l("Returned to the mission"), Action.ACCEPT: _l("Accepted"),
    "deadline_extended": _l("Deadline extended for the mission"), "marked_late": _l("Marked late"),
    "documents_removed": _l("Documents removed"), "mail_resent": _l("Message sent again"),
    "note_added": _l("Internal note added"),
    "state_added": _l("Member state added"), "state_changed": _l("Member state changed"),
    "mission_changed": _l("Mission details changed"), "person_added": _l("Person added"),
    "person_changed": _l("Person changed"), "user_deactivated": _l("Person deactivated"),
    "user_reactivated": _l("Person re-activated"), "directory_imported": _l("Directory imported"),
    "expert_erased": _l("Expert's personal data erased"),
}


def event_label(action: str):
    return EVENTS.get(action, action)


def label(enum: type[StrEnum], value):
    """What the pages call a stored value (the value itself when it is not one of the enum's)."""
    return LABELS[enum].get(str(value), value or "")


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    """The stored values of an enum, e.g. for a CHECK constraint."""
    return tuple(member.value for member in enum)
