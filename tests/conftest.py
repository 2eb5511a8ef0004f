"""Fixtures: an app on a fresh database (SQLite, and PostgreSQL in a schema of its own), a
client that signs in like a browser (CSRF stays on), and small factories for the domain.
"""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from views.security import limiter
from workflow import clock
from workflow.db import db

POSTGRES = os.environ.get("MISSIVA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASES = os.environ.get("MISSIVA_TEST_DATABASES", "sqlite,postgresql").split(",")
ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_generate_tests(metafunc):
    if "database" in metafunc.fixturenames:
        # The browser tests exercise the pages, not the database: SQLite is enough for them.
        databases = DATABASES[:1] if metafunc.definition.get_closest_marker("browser") else DATABASES
        if metafunc.definition.get_closest_marker("sqlite_only"):
            databases = ["sqlite"]
        metafunc.parametrize("database", databases, indirect=True, scope="function")


@pytest.fixture
def database(request):
    return request.param


@pytest.fixture
def database_config(database, tmp_path):
    if database == "sqlite":
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missiva.sqlite'}"}
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield {"SQLALCHEMY_DATABASE_URI": POSTGRES,
           "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}}}
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def app(database_config, tmp_path, monkeypatch):
    app = create_app({
        "TESTING": True,
        "MAIL_SUPPRESS_SEND": False,  # mail goes to a real SMTP server in these tests
        "MAIL_PORT": 9,  # nothing listens here unless a test starts its SMTP server
        "SECRET_KEY": "test-secret",
        "BASE_URL": "http://missiva.example",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; production uses scrypt
        "BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}",
        **database_config,
    })
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        limiter.reset()  # sign-in counts from earlier tests' clients do not carry over
        yield app
        db.session.remove()
        db.engine.dispose()
    clock.set_now(None)


class Client:
    """A test client that behaves like a browser: it reads the CSRF token from the page.

    Each request runs in an application context of its own (as it would in a server), so nothing
    cached in `g` or in the test's database session leaks into it; afterwards the test's session
    is expired so it reads what the request wrote.
    """

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()
        self.token = None

    def _send(self, method, url, **kw):
        db.session.commit()  # what the test set up is visible to the request, and no lock is held
        with self.app.app_context():
            response = getattr(self.http, method)(url, **kw)
        db.session.expire_all()
        if response.mimetype == "text/html":
            match = CSRF.search(response.get_data(as_text=True))
            if match:
                self.token = match.group(1)
        return response

    def get(self, url, **kw):
        return self._send("get", url, **kw)

    def post(self, url, data=None, *, token=True, **kw):
        data = dict(data or {})
        if token:
            if self.token is None:
                self.get("/login")
            data.setdefault("csrf_token", self.token)
        return self._send("post", url, data=data, **kw)

    def post_body(self, url, body: bytes, content_type: str):
        """A request body made by hand (e.g. multipart headers no browser library writes)."""
        return self._send("post", url, data=body, content_type=content_type)

    def sign_in(self, email, password="secret-pass"):
        self.get("/login")
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return self


@pytest.fixture
def client(app):
    return Client(app)


@pytest.fixture
def make_client(app):
    return lambda: Client(app)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def smtp(app):
    from .smtp import SMTPServer

    with SMTPServer() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, OUTBOX_RETRY_SECONDS=0)
        app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", server.port
        yield server.recorder


def drain(limit: int = 1000) -> dict:
    """Deliver pending messages in this process (the worker's code, run eagerly): new ones at
    once, as their hand-over would, and retries when their back-off has passed."""
    from tasks.mail import deliver_mail
    from workflow.models import OutboxMessage

    outcome: dict = {}
    for _ in range(limit):
        ids = db.session.scalars(db.select(OutboxMessage.id).where(
            OutboxMessage.state == "pending",
            (OutboxMessage.attempts == 0) | (OutboxMessage.next_attempt_at <= clock.now()))).all()
        if not ids:
            break
        for message_id in ids:
            result = deliver_mail.run(message_id)
            outcome[result] = outcome.get(result, 0) + 1
    return outcome


# In CI a skipped browser or integration test is a failure: a machine without Chromium or Redis
# must not pass for one on which the pages and the pipeline were tested.
REQUIRED_IN_CI = ("browser", "integration")
_skipped_in_ci: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and os.environ.get("CI") and any(m in report.keywords for m in REQUIRED_IN_CI):
        _skipped_in_ci.append(f"{report.nodeid}: {report.longrepr[-1] if report.longrepr else ''}")


def pytest_sessionfinish(session, exitstatus):
    if _skipped_in_ci:
        print("\nCI: these tests were skipped, which CI counts as a failure:\n  " + "\n  ".join(_skipped_in_ci))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
