"""Redis stopped while missions submit: no submission is lost, and mail catches up when it
returns. A Redis of our own, so stopping it disturbs nothing else."""
from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis

from workflow.calls import address
from workflow.db import db

from .. import factories
from ..smtp import free_port
from .conftest import settled, states, submit_through_http, wait_for

pytestmark = pytest.mark.integration


class PrivateRedis:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.command = [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)

        def answers():
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        wait_for(answers, timeout=10, every=0.05, what="the private Redis")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def broker_url(private_redis):
    return f"redis://127.0.0.1:{private_redis.port}/0"


def test_redis_stopped_while_missions_submit(stack, private_redis):
    smtp, app = stack["smtp"], stack["app"]
    w = factories.world()
    call = w["call"]
    for code in ("CL", "CO"):
        factories.user(f"focal@{code.lower()}.example", mission=factories.mission(code))
    address(call, ["CL", "CO"])
    db.session.commit()
    stack["start_worker"]()
    submit_through_http(app, "focal@ar.example", call)
    wait_for(lambda: len(smtp.messages) == 2, what="receipts while Redis is up")

    private_redis.stop()
    started = time.time()
    for email in ("focal@br.example", "focal@cl.example", "focal@co.example"):
        submit_through_http(app, email, call)  # no 500: the answer is stored, its mail waits
    during = time.time() - started
    db.session.rollback()
    assert sum(1 for s in call.submissions if s.state == "submitted") == 4
    assert states().get("pending", 0) == 3

    private_redis.start()
    wait_for(lambda: len(smtp.messages) == 5, timeout=90, what="mail to catch up after Redis returns",
             explain=stack["worker_logs"])
    settled(stack)
    print(f"\nRedis down: 3 submissions stored in {during:.2f} s; their 3 receipts delivered after "
          f"Redis returned; duplicates {sum(n - 1 for n in smtp.keys().values())}")
    assert max(smtp.keys().values()) == 1
