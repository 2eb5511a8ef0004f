"""Missiva: create_app() is the only way an application comes to exist."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, has_request_context, request
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from workflow import accounts, audit
from workflow.db import configure_sqlite, db
from workflow.i18n import lazy_gettext as _l

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
migrate = Migrate()

# Friendly environment names (MISSIVA_DATABASE_URL ...) for the Flask/Celery keys they set.
ALIASES = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
}


def _secret_key(instance: Path) -> str:
    """A stable key for the embedded default; production sets MISSIVA_SECRET_KEY."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def default_config(instance: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'missiva.sqlite'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BROKER_URL": f"sqla+sqlite:///{instance / 'broker.sqlite'}",
        "BASE_URL": "http://127.0.0.1:5000",
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "UPLOAD_MAX_MB": 20,
        "UPLOAD_QUOTA_MB": 100,  # all documents of one answer, its versions included
        "UPLOAD_ORPHAN_GRACE_SECONDS": 3600,  # an upload no answer refers to is removed after this
        "REPORT_FOLDER": str(instance / "reports"),
        "REPORT_AFTER_DEADLINE_HOURS": 24,
        # A whole request: above any document's own limit, so a file that is too large is refused
        # alone, next to its field, and the typed answer is still saved.
        "MAX_CONTENT_LENGTH": 250 * 1024 * 1024,
        "INVITATION_MAX_AGE_DAYS": 14,
        "PASSWORD_HASH_METHOD": "scrypt",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 8025,
        "MAIL_DEFAULT_SENDER": "Missiva <missiva@localhost>",
        "MAIL_SINK_FOLDER": str(instance / "mail-sink"),
        "MAIL_SINK_HOST": "127.0.0.1",
        "OUTBOX_RETRY_SECONDS": 60,
        "SWEEP_INTERVAL_SECONDS": 300,
        "REQUEUE_INTERVAL_SECONDS": 60,
        "REQUEUE_GRACE_SECONDS": 30,
        "DIGEST_HOUR_UTC": 7,
        "WEEKLY_DIGEST_DAY": 1,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": ["en", "es", "fr", "pt"],
        "WTF_CSRF_TIME_LIMIT": None,  # valid for the whole session: a long form must not expire
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "PROXY_FIX": 0,  # how many proxies in front set X-Forwarded-For (rate limits, audit)
    }


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("MISSIVA_INSTANCE_PATH") or None,
                instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(default_config(instance))
    app.config.from_prefixed_env("MISSIVA")
    for alias, key in ALIASES.items():
        if alias in app.config:
            app.config[key] = app.config[alias]
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    # Secure cookies unless the base URL is plain http (the embedded default on loopback).
    https = app.config["BASE_URL"].startswith("https://")
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = https

    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # A page that is only read (GET) does not queue behind drafts being saved.
            configure_sqlite(db.engine, lambda: has_request_context() and request.method in SAFE_METHODS)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_token: str):
        return accounts.load_session(session_token)

    audit.set_origin_provider(lambda: request.remote_addr if has_request_context() else None)

    import workflow.notifications  # noqa: F401  (receipts and notices follow transitions)
    from tasks import celery_init_app
    from views import i18n, register

    i18n.init_app(app)
    register(app)
    celery_init_app(app)

    import cli

    cli.init_app(app)
    return app
