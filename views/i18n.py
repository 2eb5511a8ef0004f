"""Language and time zone of each page: the user's choice, else the mission's language, else the
browser's. Switchable on every page, without JavaScript.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import lru_cache

from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for
from flask_babel import Babel, force_locale, get_locale
from flask_login import current_user
from jinja2 import pass_context, pass_eval_context
from markupsafe import Markup, escape

from forms.answer import problem_list
from workflow import clock, invitations
from workflow.checks import LANGUAGE_NAMES
from workflow.db import db
from workflow.directory import FIELD_LABELS, PERSON_ROLE_LABELS, role_of
from workflow.i18n import colon
from workflow.i18n import gettext as _
from workflow.i18n import lazy_gettext as _l
from workflow.kinds import CallStatus, MailKind, MailState, ReportState, State, event_label, label
from workflow.models import Mission, localized
from workflow.sections import kind_of
from workflow.submissions import PROVENANCE_LABELS

from .navigation import safe_target

bp = Blueprint("i18n", __name__)
OUTBOX_FILTER_LABELS = {"all": _l("All"), "attention": _l("Needs attention")}
REPORT_BASIS_LABELS = {"accepted": _l("accepted only"), "submitted": _l("accepted and submitted")}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a worker or the CLI: callers use force_locale()
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user.is_authenticated:
        if current_user.locale in languages:
            return current_user.locale
        if current_user.mission and current_user.mission.language in languages:
            return current_user.mission.language
    return request.accept_languages.best_match(languages) or "en"


def select_timezone() -> str:
    if has_request_context() and current_user.is_authenticated:
        return current_user.zone
    return "UTC"


def moment(value: datetime | str | None, zone: str | None = None, format: str = "long", *,
           reader: tuple[str, str] | None = None) -> str:
    """A naive UTC moment in the page's language, through the one time formatter: in `zone` (a
    call's) with the reader's own time beside it where it differs, else in the reader's zone —
    "29 de octubre de 2030, 23:59 (hora de Nueva York)"; format="short" for tables. `reader` is
    (the page's language, the reader's zone) when the caller has them already."""
    if not value:
        return ""
    if isinstance(value, str):  # as a report's data keeps it
        value = datetime.fromisoformat(value)
    language, reader_zone = reader or (str(get_locale()), select_timezone())
    return clock.shown(value, zone or reader_zone, language, reader_zone=None if format == "short" else reader_zone,
                       short=format == "short")


@pass_context
def moment_filter(context, value, zone: str | None = None, format: str = "long") -> str:
    """`moment` for templates: the page's language and the reader's zone are read once a page
    (a board writes three moments in each of its 193 rows)."""
    return moment(value, zone, format, reader=context.get("reader"))


def _reader() -> dict:
    return {"reader": (str(get_locale()), select_timezone())}


@lru_cache(maxsize=1024)
def _label_in(enum: type[StrEnum], value: str, language: str) -> str:
    with force_locale(language):
        return str(label(enum, value))


def _language(context) -> str:
    return (context.get("reader") or (str(get_locale()),))[0]


@pass_context
def state_badge(context, submission) -> Markup:
    """A submission's state as a badge, "late" and "withdrawn" beside it when they apply (a board
    shows 193)."""
    named = _label_in(State, submission.state, _language(context))
    badges = f'<span class="badge {escape(submission.state)}">{escape(named)}</span>'
    if submission.late:
        badges += f' <span class="badge late">{escape(_("late"))}</span>'
    if submission.withdrawn_at:
        badges += f' <span class="badge withdrawn">{escape(_("withdrawn"))}</span>'
    return Markup(badges)


def _labels(enum: type[StrEnum]):
    """What the pages call an enum's stored value, translated once a language (a board names the
    state of each of its 193 rows)."""
    @pass_context
    def named(context, value) -> str:
        return _label_in(enum, str(value or ""), _language(context))
    return named


def file_size(size: int) -> str:
    """A file's size as people read it, in the page's language: "12,3 KB", "1.4 MB"."""
    from babel.numbers import format_decimal

    unit, value = ("MB", size / 2**20) if size >= 2**20 else ("KB", max(size / 2**10, 0.1))
    return f"{format_decimal(round(value, 1), format='#,##0.#', locale=str(get_locale()))} {unit}"


DETAIL_LABELS = {
    "provenance": _l("Received through"), "note": _l("Reference"), "version": _l("Version"),
    "received_at": _l("Received"), "original": _l("Scanned original"), "comment": _l("Comment"),
    "from": _l("From"), "to": _l("To"), "language": _l("Language"), "basis": _l("Answers to include"),
    "user": _l("Person"), "state": _l("Member state"), "role": _l("Role"), "name": _l("Name"),
    "expert": _l("Expert"), "nominations": _l("Nominations"), "answers": _l("Answers"), "token": _l("Token"),
}


def change_value(key: str, value) -> str:
    """One value of a directory change as people read it (a role's name, a mission's state)."""
    if key == "mission_id" and isinstance(value, int):
        mission = db.session.get(Mission, value)
        return mission.member_state.name(str(get_locale())) if mission else str(value)
    if isinstance(value, list) and all(isinstance(v, list) and len(v) == 2 for v in value):
        return ", ".join(f"{k}: {v}" for k, v in value)  # a name per language
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str) and value in PERSON_ROLE_LABELS:
        return str(PERSON_ROLE_LABELS[value])
    if key in ("language", "locale") and isinstance(value, str):
        return LANGUAGE_NAMES.get(value, value)
    return "—" if value in (None, "", []) else str(value)


def _changes(changes: dict) -> str:
    """A directory change in words: "Time zone: America/New_York → America/Bogota"."""
    return "; ".join(f"{FIELD_LABELS.get(k, DETAIL_LABELS.get(k, k))}: {change_value(k, before)} → "
                     f"{change_value(k, after)}"
                     for k, pair in changes.items() if isinstance(pair, list) and len(pair) == 2
                     for before, after in [pair])


def event_details(event, zone: str | None = None) -> str:
    """An audit event's details in words: "Received through: Fax; Reference: NV 77/07"."""
    parts = []
    for key, value in (event.detail or {}).items():
        if key == "note" and isinstance(value, int):
            continue  # the id of an internal note, shown in the notes themselves
        if key == "changes" and isinstance(value, dict):
            parts.append(_changes(value))
            continue
        if key == "role":
            value = PERSON_ROLE_LABELS.get(value, value)
        if key == "provenance":
            value = PROVENANCE_LABELS.get(value, value)
        elif key == "language":
            value = LANGUAGE_NAMES.get(value, value)
        elif key == "basis":
            value = REPORT_BASIS_LABELS.get(value, value)
        elif key in ("received_at", "from", "to") and isinstance(value, str):
            value = moment(value, zone, "short")
        elif value is None:
            value = "—"
        parts.append(f"{colon(DETAIL_LABELS.get(key, key))} {value}")
    return "; ".join(parts)


@bp.route("/language/<code>", methods=["POST"])
def switch(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_target(request.form.get("next")) or url_for("auth.home"))


@pass_eval_context
def colon_filter(context, label) -> str:
    """`{{ _('Deadline') | colon }}`: the label and its colon in the page's language (escaped on
    pages, as it is in text mail)."""
    if not context.autoescape:
        return colon(label)
    return escape(colon("\x00")).replace("\x00", escape(label))


def init_app(app) -> None:
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.register_blueprint(bp)
    app.jinja_env.filters["moment"] = moment_filter
    app.context_processor(_reader)
    app.jinja_env.filters["colon"] = colon_filter
    app.jinja_env.filters["file_size"] = file_size
    app.jinja_env.filters["redact_links"] = invitations.redact
    app.jinja_env.globals.update(
        localized=localized, LANGUAGE_NAMES=LANGUAGE_NAMES, current_locale=lambda: str(get_locale()),
        state_label=_labels(State), state_badge=state_badge, call_status_label=_labels(CallStatus),
        section_kind=kind_of, section_template=lambda section, part: kind_of(section).template(part),
        answer_problems=problem_list,
        provenance_label=lambda p: PROVENANCE_LABELS.get(p, p),
        outbox_filter_label=lambda f: OUTBOX_FILTER_LABELS.get(f) or label(MailState, f),
        mail_state_label=_labels(MailState), mail_kind_label=_labels(MailKind), event_label=event_label,
        report_state_label=_labels(ReportState),
        report_basis_label=lambda k: REPORT_BASIS_LABELS.get(k, k), event_details=event_details,
        person_role=lambda person: PERSON_ROLE_LABELS.get(role_of(person), person.role), change_value=change_value,
    )
