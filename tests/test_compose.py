"""docker-compose.yml describes the production shape, and every command in it exists here.
(No Docker engine runs in CI; the same processes are started directly by tests/integration.)"""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml

from app import create_app

ROOT = Path(__file__).resolve().parent.parent


def services():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_the_production_shape():
    found = services()
    assert {"web", "worker", "beat", "redis", "postgres", "mail", "migrate"} <= set(found)
    assert found["beat"]["deploy"]["replicas"] == 1  # beat stays single
    assert found["worker"]["deploy"]["replicas"] >= 2  # workers scale out
    for name in ("web", "worker", "redis", "postgres"):
        assert "healthcheck" in found[name], name
    assert found["web"]["environment"]["MISSIVA_BROKER_URL"].startswith("redis://")
    assert found["web"]["environment"]["MISSIVA_DATABASE_URL"].startswith("postgresql+psycopg://")


def test_every_command_exists_in_the_project(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}", "SECRET_KEY": "x"})
    commands = app.cli.commands["missiva"].commands
    checked = 0
    for name, service in services().items():
        command = service.get("command")
        if "image" in service and "build" not in service:
            continue  # redis, postgres: their images' own commands
        if command is None:
            command = ["gunicorn", "--bind", "0.0.0.0:8000", "app:create_app()"]  # the Dockerfile's CMD
        program = command[0]
        if program == "gunicorn":
            module, factory = command[-1].split(":")
            assert callable(getattr(importlib.import_module(module), factory.rstrip("()"))), name
        elif program == "celery":
            assert command[1] == "-A"
            assert importlib.import_module(command[2]).celery.main, name
            assert command[3] in ("worker", "beat"), name
        elif program == "flask":
            assert command[1] == "missiva" and command[2] in commands, name
        else:
            raise AssertionError(f"{name}: unknown program {program}")
        checked += 1
    assert checked == 5
    healthcheck = services()["web"]["healthcheck"]["test"]
    assert "/health" in " ".join(healthcheck)
    assert "auth.health" in {rule.endpoint for rule in app.url_map.iter_rules()}


def test_every_variable_is_documented():
    readme = (ROOT / "README.md").read_text()
    text = (ROOT / "docker-compose.yml").read_text()
    for variable in set(re.findall(r"\b(MISSIVA_[A-Z_]+)\b", text)):
        assert variable in readme, variable
    dockerfile = (ROOT / "Dockerfile").read_text()
    for folder in ("workflow", "views", "forms", "tasks", "templates", "static", "migrations", "calls",
                   "directory", "translations"):
        assert f"COPY {folder} {folder}" in dockerfile, folder
    assert "COPY app.py cli.py settings.py gunicorn.conf.py ./" in dockerfile
