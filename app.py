"""Missiva: create_app() is the only way an application comes to exist."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, has_request_context, request
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

import cli
import settings
import workflow.notifications  # noqa: F401  (receipts and notices follow transitions)
from tasks import celery_init_app
from views import i18n, register
from workflow import accounts, audit
from workflow.db import configure_sqlite, db
from workflow.i18n import lazy_gettext as _l

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
migrate = Migrate()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("MISSIVA_INSTANCE_PATH") or None,
                instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings.build(instance, config))
    # Secure cookies unless the base URL is plain http (the embedded default on loopback).
    https = app.config["BASE_URL"].startswith("https://")
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = https

    if app.config["PROXY_FIX"]:
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

    audit.set_origin_provider(app, lambda: request.remote_addr if has_request_context() else None)

    i18n.init_app(app)
    register(app)
    celery_init_app(app)
    cli.init_app(app)
    return app
