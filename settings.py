"""Missiva's settings, built in one place and in one order: the embedded defaults, then the
`MISSIVA_*` environment, then what is passed to create_app(), each layer read through the same
aliases; then checks, so a wrong value stops Missiva at start with a sentence naming it rather
than at three in the morning in a worker."""
from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

PREFIX = "MISSIVA_"
# Friendly names (MISSIVA_DATABASE_URL ...) for the Flask/Celery keys they set.
ALIASES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}
WHOLE_NUMBERS = ("UPLOAD_MAX_MB", "UPLOAD_QUOTA_MB", "UPLOAD_ORPHAN_GRACE_SECONDS", "MAX_CONTENT_LENGTH",
                 "INVITATION_MAX_AGE_DAYS", "MAIL_PORT", "SWEEP_INTERVAL_SECONDS", "REQUEUE_INTERVAL_SECONDS",
                 "HEARTBEAT_INTERVAL_SECONDS",
                 "REQUEUE_GRACE_SECONDS", "DIGEST_HOUR_UTC", "WEEKLY_DIGEST_DAY", "DIGEST_QUIET_DAYS", "PROXY_FIX",
                 "REPORT_AFTER_DEADLINE_HOURS", "WORKER_NICE",
                 "WORKER_MAX_MEMORY_MB")
NUMBERS = ("OUTBOX_RETRY_SECONDS",)


class SettingsError(ValueError):
    """A setting Missiva cannot start with; the message names it."""


def defaults(instance: Path, environ: Mapping[str, str] | None = None) -> dict:
    """The embedded default: everything on this machine, nothing to install but Missiva. Links in
    mail point at the port `./missiva up` serves (PORT, 5000 unless set)."""
    port = str((os.environ if environ is None else environ).get("PORT") or "5000")
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'missiva.sqlite'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BROKER_URL": f"sqla+sqlite:///{instance / 'broker.sqlite'}",
        "BASE_URL": f"http://127.0.0.1:{port}",
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
        "HEARTBEAT_INTERVAL_SECONDS": 60,  # beat asks a worker to say it is alive (the status page)
        "REQUEUE_GRACE_SECONDS": 30,
        "WORKER_NICE": 10,  # how far a worker's CPU priority is below the web's (0-19)
        "WORKER_MAX_MEMORY_MB": 400,  # a pool process past this is replaced after its task (0: never)
        "DIGEST_HOUR_UTC": 7,
        "WEEKLY_DIGEST_DAY": 1,
        "DIGEST_QUIET_DAYS": 7,  # a digest goes out on a quiet day only if a deadline is this near
        # How the secretariat signs what leaves Missiva (receipts, reports): a name, or one per language.
        # An answer the secretariat typed in from a fax or a letter is accepted by another officer.
        "SEPARATE_ENTRY_AND_ACCEPTANCE": True,
        "SECRETARIAT_NAME": {"en": "Technical Secretariat", "es": "Secretaría Técnica",
                             "fr": "Secrétariat technique", "pt": "Secretaria Técnica"},
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
        "ENV": "development",  # "production" refuses to start without MISSIVA_SECRET_KEY
    }




def from_environment(environ: Mapping[str, str]) -> dict:
    """`MISSIVA_<NAME>` variables, read as JSON where they parse (`MISSIVA_MAIL_PORT=587` is a number,
    `MISSIVA_MAIL_USE_TLS=true` a flag), else as text."""
    found = {}
    for name, raw in environ.items():
        if name.startswith(PREFIX) and name != f"{PREFIX}INSTANCE_PATH":
            try:
                found[name[len(PREFIX):]] = json.loads(raw)
            except ValueError:
                found[name[len(PREFIX):]] = raw
    return found


def build(instance: Path, overrides: Mapping | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """defaults -> environment -> overrides, each through ALIASES; then check()."""
    settings = defaults(instance, environ)
    for layer in (from_environment(os.environ if environ is None else environ), overrides or {}):
        settings.update({ALIASES.get(key, key): value for key, value in layer.items()})
    if not settings.get("SECRET_KEY") and settings["ENV"] != "production":
        settings["SECRET_KEY"] = _generated_secret_key(instance)
    check(settings)
    return settings


def check(settings: Mapping) -> None:
    problems = []
    if settings["ENV"] not in ("development", "production"):
        problems.append(f"MISSIVA_ENV: development or production, not {settings['ENV']!r}")
    secret = settings.get("SECRET_KEY") or ""
    if settings["ENV"] == "production" and len(str(secret)) < 32:
        problems.append("MISSIVA_SECRET_KEY: set a long random secret (32 characters or more) in production; "
                        "every web process and worker must share it, or links signed by one fail in another")
    for name in WHOLE_NUMBERS:
        value = settings.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"MISSIVA_{name}: a whole number, not {value!r}")
    for name in NUMBERS:
        if not isinstance(settings.get(name), int | float) or isinstance(settings.get(name), bool):
            problems.append(f"MISSIVA_{name}: a number, not {settings.get(name)!r}")
    nice = settings.get("WORKER_NICE")
    if isinstance(nice, int) and not isinstance(nice, bool) and not 0 <= nice <= 19:
        problems.append(f"MISSIVA_WORKER_NICE: from 0 (as the web) to 19 (only when the machine is idle), not {nice}")
    memory = settings.get("WORKER_MAX_MEMORY_MB")
    if isinstance(memory, int) and memory < 0:
        problems.append(f"MISSIVA_WORKER_MAX_MEMORY_MB: a size in MB, or 0 for no limit, not {memory}")
    if not str(settings.get("BASE_URL", "")).startswith(("http://", "https://")):
        problems.append(f"MISSIVA_BASE_URL: an http:// or https:// address, not {settings.get('BASE_URL')!r}")
    if problems:
        raise SettingsError("; ".join(problems))


def _generated_secret_key(instance: Path) -> str:
    """A stable key for the embedded default (development only; production sets its own)."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
