"""The embedded default's outgoing mail catcher: an SMTP server on loopback (aiosmtpd) that
keeps every message in a Maildir the secretariat can read in the app. Never used in production.
"""
from __future__ import annotations

import mailbox
import signal
import threading
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, folder: str | Path):
        self.box = mailbox.Maildir(str(folder), create=True)

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.SMTP)
        message["X-Missiva-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.box.add(message)
        return "250 Message accepted for delivery"


def serve(host: str, port: int, folder: str | Path) -> None:
    """Until SIGINT or SIGTERM."""
    controller = Controller(MaildirHandler(folder), hostname=host, port=port)
    controller.start()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        controller.stop()
