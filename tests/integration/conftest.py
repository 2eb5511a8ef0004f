"""A real stack for the integration suite: PostgreSQL (a schema per test), Redis, Celery workers
with beat started as processes, and an SMTP server on loopback. The test process runs the web app
in-process against the same database and broker."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis as redis_client

from app import create_app
from workflow.db import db
from workflow.models import OutboxMessage

from .. import factories
from ..conftest import Client
from ..smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("MISSIVA_TEST_REDIS", "redis://127.0.0.1:6379/7")


def wait_for(predicate, timeout=60.0, every=0.2, what="condition", explain=None):
    """`explain()`, where given, adds what was seen to the failure (a worker's log)."""
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}" + (f"\n{explain()}" if explain else ""))


def states() -> dict[str, int]:
    """How many outbox rows are in each state, read afresh."""
    db.session.rollback()
    rows = db.session.execute(db.select(OutboxMessage.state, db.func.count()).group_by(OutboxMessage.state))
    return dict(rows.all())


def settled(stack, broker: str | None = None, timeout: float = 60.0) -> None:
    """Wait until no task is left anywhere: none in the broker's queue, none active, reserved or
    scheduled (retries with a countdown) in any worker, and no outbox row pending or being sent
    but the interrupted ones. After this, nothing more can arrive at the SMTP server."""
    control = stack["app"].extensions["celery"].control
    queue = redis_client.Redis.from_url(broker or stack["broker"])

    def idle():
        if queue.llen(stack["queue"]):
            return False
        inspect = control.inspect(timeout=1.0)
        for answer in (inspect.active(), inspect.reserved(), inspect.scheduled()):
            if answer is None or any(answer.values()):
                return False
        now = states()
        return not now.get("pending")

    wait_for(idle, timeout=timeout, every=0.5, what="the workers to have nothing left to do")


def submit_through_http(app, email, call):
    client = Client(app).sign_in(email)
    client.get(f"/portal/calls/{call.id}")
    response = client.post(f"/portal/calls/{call.id}", factories.answer_form(action="submit"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


class Worker:
    """`celery worker --beat` in its own process group, logging to a file."""

    def __init__(self, env: dict, log: Path, concurrency: int = 2):
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tasks.worker", "worker", "--beat", "--loglevel", "INFO",
             "--concurrency", str(concurrency), "-Q", env["queue"], "--without-gossip", "--without-mingle",
             "--schedule", str(log.with_suffix(".schedule")), "-n", f"w{uuid.uuid4().hex[:6]}@%h"],
            cwd=ROOT, env=env["environ"], stdout=log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: b"ready." in log.read_bytes() or self.process.poll() is not None,
                 what="the worker to be ready")
        assert self.process.poll() is None, log.read_text()[-3000:]

    def kill(self):
        """SIGKILL the whole worker: main process and its pool, as a crash would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def broker_url():
    return REDIS


@pytest.fixture
def stack(tmp_path, broker_url):
    """Everything but the workers, which tests start (and kill) themselves."""
    import sqlalchemy as sa

    from ..conftest import POSTGRES

    try:
        redis_client.Redis.from_url(REDIS).ping()
    except redis_client.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    broker = broker_url
    schema = f"i_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    queue = f"missiva-test-{uuid.uuid4().hex[:8]}"
    smtp = SMTPServer().__enter__()
    settings = {
        "SECRET_KEY": "integration-secret",
        "BASE_URL": "http://missiva.example",
        "DATABASE_URL": POSTGRES,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}, "pool_pre_ping": True},
        "BROKER_URL": broker,
        "CELERY": {"task_default_queue": queue, "broker_connection_retry": True,
                   **({"broker_transport_options": {"visibility_timeout": 3600, "socket_connect_timeout": 2}}
                      if broker.startswith("redis") else {})},
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_SUPPRESS_SEND": False,
        "OUTBOX_RETRY_SECONDS": 0.5,
        "REQUEUE_INTERVAL_SECONDS": 1,
        "REQUEUE_GRACE_SECONDS": 2,
        "SWEEP_INTERVAL_SECONDS": 3600,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "REPORT_FOLDER": str(tmp_path / "reports"),
    }
    environ = {**os.environ, "MISSIVA_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPATH": str(ROOT)}
    for key, value in settings.items():
        environ[f"MISSIVA_{key}"] = value if isinstance(value, str) else json.dumps(value)
    app = create_app({**settings, "TESTING": True})
    workers: list[Worker] = []

    def start_worker(concurrency=2, extra_env=None):
        """A worker with beat; `extra_env` adds to (or, for MISSIVA_CELERY, merges into) its environment."""
        environ_here = dict(environ)
        for key, value in (extra_env or {}).items():
            if key == "MISSIVA_CELERY":
                value = json.dumps({**json.loads(environ["MISSIVA_CELERY"]), **value})
            environ_here[key] = value
        worker = Worker({"environ": environ_here, "queue": queue}, tmp_path / f"worker{len(workers)}.log", concurrency)
        workers.append(worker)
        return worker

    def worker_logs(lines=60):
        """The end of each worker's log, for a failure to show what the workers did."""
        return "\n".join(f"--- {w.log.name}\n" + "\n".join(w.log.read_text(errors="replace").splitlines()[-lines:])
                         for w in workers)

    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=str(ROOT / "migrations"))
        yield {"app": app, "smtp": smtp.recorder, "start_worker": start_worker, "tmp": tmp_path,
               "queue": queue, "broker": broker, "worker_logs": worker_logs}
        for worker in workers:
            worker.stop()
        db.session.remove()
        db.engine.dispose()
    smtp.__exit__(None, None, None)
    redis_client.Redis.from_url(broker).delete(queue) if broker.startswith("redis") else None
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
