"""A real SMTP server on loopback (aiosmtpd) that records what it receives, and can be told to
defer (451) for a while or refuse (550) some addresses."""
from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    def __init__(self):
        self.messages = []
        self.peers: list = []
        self.refuse: set[str] = set()
        self.defer_until = 0.0
        self.defer_next = 0  # answer 451 to this many messages, whenever they come
        self.deferred = 0
        self.delay = 0.0
        self.during_data = None  # called while a message is being received (the sender waits)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            defer = time.time() < self.defer_until or self.defer_next > 0
            if defer:
                self.defer_next = max(0, self.defer_next - 1)
                self.deferred += 1
        if defer:
            return "451 4.3.0 Try again later"
        if self.during_data:
            self.during_data()
        if self.delay:
            time.sleep(self.delay)  # a slow relay: blocks this server, as a slow one would
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((message["X-Missiva-Key"], tuple(envelope.rcpt_tos), message))
            self.peers.append(session.peer)  # which connection brought it
        return f"250 2.0.0 Ok: queued as M{len(self.messages)}"

    def keys(self) -> Counter:
        with self.lock:
            return Counter(key for key, _, _ in self.messages)

    def to(self, address: str) -> list:
        with self.lock:
            return [m for _, rcpt, m in self.messages if address in rcpt]


class SMTPServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.recorder = Recorder()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
