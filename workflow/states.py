"""The submission state machine. Every change of state goes through `transition()`.

    not_started -> draft -> submitted -> accepted
                      ^         |
                      |         v
                      +---- returned          (late is a flag, never a state)

A mission may also take back its own submitted answer to amend it (submitted -> draft) when the
call allows amendments; what the secretariat saw stays as a frozen version.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace

from . import audit, clock
from .i18n import lazy_gettext as _
from .kinds import MISSION, SECRETARIAT, Action, CallStatus, State

__all__ = ["EDITABLE", "RULES", "Action", "State", "TransitionError", "allowed", "check", "transition"]

@dataclass(frozen=True)
class Rule:
    sources: frozenset[State]
    target: State
    roles: frozenset[str]
    mission_window: bool  # a focal point may do it only while the call takes answers


RULES: dict[Action, Rule] = {
    Action.SAVE: Rule(frozenset({State.NOT_STARTED, State.DRAFT, State.RETURNED}), State.DRAFT,
                      MISSION | SECRETARIAT, True),
    Action.SUBMIT: Rule(frozenset({State.DRAFT}), State.SUBMITTED, MISSION | SECRETARIAT, True),
    Action.AMEND: Rule(frozenset({State.SUBMITTED}), State.DRAFT, MISSION, True),
    Action.RETURN: Rule(frozenset({State.SUBMITTED}), State.RETURNED, SECRETARIAT, False),
    Action.ACCEPT: Rule(frozenset({State.SUBMITTED}), State.ACCEPTED, SECRETARIAT, False),
}

# The states in which a mission's answer is still open: it may be saved, and it is chased.
EDITABLE = RULES[Action.SAVE].sources

signals = Namespace()
# Sent after a transition is recorded (before commit): sender is the submission.
transitioned = signals.signal("submission-transitioned")


class TransitionError(Exception):
    """The transition is not allowed; the message is shown to the user as it is."""


def allowed(submission, action: Action, actor, at: datetime | None = None) -> bool:
    try:
        check(submission, action, actor, at)
    except TransitionError:
        return False
    return True


def check(submission, action: Action, actor, at: datetime | None = None) -> None:
    at = at or clock.now()
    rule = RULES[action]
    role = actor.role if actor is not None else None
    if role not in rule.roles:
        raise TransitionError(_("You are not allowed to do this."))
    if role in MISSION and actor.mission_id != submission.mission_id:
        raise TransitionError(_("You are not allowed to do this."))
    if State(submission.state) not in rule.sources:
        raise TransitionError(_("This answer cannot be changed in its present state."))
    call = submission.call
    if role in MISSION and submission.withdrawn_at is not None:
        raise TransitionError(_("This call is no longer addressed to your state."))
    if role in MISSION and rule.mission_window:
        if call.status != CallStatus.OPEN:
            raise TransitionError(_("This call is closed and no longer takes answers."))
        if submission.is_past_deadline(at) and not call.accept_late:
            raise TransitionError(_("The deadline has passed and this call does not take late answers."))
    if action is Action.AMEND and not call.allow_amendments:
        raise TransitionError(_("This call does not allow amendments."))


def transition(submission, action: Action, actor, *, comment: str | None = None,
               at: datetime | None = None, detail: dict | None = None):
    """Check, apply, audit. The caller commits. Returns the AuditEvent."""
    at = at or clock.now()
    check(submission, action, actor, at)
    if action is Action.RETURN and not (comment or "").strip():
        raise TransitionError(_("Say what the mission should change."))
    source = submission.state
    submission.state = RULES[action].target.value
    submission.last_activity_at = at
    if action is Action.SUBMIT:
        submission.submitted_at = at
        submission.late = submission.late or submission.is_past_deadline(at)
    if action is Action.RETURN:
        submission.return_comment = (comment or "").strip()
    event = audit.record(
        action.value, actor, call=submission.call, submission=submission, at=at,
        from_state=source, to_state=submission.state,
        detail={**(detail or {}), **({"comment": comment.strip()} if comment else {})},
    )
    transitioned.send(submission, action=action, event=event)
    return event
