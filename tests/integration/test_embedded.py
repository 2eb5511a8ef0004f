"""`./missiva up` as a newcomer runs it: the embedded default (SQLite, SQLite broker, mail sink)
under the production WSGI server, stopped with Ctrl-C."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, wait_for

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_embedded_default_serves_with_gunicorn_and_stops_cleanly_on_ctrl_c(tmp_path: Path):
    port, mail_port = _free_port(), _free_port()
    environ = {**{k: v for k, v in os.environ.items() if not k.startswith("MISSIVA_")},
               "MISSIVA_INSTANCE_PATH": str(tmp_path), "MISSIVA_MAIL_PORT": str(mail_port), "PORT": str(port)}
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run([flask, "--app", "app", "missiva", "setup"], cwd=ROOT, env=environ, check=True,
                   capture_output=True)
    log = tmp_path / "up.log"
    process = subprocess.Popen([flask, "--app", "app", "missiva", "run"], cwd=ROOT, env=environ,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def answered():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2)
            except OSError:
                return None

        response = wait_for(answered, timeout=60, what="the web app")
        assert response.status == 200
        assert response.headers["Server"] == "gunicorn"  # no version, not Werkzeug's development server
        wait_for(lambda: b"ready." in log.read_bytes(), timeout=60, what="the worker")
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        assert process.wait(timeout=40) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    output = log.read_text(errors="replace")
    assert "Missiva stopped" in output and "Warm shutdown" in output
    assert "ERROR" not in output and "SIGKILL" not in output and "killing it" not in output, output[-3000:]
