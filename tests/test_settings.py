"""Settings are built in one order (defaults, environment, create_app's overrides, through the same
aliases) and checked at start."""
from __future__ import annotations

import pytest

import settings
from app import create_app


def test_an_alias_passed_to_create_app_is_honoured(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'given.sqlite'}", "TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("given.sqlite")


def test_environment_then_overrides(tmp_path):
    built = settings.build(tmp_path, {"MAIL_PORT": 2525},
                           {"MISSIVA_MAIL_PORT": "587", "MISSIVA_MAIL_USE_TLS": "true", "MISSIVA_BASE_URL": "https://m.example"})
    assert built["MAIL_PORT"] == 2525 and built["MAIL_USE_TLS"] is True and built["BASE_URL"] == "https://m.example"


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(settings.SettingsError, match="MISSIVA_SECRET_KEY"):
        settings.build(tmp_path, None, {"MISSIVA_ENV": "production"})
    assert not (tmp_path / "secret_key").exists()  # no key is made up for production
    built = settings.build(tmp_path, None, {"MISSIVA_ENV": "production", "MISSIVA_SECRET_KEY": "k" * 40})
    assert built["SECRET_KEY"] == "k" * 40
    development = settings.build(tmp_path, None, {})
    assert len(development["SECRET_KEY"]) == 64 and (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("name,value", [("MISSIVA_MAIL_PORT", "smtp"), ("MISSIVA_SWEEP_INTERVAL_SECONDS", "[1]"),
                                        ("MISSIVA_ENV", "staging"), ("MISSIVA_BASE_URL", "missiva.example"),
                                        ("MISSIVA_WORKER_NICE", "-5"), ("MISSIVA_WORKER_NICE", "high"),
                                        ("MISSIVA_WORKER_MAX_MEMORY_MB", "-1")])
def test_a_wrong_value_stops_the_start_and_is_named(tmp_path, name, value):
    with pytest.raises(settings.SettingsError, match=name):
        settings.build(tmp_path, None, {name: value})


def test_emailed_links_follow_the_port_missiva_serves(tmp_path):
    assert settings.build(tmp_path, None, {"PORT": "8080"})["BASE_URL"] == "http://127.0.0.1:8080"
    assert settings.build(tmp_path, None, {})["BASE_URL"] == "http://127.0.0.1:5000"
    given = settings.build(tmp_path, None, {"PORT": "8080", "MISSIVA_BASE_URL": "https://m.example"})
    assert given["BASE_URL"] == "https://m.example"  # an address set on purpose wins
