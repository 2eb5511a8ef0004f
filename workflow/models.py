"""Tables of the domain. Behaviour lives beside them (states.py, submissions.py, calls.py)."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from . import clock
from .db import Model
from .kinds import MISSION_ROLES, ROLES, SECRETARIAT, CallStatus, MailState, ReportState, State, values
from .text import clean

LANGUAGES = ("en", "es", "fr", "pt")


def localized(value, locale: str, fallback: str | None = None) -> str:
    """A text given either as a plain string or as {language: text}: in `locale` where given,
    else in `fallback`, else in its first language (a call's texts start with the call's own)."""
    if isinstance(value, dict):
        return value.get(locale) or (value.get(fallback) if fallback else "") or next(iter(value.values()), "")
    return value or ""


def receipt_number(submission, version_number: int) -> str:
    """The numbered acknowledgement of receipt: call reference, member state, version."""
    return f"{submission.call.reference} · {submission.mission.code} · {version_number}"


class MemberState(Model):
    code: Mapped[str] = mapped_column(String(2), primary_key=True)  # ISO 3166-1 alpha-2
    names: Mapped[dict] = mapped_column(JSON)  # {"en": "Argentina", "es": "Argentina", ...}
    # How each language says "of" this state, article included: {"pt": "do Brasil", "fr": "du Brésil"}
    of_names: Mapped[dict | None] = mapped_column(JSON)
    # False once the state is no longer in the membership: new calls leave it out, its history stays.
    member: Mapped[bool] = mapped_column(default=True, server_default=true())

    def name(self, locale: str = "en") -> str:
        return self.named(self.names, self.code, locale)

    @staticmethod
    def named(names: dict | None, code: str, locale: str = "en") -> str:
        """A state's name in `locale` (else in English, else its code), from its `names` as read."""
        return localized(names, locale, "en") or code

    def of(self, locale: str = "en") -> str:
        """"of Brazil", "do Brasil", "du Brésil", "d'Haïti": what a sentence needs to name its answer."""
        from .state_names import of_phrase

        return (self.of_names or {}).get(locale) or of_phrase(self.name(locale), locale)


class Mission(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    member_state_code: Mapped[str] = mapped_column(ForeignKey("member_state.code"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    # The Permanent Representative: reminders escalate to them.
    representative_name: Mapped[str | None] = mapped_column(String(200))
    representative_email: Mapped[str | None] = mapped_column(String(254))
    representative_bounced_at: Mapped[datetime | None] = mapped_column()
    postal_address: Mapped[str | None] = mapped_column(Text)
    mailbox: Mapped[str | None] = mapped_column(String(254))  # the mission's general address

    member_state: Mapped[MemberState] = relationship(lazy="joined")
    focal_points: Mapped[list[User]] = relationship(back_populates="mission", order_by="User.id")

    @property
    def code(self) -> str:
        return self.member_state_code


class User(UserMixin, Model):
    __table_args__ = (
        CheckConstraint(f"role IN {tuple(ROLES)!r}", name="role_known"),
        CheckConstraint("role != 'focal_point' OR mission_id IS NOT NULL", name="focal_point_has_mission"),
        CheckConstraint(f"mission_role IS NULL OR mission_role IN {tuple(MISSION_ROLES)!r}", name="mission_role_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("mission.id"), index=True)
    # In a mission: the lead focal point (manages the mission's people), a focal point, an alternate.
    mission_role: Mapped[str | None] = mapped_column(String(12))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    locale: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    # Changes when the password changes or the person is deactivated: every link issued before
    # then stops working.
    login_nonce: Mapped[int] = mapped_column(default=0)
    bounced_at: Mapped[datetime | None] = mapped_column()  # mail to this address was refused
    digest: Mapped[str] = mapped_column(String(10), default="none")  # none, daily, weekly
    # Secretariat staff: the calls their digest covers (all, or the ids in followed_calls).
    follows_all: Mapped[bool] = mapped_column(default=True, server_default=true())
    followed_calls: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    mission: Mapped[Mission | None] = relationship(back_populates="focal_points")
    # The token of the session this object was loaded for (set by workflow/accounts.py).
    __allow_unmapped__ = True
    session_token: str | None = None

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str | None:
        """What Flask-Login keeps in the session cookie: the session's token, not the user id."""
        return self.session_token

    @property
    def is_secretariat(self) -> bool:
        return self.role in SECRETARIAT

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_lead(self) -> bool:
        return self.role == "focal_point" and self.mission_role == "lead"

    def set_password(self, password: str) -> None:
        """Use workflow.accounts.set_password, which also signs the person out everywhere."""
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(clean(password), method=method)

    def check_password(self, password: str) -> bool:
        stored = self.password_hash
        return bool(stored) and check_password_hash(stored or "", clean(password))

    @property
    def zone(self) -> str:
        return self.timezone or (self.mission.timezone if self.mission else "UTC")


class SignInSession(Model):
    """A signed-in browser. The cookie carries a random token, this row its SHA-256: signing out,
    a new password or deactivation revokes the row, and a copied cookie opens nothing after it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship(lazy="joined")


class UsedSignInLink(Model):
    """A sign-in link that has been used (by the SHA-256 of its token): each link works once, and
    using one leaves every other link of the same person as good as it was."""

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    used_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)


# A call's `next_sweep_at` when the sweep should look at it as soon as it runs (a new call, or
# one whose deadline, schedule or addressees have changed).
SWEEP_NOW = datetime(2000, 1, 1)


class Call(Model):
    __table_args__ = (
        CheckConstraint(f"status IN {values(CallStatus)!r}", name="status_known"),
        Index("ix_call_status_next_sweep", "status", "next_sweep_at"),  # the sweep's one probe
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    reference: Mapped[str] = mapped_column(String(120))
    # The consolidated report's own document symbol ("CIBER-V/doc.4/07"); None: it cites the call's reference.
    report_symbol: Mapped[str | None] = mapped_column(String(120))
    title: Mapped[dict] = mapped_column(JSON)  # {language: text}
    language: Mapped[str] = mapped_column(String(5), default="en")
    meeting: Mapped[dict] = mapped_column(JSON, default=dict)  # name, starts, ends, venue
    explanatory_note: Mapped[dict] = mapped_column(JSON, default=dict)
    contact: Mapped[dict] = mapped_column(JSON, default=dict)
    deadline: Mapped[datetime] = mapped_column()  # naive UTC
    timezone: Mapped[str] = mapped_column(String(64))
    accept_late: Mapped[bool] = mapped_column(default=True)
    allow_amendments: Mapped[bool] = mapped_column(default=True)
    close_at_deadline: Mapped[bool] = mapped_column(default=False)
    reminders: Mapped[dict] = mapped_column(JSON, default=dict)
    sections: Mapped[list] = mapped_column(JSON, default=list)
    # Sections (or items of a section) an edit took off while answers held them: the report
    # still shows what the answers it uses say about them.
    former_sections: Mapped[list | None] = mapped_column(JSON)
    # {kind: {language: {"subject": ..., "body": ...}}}: the secretariat's wording for this call
    mail_templates: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=CallStatus.OPEN.value)
    # What decides whether an answer is taken now (read again in the transaction that stores it).
    TAKING_ANSWERS = ("status", "deadline", "accept_late", "allow_amendments")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # Why the last deadline sweep could not process this call (None when it went through): the
    # other calls carry on, and the secretariat sees this on the board and in the digest.
    sweep_problem: Mapped[str | None] = mapped_column(Text)
    sweep_problem_at: Mapped[datetime | None] = mapped_column()
    # When the deadline sweep next has something to do for this call (a reminder slot comes, a
    # deadline passes): a sweep looks only at open calls whose moment has come.
    next_sweep_at: Mapped[datetime] = mapped_column(default=SWEEP_NOW, server_default="2000-01-01 00:00:00")

    submissions: Mapped[list[Submission]] = relationship(back_populates="call")

    def title_in(self, locale: str) -> str:
        return localized(self.title, locale, self.language)

    def speaks(self, locale: str) -> bool:
        """Whether the call is written in this language (else its pages show its own language)."""
        return locale == self.language or bool(isinstance(self.title, dict) and self.title.get(locale))

    def section(self, key: str) -> dict | None:
        return next((s for s in self.sections if s["key"] == key), None)

    def deadline_for(self, override: datetime | None) -> datetime:
        """A mission's deadline in this call: its own extension where it was given one (the sweep
        says the same in SQL: `coalesce(deadline_override, deadline)`)."""
        return override or self.deadline


class Submission(Model):
    """One per (call, mission): the mission's working answer and where it stands."""

    __table_args__ = (
        UniqueConstraint("call_id", "mission_id", name="one_per_mission"),
        CheckConstraint(f"state IN {values(State)!r}", name="state_known"),
        CheckConstraint(
            "state NOT IN ('submitted', 'accepted', 'returned') OR submitted_at IS NOT NULL",
            name="submitted_has_moment",
        ),
        Index("ix_submission_call_state", "call_id", "state"),
        Index("ix_submission_state_submitted", "state", "submitted_at", "id"),  # the review queue
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"))
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default=State.NOT_STARTED.value)
    late: Mapped[bool] = mapped_column(default=False)
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    # Optimistic locking: a save carries the version it was read at.
    lock_version: Mapped[int] = mapped_column(default=0)
    deadline_override: Mapped[datetime | None] = mapped_column()  # naive UTC, per-mission extension
    submitted_at: Mapped[datetime | None] = mapped_column()
    last_activity_at: Mapped[datetime | None] = mapped_column()
    return_comment: Mapped[str | None] = mapped_column(Text)
    # The call was withdrawn from this member state: its history stays, nobody is chased.
    withdrawn_at: Mapped[datetime | None] = mapped_column()

    call: Mapped[Call] = relationship(back_populates="submissions")
    mission: Mapped[Mission] = relationship(lazy="joined")
    versions: Mapped[list[SubmissionVersion]] = relationship(
        back_populates="submission", order_by="SubmissionVersion.number"
    )

    @property
    def deadline(self) -> datetime:
        return self.call.deadline_for(self.deadline_override)

    @property
    def ever_submitted(self) -> bool:
        """Whether the answer was ever submitted (a version frozen): submitting sets `submitted_at`
        and nothing clears it, so the versions need not be loaded to know."""
        return self.submitted_at is not None

    @property
    def latest_version(self) -> SubmissionVersion | None:
        return self.versions[-1] if self.versions else None

    def is_past_deadline(self, at: datetime | None = None) -> bool:
        return (at or clock.now()) > self.deadline


class SubmissionVersion(Model):
    """What the mission sent, frozen: an amendment adds a version and never edits one."""

    __table_args__ = (UniqueConstraint("submission_id", "number", name="number_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    number: Mapped[int] = mapped_column()
    content: Mapped[dict] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column()
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    late: Mapped[bool] = mapped_column(default=False)
    # portal, or how the secretariat received it when entering it on the mission's behalf
    provenance: Mapped[str] = mapped_column(String(20), default="portal")
    provenance_note: Mapped[str | None] = mapped_column(Text)  # its reference, e.g. the note verbale's number
    # When the secretariat received an answer it entered (the fax's date): this, not the moment of
    # entry, decides lateness. None for answers through the portal (submitted_at is when).
    received_at: Mapped[datetime | None] = mapped_column()
    original_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))  # the scanned original

    submission: Mapped[Submission] = relationship(back_populates="versions")
    submitted_by: Mapped[User | None] = relationship()
    original_document: Mapped[Document | None] = relationship()

    @property
    def received(self) -> datetime:
        """When the secretariat had the answer in hand."""
        return self.received_at or self.submitted_at

    @property
    def receipt_number(self) -> str:
        return receipt_number(self.submission, self.number)


class Document(Model):
    """An uploaded file. Never deleted while a version refers to it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    section_key: Mapped[str] = mapped_column(String(60))
    slot_key: Mapped[str] = mapped_column(String(60))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    submission: Mapped[Submission] = relationship()


class SubmissionNote(Model):
    """A secretariat member's internal note on a submission. Missions never see notes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    submission: Mapped[Submission] = relationship()
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=clock.now)
    text: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship()


class AuditEvent(Model):
    """Append-only trail: who did what, when and from where."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_label: Mapped[str] = mapped_column(String(254))  # email, or "system"
    action: Mapped[str] = mapped_column(String(40))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"), index=True)
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("mission.id"), index=True)  # the directory's history
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str | None] = mapped_column(String(12))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()
    submission: Mapped[Submission | None] = relationship()


class OutboxMessage(Model):
    """Every mail is first a row here (one per recipient), then delivered by a task.

    `key` makes a message unique: a reminder, a receipt or a digest is queued once, whatever
    runs twice. States: pending -> sending -> sent | failed; a row left in `sending` by a crash is
    shown to a human rather than sent again blindly.
    """

    __table_args__ = (
        CheckConstraint(f"state IN {values(MailState)!r}", name="state_known"),
        Index("ix_outbox_message_state_next", "state", "next_attempt_at"),
        Index("ix_outbox_message_call_mission_kind", "call_id", "mission_id", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(254))
    cc: Mapped[list] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5), default="en")
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"))
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("mission.id"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    fallback_for_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    state: Mapped[str] = mapped_column(String(10), default=MailState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    smtp_response: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=clock.now)
    claimed_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()

    mission: Mapped[Mission | None] = relationship()
    call: Mapped[Call | None] = relationship()


class Report(Model):
    """One compilation of a call's consolidated report: its data (built once) and the files
    rendered from it. Records when it was compiled and from which answers."""

    __table_args__ = (
        CheckConstraint(f"state IN {values(ReportState)!r}", name="state_known"),
        CheckConstraint("basis IN ('accepted', 'submitted')", name="basis_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    basis: Mapped[str] = mapped_column(String(10), default="accepted")  # or also submitted
    language: Mapped[str | None] = mapped_column(String(5))  # the report's; None: the call's
    state: Mapped[str] = mapped_column(String(10), default=ReportState.QUEUED.value)
    progress: Mapped[int] = mapped_column(default=0)
    automatic: Mapped[bool] = mapped_column(default=False)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)
    files: Mapped[dict] = mapped_column(JSON, default=dict)  # format -> stored file name

    call: Mapped[Call] = relationship()
    requested_by: Mapped[User | None] = relationship()


class ApiToken(Model):
    """A read-only token for secretariat integrations; only its SHA-256 is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked: Mapped[bool] = mapped_column(default=False)


class RosterExpert(Model):
    """An expert a mission has nominated, kept for the next call: matched by email, else by name
    and institution (normalised). Erasure empties the personal data and keeps the counts."""

    __table_args__ = (Index("ix_roster_expert_mission_email", "mission_id", "email"),
                      Index("ix_roster_expert_mission_key", "mission_id", "name_key"))
    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id"))
    name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    institution: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))  # lower case
    phone: Mapped[str | None] = mapped_column(String(60))
    name_key: Mapped[str | None] = mapped_column(String(420))  # normalised name | institution
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    erased_at: Mapped[datetime | None] = mapped_column()

    mission: Mapped[Mission] = relationship()
    nominations: Mapped[list[RosterNomination]] = relationship(back_populates="expert",
                                                               order_by="RosterNomination.id")


class RosterNomination(Model):
    """An expert's place in one call's answer (the latest version that named them)."""

    __table_args__ = (UniqueConstraint("expert_id", "call_id", name="once_per_call"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("roster_expert.id"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    role: Mapped[str | None] = mapped_column(String(30))
    funding: Mapped[str | None] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(default=clock.now)

    expert: Mapped[RosterExpert] = relationship(back_populates="nominations")
    call: Mapped[Call] = relationship()


class SiteSetting(Model):
    """A setting the head of the secretariat keeps in Missiva itself (e.g. digest defaults)."""

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict | None] = mapped_column(JSON)
