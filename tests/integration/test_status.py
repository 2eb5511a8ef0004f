"""The admin's status page with a real worker and beat: alive while they run, stopped once they are
killed, and the deadline sweep's last run with what it did."""
from __future__ import annotations

import time

import pytest

from tasks.periodic import sweep_deadlines

from .. import factories
from ..conftest import Client
from .conftest import wait_for

pytestmark = pytest.mark.integration


def test_the_status_page_shows_a_worker_alive_then_stopped(stack):
    app = stack["app"]
    app.config["HEARTBEAT_INTERVAL_SECONDS"] = 1
    factories.world()
    admin = Client(app).sign_in("admin@sec.example")
    found = admin.get("/admin/status.json")
    assert found.status_code == 503 and not found.json["workers"]["ok"]  # nothing has run yet

    worker = stack["start_worker"](extra_env={"MISSIVA_HEARTBEAT_INTERVAL_SECONDS": "1"})
    wait_for(lambda: admin.get("/admin/status.json").json["workers"]["ok"], timeout=30, what="a heartbeat")
    sweep_deadlines.delay()
    wait_for(lambda: admin.get("/admin/status.json").json["sweep"]["last_run"], timeout=30, what="a sweep")
    status = admin.get("/admin/status.json").json
    assert status["broker"]["ok"] and status["sweep"]["ok"] and status["sweep"]["result"]["reminders"] == 0
    page = admin.get("/admin/status").get_data(as_text=True)
    assert "Last heartbeat" in page and "Beat or every worker has stopped" not in page

    worker.kill()
    time.sleep(4)  # more than three heartbeats missed
    status = admin.get("/admin/status.json")
    assert status.status_code == 503 and not status.json["workers"]["ok"] and not status.json["ok"]
    assert "Beat or every worker has stopped." in admin.get("/admin/status").get_data(as_text=True)
