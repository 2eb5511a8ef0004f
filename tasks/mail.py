"""Delivering the outbox through Flask-Mail, recording what the SMTP server answered."""
from __future__ import annotations

import smtplib

from celery import shared_task
from flask import current_app
from flask_mail import Message, sanitize_address

from workflow import jobs, notifications, outbox
from workflow.db import db


class TemporaryFailure(Exception):
    """Worth trying again later: 4xx answers, connection trouble."""


class PermanentFailure(Exception):
    """The server refused for good (5xx): the address bounces."""


def _raise_for(code: int, text) -> None:
    detail = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    raise (TemporaryFailure if 400 <= code < 500 else PermanentFailure)(detail)


def send(message) -> str:
    """Send one outbox row; returns the server's answer to DATA (e.g. '250 queued as ...')."""
    mail = current_app.extensions["mail"]
    envelope = Message(
        subject=message.subject, recipients=[message.recipient], cc=list(message.cc or []),
        body=message.body_text, html=message.body_html, reply_to=notifications.reply_to(message),
        extra_headers={"X-Missiva-Key": message.key, "Auto-Submitted": "auto-generated",
                       **notifications.list_headers(message)},
    )
    for name, content_type, data in notifications.attachments(message):
        envelope.attach(name, content_type, data)
    sender = sanitize_address(envelope.sender or current_app.config["MAIL_DEFAULT_SENDER"])
    try:
        with mail.connect() as connection:
            host = connection.host
            if host is None:
                raise TemporaryFailure("sending is suppressed (MAIL_SUPPRESS_SEND)")
            host.ehlo_or_helo_if_needed()
            code, text = host.mail(sender)
            if code != 250:
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
    except (TemporaryFailure, PermanentFailure):
        raise
    except smtplib.SMTPResponseException as exc:
        _raise_for(exc.smtp_code, exc.smtp_error)
    except (OSError, smtplib.SMTPException) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
    return f"{code} {text.decode(errors='replace')}"


@shared_task(name="missiva.deliver_mail", ignore_result=True)
def deliver_mail(message_id: int) -> str:
    message = outbox.claim(message_id)
    if message is None:
        return "skipped"
    try:
        answer = send(message)
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
    outbox.mark_sent(message, answer)
    return "sent"


def enqueue(message_id: int, countdown: float = 0) -> None:
    deliver_mail.apply_async((message_id,), countdown=countdown or None, retry=False)
