"""What Missiva writes to people, and to whom. Every message goes through the outbox.

Wording: each kind has a default subject and body (translated through the catalogues); the
secretariat may give its own per call and language (`Call.mail_templates`). Both are rendered the
same way, in a Jinja sandbox, with the placeholders in PLACEHOLDERS. The HTML part is made from
the text, so the two never disagree.
"""
from __future__ import annotations

import re
from datetime import datetime
from email.utils import formataddr
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g
from flask_babel import force_locale, gettext, ngettext
from jinja2 import BaseLoader, Environment, StrictUndefined, Template, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from . import audit, clock, invitations, links, outbox, profiles
from .db import db
from .i18n import N_
from .member_states import mission_name
from .models import Call, Mission, Submission, User, receipt_number
from .states import Action, transitioned

KINDS = ("invitation", "reminder", "receipt", "returned", "accepted")
PLACEHOLDERS = ("recipient_name", "mission_name", "state_name", "of_state", "call_title", "call_reference",
                "deadline", "deadline_call_zone", "days_left", "link", "receipt_number", "comment",
                "contact")
# Default wording (English msgids; the catalogues carry the translations).
DEFAULTS = {
    "invitation": (
        N_("{{ call_reference }}: {{ call_title }}"),
        N_("Dear {{ recipient_name }},\n\nThe secretariat invites the {{ mission_name }} to answer "
           "the call “{{ call_title }}” ({{ call_reference }}) by {{ deadline }}.\n\nSign in and "
           "answer here:\n{{ link }}\n\nQuestions: {{ contact }}"),
    ),
    "reminder": (
        N_("Reminder: {{ call_reference }}, answer due {{ deadline }}"),
        N_("Dear {{ recipient_name }},\n\nThe secretariat has not yet received the answer "
           "{{ of_state }} to “{{ call_title }}” ({{ call_reference }}). The deadline is "
           "{{ deadline }}, {{ days_left }}.\n\nYou can answer, or finish your draft, here:\n"
           "{{ link }}\n\nQuestions: {{ contact }}"),
    ),
    "receipt": (
        N_("Answer received: {{ receipt_number }}"),
        N_("Dear {{ recipient_name }},\n\nThe secretariat acknowledges receipt of the answer "
           "{{ of_state }} to “{{ call_title }}”.\n\nReceipt number: {{ receipt_number }}\n\n"
           "You can see what was sent here:\n{{ link }}"),
    ),
    "returned": (
        N_("Please review your answer: {{ call_reference }}"),
        N_("Dear {{ recipient_name }},\n\nThe secretariat returned the answer {{ of_state }} to "
           "“{{ call_title }}” with this comment:\n\n{{ comment }}\n\nPlease change it and submit "
           "again before {{ deadline }}:\n{{ link }}"),
    ),
    "accepted": (
        N_("Accepted: {{ call_reference }}"),
        N_("Dear {{ recipient_name }},\n\nThe secretariat has accepted the answer {{ of_state }} "
           "to “{{ call_title }}” ({{ receipt_number }}). Thank you.\n\n{{ link }}"),
    ),
}
_sandbox = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
# What a wording may use: its placeholders, text, {% if %} with comparisons, and a few filters
# that cannot blow up. No loops, calls, arithmetic beyond + and -, attribute access or includes:
# a text written by one officer must never hang a worker or fill its memory.
ALLOWED_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const,
                 nodes.If, nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not,
                 nodes.CondExpr, nodes.Concat, nodes.Add, nodes.Sub, nodes.Neg, nodes.Pos,
                 nodes.Filter, nodes.Test, nodes.Tuple, nodes.List)
ALLOWED_FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default", "d"})
MAX_OUTPUT = 50_000  # characters of one rendered subject or body


class TemplateProblem(ValueError):
    pass


def wording(call: Call, kind: str, language: str) -> tuple[str, str]:
    """The subject and body template for a kind in a language: the call's own, else the default."""
    own = (call.mail_templates or {}).get(kind, {}).get(language)
    if own and own.get("subject") and own.get("body"):
        return own["subject"], own["body"]
    return standard_wording(kind, language)


@lru_cache(maxsize=64)
def standard_wording(kind: str, language: str) -> tuple[str, str]:
    subject, body = DEFAULTS[kind]
    with force_locale(language):
        return gettext(subject), gettext(body)


def _refuse_unsafe(node) -> None:
    if not isinstance(node, ALLOWED_NODES):
        raise TemplateProblem(f"{type(node).__name__.lower()} is not allowed in a message")
    if isinstance(node, nodes.Name) and node.name not in PLACEHOLDERS:
        raise TemplateProblem(f"'{node.name}' is not a placeholder")
    if isinstance(node, nodes.Filter | nodes.Test) and node.name not in ALLOWED_FILTERS | {"defined"}:
        raise TemplateProblem(f"the filter '{node.name}' is not allowed in a message")
    for child in node.iter_child_nodes():
        _refuse_unsafe(child)


@lru_cache(maxsize=256)
def _compiled(text: str):
    try:
        _refuse_unsafe(_sandbox.parse(text))
        return _sandbox.from_string(text)
    except TemplateError as exc:
        raise TemplateProblem(str(exc)) from exc


def _render(text: str, values: dict) -> str:
    try:
        out = _compiled(text).render(values)
    except TemplateProblem:
        raise
    except Exception as exc:
        raise TemplateProblem(f"{type(exc).__name__}: {exc}"[:300]) from exc
    if len(out) > MAX_OUTPUT:
        raise TemplateProblem(f"the message would be longer than {MAX_OUTPUT} characters")
    return out


def render_wording(subject: str, body: str, values: dict) -> tuple[str, str]:
    return _render(subject, values).replace("\n", " ").strip(), _render(body, values)


def compose(call: Call, kind: str, language: str, values: dict) -> tuple[str, str]:
    """The subject and text of one message. The secretariat's own wording that fails for these
    values never stops what caused the message (a mission's submission, the sweep): the standard
    wording goes instead, and the call's wording is marked broken for the secretariat to mend."""
    own = (call.mail_templates or {}).get(kind, {}).get(language) or {}
    try:
        return render_wording(*wording(call, kind, language), values)
    except TemplateProblem as exc:
        if not (own.get("subject") and own.get("body")):
            raise  # the standard wording itself: a defect of ours, not of the call
        if own.get("problem") != str(exc):
            templates = dict(call.mail_templates)
            templates[kind] = {**templates[kind], language: {**own, "problem": str(exc)}}
            call.mail_templates = templates
            audit.record("wording_failed", None, call=call,
                         detail={"kind": kind, "language": language, "problem": str(exc)})
    return render_wording(*standard_wording(kind, language), values)


def sample_values(submission: Submission, language: str) -> dict:
    """The values a message of this call would get for this mission (for previews and checks)."""
    call, mission = submission.call, submission.mission
    person = mission.focal_points[0] if mission.focal_points else None
    with force_locale(language):
        comment = gettext("(the officer's comment)")
    return values_for(submission, person, language, link=portal_link(None, call),
                      receipt_number=receipt_number(submission, 1), comment=comment)


def save_wording(call: Call, kind: str, language: str, subject: str, body: str, actor) -> None:
    """The secretariat's own wording for one kind and language, once it renders for every mission
    the call is addressed to (raises TemplateProblem naming the first that fails)."""
    check_wording(subject, body)
    for submission in call.submissions:
        try:
            render_wording(subject, body, sample_values(submission, language))
        except TemplateProblem as exc:
            raise TemplateProblem(f"{submission.mission.member_state.name(language)}: {exc}") from exc
    templates = dict(call.mail_templates or {})
    templates[kind] = {**templates.get(kind, {}), language: {"subject": subject, "body": body}}
    call.mail_templates = templates
    audit.record("wording_changed", actor, call=call, detail={"kind": kind, "language": language})


def reset_wording(call: Call, kind: str, language: str, actor) -> None:
    templates = {k: dict(v) for k, v in (call.mail_templates or {}).items()}
    templates.get(kind, {}).pop(language, None)
    call.mail_templates = {k: v for k, v in templates.items() if v}
    audit.record("wording_reset", actor, call=call, detail={"kind": kind, "language": language})


def broken_wording(call: Call) -> list[dict]:
    """The call's own wordings that failed when used: kind, language, problem."""
    return [{"kind": kind, "language": language, "problem": own["problem"]}
            for kind, by_language in (call.mail_templates or {}).items()
            for language, own in by_language.items() if own.get("problem")]


def check_wording(subject: str, body: str, samples: list[dict] | None = None) -> None:
    """Raise TemplateProblem if the text uses anything but the placeholders, or fails for any of
    `samples` (the values of each mission it would be sent to)."""
    for values in [{name: f"[{name}]" for name in PLACEHOLDERS}, *(samples or [])]:
        render_wording(subject, body, values)


def language_of(person: User | None, mission: Mission) -> str:
    languages = current_app.config["LANGUAGES"]
    for choice in ((person.locale if person else None), mission.language):
        if choice and choice in languages:
            return choice
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def moment_in(at: datetime, zone: str, language: str, reader_zone: str | None = None) -> str:
    return clock.shown(at, zone, language, reader_zone=reader_zone)


@lru_cache(maxsize=1024)
def _days_phrase(days: int, language: str) -> str:
    with force_locale(language):
        if days < 0:
            return ngettext("%(num)d day ago", "%(num)d days ago", -days)
        return ngettext("in %(num)d day", "in %(num)d days", days) if days else gettext("today")


def values_for(submission: Submission, person: User | None, language: str, *, link: str,
               at: datetime | None = None, **extra) -> dict:
    call, mission, deadline = submission.call, submission.mission, submission.deadline
    at = at or clock.now()
    zone = (person.timezone if person and person.timezone else mission.timezone)
    contact = call.contact or {}
    return {
        "recipient_name": person.name if person else (mission.representative_name or mission_name(mission, language)),
        "mission_name": mission_name(mission, language),
        "state_name": mission.member_state.name(language),
        "of_state": mission.member_state.of(language),
        "call_title": call.title_in(language),
        "call_reference": call.reference,
        "deadline": moment_in(deadline, call.timezone, language, reader_zone=zone),
        "deadline_call_zone": moment_in(deadline, call.timezone, language),
        "days_left": _days_phrase((deadline - at).days, language),
        "link": link,
        "receipt_number": "",
        "comment": "",
        "contact": " · ".join(str(contact[k]) for k in ("name", "email", "phone") if contact.get(k)),
        **extra,
    }


def _line(line: str) -> str:
    text = str(escape(line))
    # A personal link is one unbroken run of some 150 characters: it may break anywhere, so a
    # phone wraps it within the screen.
    return f'<a href="{text}" style="color: #0b5394; overflow-wrap: anywhere; word-break: break-all;">{text}</a>' \
        if line.startswith(("http://", "https://")) else text


def _paragraph(paragraph: str) -> Markup:
    """One paragraph of a message's text as HTML: its lines kept (escaped), an address on a line
    of its own made a link."""
    return Markup("<br>".join(_line(line) for line in paragraph.split("\n")))


@lru_cache(maxsize=4)
def _message_template(loader: BaseLoader) -> Template:
    """The HTML frame of every message, from the app's own templates but in an environment of its
    own: it uses nothing but its three values, and the pages' environment would copy its forty
    globals (Flask's and Missiva's) into every render, a third of a sweep's time in Jinja."""
    return Environment(loader=loader, autoescape=True, auto_reload=False).get_template("email/message.html")


def html_from_text(text: str, subject: str, language: str) -> str:
    """The HTML part of a message. It needs nothing of the request (a sweep writes thousands)."""
    return _message_template(current_app.jinja_loader).render(
        paragraphs=[_paragraph(p) for p in text.split("\n\n")], subject=subject, language=language)


def portal_link(person: User | None, call: Call) -> str:
    if person is None:
        return links.absolute(f"/portal/calls/{call.id}")
    return invitations.link_for(person) + f"?next=/portal/calls/{call.id}"


def recipients(mission: Mission, *, escalate: bool = False) -> list[User | None]:
    """The mission's reachable focal points (None stands for the Permanent Representative)."""
    people: list[User | None] = [u for u in mission.focal_points if u.active and u.bounced_at is None]
    wants_head = escalate or not people
    if wants_head and mission.representative_email and mission.representative_bounced_at is None:
        people.append(None)
    return people


def address_of(person: User | None, mission: Mission) -> str:
    return person.email if person is not None else mission.representative_email or ""


def queue_for(submission: Submission, kind: str, key_prefix: str, *, escalate: bool = False,
              at: datetime | None = None, only: list[User | None] | None = None, fallback_for=None,
              **extra) -> int:
    """Queue one message of `kind` to each recipient of the submission's mission, in one INSERT;
    how many were new (inside the sweep's batch, which writes them, 0)."""
    mission, call = submission.mission, submission.call
    with outbox.batch() as gathered:
        for person in (only if only is not None else recipients(mission, escalate=escalate)):
            language = language_of(person, mission)
            values = values_for(submission, person, language, link=portal_link(person, call), at=at, **extra)
            subject, text = compose(call, kind, language, values)
            address = address_of(person, mission)
            outbox.queue(
                key=f"{key_prefix}:{address}", kind=kind, recipient=address, subject=subject, text=text,
                html=html_from_text(text, subject, language), language=language, call=call, mission=mission,
                submission=submission, fallback_for=fallback_for)
    return gathered.inserted


def invite(call: Call, actor=None, *, missions: list[Mission] | None = None) -> int:
    """Invite the focal points of the addressed missions (or only of `missions`), each person once
    per call; audited when someone asked for it. Returns how many invitations were queued."""
    queued = sum(queue_for(submission, "invitation", f"invitation:{call.id}:{submission.mission_id}")
                 for submission in call.submissions
                 if submission.withdrawn_at is None and (missions is None or submission.mission in missions))
    if actor is not None:
        audit.record("invitations_sent", actor, call=call, detail={"queued": queued})
    return queued


def reply_to(message) -> str | None:
    """Replies to a call's mail go to the call's contact at the secretariat, not to Missiva. A
    call's contact is read once per task (a batch of mail is mostly one call's)."""
    contacts = g.setdefault("missiva_contacts", {})
    if message.call_id not in contacts:
        contacts[message.call_id] = db.session.scalar(db.select(Call.contact).where(Call.id == message.call_id)) \
            if message.call_id else None
    contact = contacts[message.call_id]
    contact = contact if isinstance(contact, dict) else {}
    if not contact.get("email"):
        return None
    return formataddr((contact.get("name") or "", contact["email"]))


def attachments(message) -> list[tuple[str, str, bytes]]:
    """What travels with a message: a receipt carries its acknowledgement as PDF, drawn when it is
    sent, in the recipient's language. (file name, content type, bytes)."""
    if message.kind != "receipt" or message.submission_id is None:
        return []
    from . import receipts

    submission = db.session.get(Submission, message.submission_id)
    number = message.key.split(":")[2]  # receipt:<submission>:<version>:<address>
    if submission is None:
        return []
    version = next((v for v in submission.versions if str(v.number) == number), None)
    if version is None:
        return []
    return [(receipts.file_name(version, "pdf"), "application/pdf",
             receipts.pdf(submission, version, message.language))]


def list_headers(message) -> dict[str, str]:
    """A digest carries its one-click way out (RFC 2369 and RFC 8058)."""
    if message.kind != "digest":
        return {}
    person = db.session.scalar(db.select(User).where(User.email == message.recipient))
    if person is None:
        return {}
    return {"List-Unsubscribe": f"<{profiles.unsubscribe_url(person)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"Missiva digest <digest.{urlsplit(current_app.config['BASE_URL']).hostname or 'missiva'}>"}


def test_invitation(call: Call, mission: Mission, language: str, actor: User):
    """The invitation `mission` would receive, in `language`, sent to the officer who asks (its
    link goes to the portal's call page, not to a sign-in link); audited."""
    # Not addressed: the invitation as it would be if it were.
    submission: Any = next((s for s in call.submissions if s.mission_id == mission.id), None) or SimpleNamespace(
        call=call, mission=mission, deadline=call.deadline)
    values = values_for(submission, None, language, link=portal_link(None, call),
                        recipient_name=actor.name or actor.email)
    subject, text = compose(call, "invitation", language, values)
    with force_locale(language):
        subject = gettext("[Test] %(subject)s", subject=subject)
    audit.record("test_invitation_sent", actor, call=call, detail={"state": mission.code, "language": language})
    return outbox.queue(key=f"test-invitation:{call.id}:{actor.id}:{clock.now().isoformat()}", kind="invitation",
                        recipient=actor.email, subject=subject, text=text,
                        html=html_from_text(text, subject, language), language=language, call=call)


def remind_now(call: Call, submission_ids: list[int], actor) -> tuple[int, int]:
    """An ad-hoc reminder from the secretariat to the chosen missions of the call, through the
    same outbox; audited. Returns (missions reminded, messages queued)."""
    chosen = [s for s in call.submissions if s.id in set(submission_ids) and s.withdrawn_at is None]
    if not chosen:
        return 0, 0
    event = audit.record("reminder_sent_now", actor, call=call,
                         detail={"missions": sorted(s.mission.code for s in chosen)})
    db.session.flush()
    return len(chosen), sum(queue_for(s, "reminder", f"adhoc:{call.id}:{s.mission_id}:{event.id}") for s in chosen)


def fall_back(message) -> int:
    """A permanently refused address: mark it bounced and send the same message to the next
    contact of the mission who has not had it yet."""
    mission = db.session.get(Mission, message.mission_id) if message.mission_id else None
    submission = db.session.get(Submission, message.submission_id) if message.submission_id else None
    if mission is None or submission is None or message.kind not in ("invitation", "reminder"):
        return 0
    at = clock.now()
    person = db.session.scalar(db.select(User).filter_by(email=message.recipient))
    if person is not None:
        person.bounced_at = at
    elif message.recipient == mission.representative_email:
        mission.representative_bounced_at = at
    base_key = message.key.rsplit(":", 1)[0]
    already = outbox.existing_keys(base_key + ":")
    candidates = [p for p in recipients(mission, escalate=True)
                  if f"{base_key}:{address_of(p, mission)}" not in already]
    return queue_for(submission, message.kind, base_key, only=candidates[:1], fallback_for=message)


def _personal(person: User, key: str, kind: str, subject: str, text: str, language: str) -> bool:
    return outbox.queue(key=key, kind=kind, recipient=person.email, subject=subject, text=text,
                        html=html_from_text(text, subject, language), language=language) is not None


def _language(person: User) -> str:
    return person.locale or (person.mission.language if person.mission else "en")


def sign_in_link(person: User) -> bool:
    """A sign-in link on request; at most one per person every few minutes (by its key)."""
    at = clock.now()
    language = _language(person)
    with force_locale(language):
        subject = gettext("Your sign-in link for Missiva")
        text = gettext("Dear %(name)s,\n\nUse this link to sign in to Missiva. It works once and "
                       "expires in %(days)s days:\n%(link)s\n\nIf you did not ask for it, ignore this "
                       "message.", name=person.name, days=current_app.config["INVITATION_MAX_AGE_DAYS"],
                       link=invitations.link_for(person))
    window = at.replace(minute=at.minute - at.minute % 5, second=0, microsecond=0)
    return _personal(person, f"sign-in:{person.id}:{person.login_nonce}:{window:%Y%m%d%H%M}", "sign_in",
                     subject, text, language)


def welcome(person: User, inviter: User | None) -> bool:
    """Tell someone just added to the directory (or brought back) that they can sign in, and how."""
    from .receipts import secretariat_name

    language = _language(person)
    with force_locale(language):
        where = (gettext("for the %(mission)s", mission=mission_name(person.mission, language))
                 if person.mission else gettext("as a member of the secretariat"))
        subject = gettext("You have been given access to Missiva")
        text = gettext("Dear %(name)s,\n\nYou now have access to Missiva %(where)s: the portal where calls are "
                       "sent to member states and answered. %(by)s\n\nUse this link to sign in. It works once "
                       "and expires in %(days)s days:\n%(link)s\n\nLater, ask for a new link on the sign-in "
                       "page with your address, %(email)s.\n\n%(secretariat)s",
                       name=person.name, where=where,
                       by=gettext("%(inviter)s added you.", inviter=inviter.name) if inviter else "",
                       days=current_app.config["INVITATION_MAX_AGE_DAYS"], link=invitations.link_for(person),
                       email=person.email, secretariat=secretariat_name(language))
    text = re.sub(r" +\n", "\n", text)
    return _personal(person, f"welcome:{person.id}:{person.login_nonce}:{clock.now():%Y%m%d%H%M%S}", "welcome",
                     subject, text, language)


def report_ready(report) -> int:
    """Tell the heads of the secretariat that a report compiled on schedule is ready."""
    heads = db.session.scalars(db.select(User).where(User.role == "admin", User.active.is_(True))).all()
    link = links.absolute(f"/secretariat/reports/{report.id}")
    queued = 0
    for person in heads:
        language = person.locale or "en"
        with force_locale(language):
            subject = gettext("Consolidated report ready: %(reference)s", reference=report.call.reference)
            text = gettext("The consolidated report of %(title)s (%(reference)s) has been compiled.\n\n"
                           "Read it and download it (DOCX, XLSX, CSV) here:\n%(link)s",
                           title=report.call.title_in(language), reference=report.call.reference, link=link)
        queued += outbox.queue(key=f"report:{report.id}:{person.email}", kind="report", recipient=person.email,
                               subject=subject, text=text, html=html_from_text(text, subject, language),
                               language=language, call=report.call) is not None
    return queued


@transitioned.connect
def _on_transition(submission: Submission, action: Action, event, **_):
    """Receipts, return notices and acceptances follow the state change, in its transaction."""
    if action is Action.SUBMIT:
        number = len(submission.versions) + 1  # the version this submission is about to create
        queue_for(submission, "receipt", f"receipt:{submission.id}:{number}",
                  receipt_number=receipt_number(submission, number))
    elif action is Action.RETURN:
        queue_for(submission, "returned", f"returned:{submission.id}:{submission.lock_version}",
                  comment=submission.return_comment or "")
    elif action is Action.ACCEPT:
        latest = submission.latest_version
        queue_for(submission, "accepted", f"accepted:{submission.id}:{latest.number if latest else 0}",
                  receipt_number=latest.receipt_number if latest else "")
