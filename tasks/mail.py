"""Delivering the outbox through Flask-Mail, recording what the SMTP server answered."""
from __future__ import annotations

import smtplib
import time
from email import policy

from celery import shared_task
from flask import current_app
from flask_mail import Message, sanitize_address

from workflow import jobs, notifications, outbox
from workflow.db import commit_keeping, db, reading


class TemporaryFailure(Exception):
    """Worth trying again later: 4xx answers, connection trouble."""


class PermanentFailure(Exception):
    """The server refused for good (5xx): the address bounces."""


def _raise_for(code: int, text) -> None:
    detail = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    raise (TemporaryFailure if 400 <= code < 500 else PermanentFailure)(detail)


class _Connection:
    """One SMTP connection per worker process, kept open between messages (a new connection per
    message costs a TCP handshake and EHLO each time). Dropped after any trouble, and renewed
    when it has been idle longer than servers usually keep one."""

    IDLE = 30.0

    def __init__(self):
        self.current = None
        self.server: tuple = ()
        self.used = 0.0

    def host(self, mail):
        server = (mail.server, mail.port, mail.username, mail.use_tls, mail.use_ssl, mail.suppress)
        if self.current is not None and (time.monotonic() - self.used > self.IDLE or server != self.server):
            self.drop()
        if self.current is None:
            connection = mail.connect()
            connection.__enter__()
            self.current, self.server = connection, server
        self.used = time.monotonic()
        return self.current.host

    def drop(self) -> None:
        connection, self.current = self.current, None
        if connection is not None and connection.host is not None:
            try:
                connection.host.quit()
            except (OSError, smtplib.SMTPException):
                connection.host.close()


_connection = _Connection()


class _Stale(Exception):
    """The kept connection was closed by the server before this message began: nothing was sent."""


def _transaction(host, sender: str, envelope) -> str:
    try:
        host.ehlo_or_helo_if_needed()
        code, text = host.mail(sender)
    except smtplib.SMTPServerDisconnected as exc:
        raise _Stale() from exc
    if code != 250:
        host.rset()
        _raise_for(code, text)
    refused = {}
    for address in envelope.send_to:
        code, text = host.rcpt(sanitize_address(address))
        if code not in (250, 251):
            refused[address] = (code, text)
    if len(refused) == len(envelope.send_to):
        host.rset()
        _raise_for(*next(iter(refused.values())))
    code, text = host.data(envelope.as_bytes())
    if code != 250:
        _raise_for(code, text)
    return f"{code} {text.decode(errors='replace')}"


# Flask-Mail encodes and folds every header as it sets it (an encoded subject in lines of 76),
# and builds the message under the email package's compat32 policy. It is written out under that
# same policy with the CRLF line ends SMTP wants, and no header folded again: folding an encoded
# subject once more started it on a line of its own, and readers saw it begin with a space.
# (Writing it under policy.SMTP parsed every header back through the header registry: two
# fifths of the time a message took to write.)
WIRE = policy.compat32.clone(linesep="\r\n", max_line_length=None)


class Envelope(Message):
    def as_bytes(self) -> bytes:
        return self._message().as_bytes(policy=WIRE)


def envelope_of(message) -> tuple[str, Message]:
    """The sender and the MIME message for one outbox row."""
    envelope = Envelope(
        subject=message.subject, recipients=[message.recipient], cc=list(message.cc or []),
        body=message.body_text, html=message.body_html, reply_to=notifications.reply_to(message),
        extra_headers={"X-Missiva-Key": message.key, "Auto-Submitted": "auto-generated",
                       **notifications.list_headers(message)},
    )
    for name, content_type, data in notifications.attachments(message):
        envelope.attach(name, content_type, data)
    return sanitize_address(envelope.sender or current_app.config["MAIL_DEFAULT_SENDER"]), envelope


def send(sender: str, envelope: Message) -> str:
    """Send one message on the worker's connection; returns the server's answer to DATA (e.g.
    '250 queued as ...')."""
    mail = current_app.extensions["mail"]
    for fresh in (False, True):
        try:
            host = _connection.host(mail)
            if host is None:
                raise TemporaryFailure("sending is suppressed (MAIL_SUPPRESS_SEND)")
            return _transaction(host, sender, envelope)
        except _Stale as exc:
            _connection.drop()  # closed before this message began: once more, on a new connection
            if fresh:
                raise TemporaryFailure("the SMTP server closed the connection") from exc
        except (TemporaryFailure, PermanentFailure):
            _connection.drop()
            raise
        except smtplib.SMTPResponseException as exc:
            _connection.drop()
            _raise_for(exc.smtp_code, exc.smtp_error)
        except (OSError, smtplib.SMTPException) as exc:
            _connection.drop()
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
    raise TemporaryFailure("no SMTP connection")


def _deliver(message_id: int, *, settle: bool = True) -> str:
    """Claim, send and record one message. With settle=False a delivered message's outcome is
    committed with the next claim (or the batch's end) instead of on its own."""
    message = outbox.claim(message_id)
    if message is None:
        return "skipped"
    with reading():  # no transaction, and so no lock, is held during the SMTP exchange
        sender, envelope = envelope_of(message)
        commit_keeping()
    try:
        answer = send(sender, envelope)
    except TemporaryFailure as exc:
        delay = outbox.mark_retry(message, str(exc), base=current_app.config["OUTBOX_RETRY_SECONDS"])
        if delay is not None:
            jobs.hand_over("mail", message.id, delay)
        return "retry" if delay is not None else "failed"
    except PermanentFailure as exc:
        outbox.mark_failed(message, str(exc))
        notifications.fall_back(message)
        db.session.commit()
        return "failed"
    outbox.mark_sent(message, answer, commit=settle)
    return "sent"


@shared_task(name="missiva.deliver_mail", ignore_result=True)
def deliver_mail(message_id: int) -> str:
    return _deliver(message_id)


@shared_task(name="missiva.deliver_mail_batch", ignore_result=True)
def deliver_mail_batch(message_ids: list[int]) -> dict:
    """Several messages one after the other on the worker's connection. Each is claimed on its
    own, as `deliver_mail` does, so a batch run twice sends nothing twice; a message's outcome
    is committed with the next one's claim, so a batch costs one transaction per message and
    the worker is never sending more than one at a time."""
    outcomes: dict[str, int] = {}
    try:
        for message_id in message_ids:
            outcome = _deliver(message_id, settle=False)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        db.session.commit()
    return outcomes


BATCH_SIZE = 20  # messages a task, at least
MAX_TASKS = 64  # tasks a hand-over, at most: a burst of 10,000 reminders is 64 tasks, not 500


def enqueue(message_id: int, countdown: float = 0) -> None:
    deliver_mail.apply_async((message_id,), countdown=countdown or None, retry=False)


def enqueue_many(message_ids: list[int]) -> None:
    """A transaction's new mail in batches of BATCH_SIZE messages, or more when there are over
    MAX_TASKS batches: a burst of reminders is a few dozen hand-overs rather than thousands, still
    enough for every worker process to take its share."""
    size = max(BATCH_SIZE, -(-len(message_ids) // MAX_TASKS))
    for start in range(0, len(message_ids), size):
        deliver_mail_batch.apply_async((message_ids[start:start + size],), retry=False)
