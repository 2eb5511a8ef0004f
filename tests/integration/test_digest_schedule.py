"""Digests through the real beat schedule, with the clock of the worker and its beat moved by
libfaketime (Debian's `faketime`): on the embedded default's SQLite broker and on Redis, the
daily digest arrives once at MISSIVA_DIGEST_HOUR_UTC, the weekly one on its day, a quiet day sends
nothing, and the unsubscribe link in a digest stops the next one."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from workflow import clock
from workflow.db import db
from workflow.submissions import accept, save, submit

from .. import factories
from ..conftest import Client
from .conftest import REDIS, wait_for

pytestmark = pytest.mark.integration
FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
SUCCEEDED = re.compile(rb"missiva\.send_digests\[[^\]]+\] succeeded")


@pytest.fixture(params=["sqlite", "redis"])
def broker_url(request, tmp_path):
    return f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}" if request.param == "sqlite" else REDIS


def answer(call, mission, person, at: datetime):
    with clock.frozen_at(at):
        submission = factories.submission_of(call, mission)
        save(submission, factories.filled(call), person, lock_version=submission.lock_version)
        submit(submission, person)
        db.session.commit()
    return submission


def test_digests_follow_the_beat_schedule_day_by_day(stack, tmp_path):
    if not FAKETIME.exists():
        pytest.skip("libfaketime is not installed (apt-get install faketime)")
    smtp, app = stack["smtp"], stack["app"]
    ar, br = factories.mission("AR", "es"), factories.mission("BR", "pt")
    focal_ar, focal_br = factories.user("focal@ar.example", mission=ar), factories.user("focal@br.example", mission=br)
    head = factories.user("head@sec.example", role="admin")
    weekly = factories.user("weekly@sec.example", role="officer")
    daily = factories.user("daily@sec.example", role="officer")
    head.digest, weekly.digest, daily.digest = "daily", "weekly", "daily"
    call = factories.call_from_file(addressed=["AR", "BR"], deadline="2031-01-30 17:00")
    db.session.commit()
    ar_answer = answer(call, ar, focal_ar, datetime(2031, 1, 5, 12))  # Sunday: something to tell on Monday

    fake_now = tmp_path / "fake-now"
    fake_now.write_text("@2031-01-06 06:50:00\n")  # Monday 6 January 2031, before the digest hour
    worker = stack["start_worker"](extra_env={
        "LD_PRELOAD": str(FAKETIME), "FAKETIME_TIMESTAMP_FILE": str(fake_now), "FAKETIME_NO_CACHE": "1",
        "FAKETIME_FORCE_MONOTONIC_FIX": "1", "MISSIVA_CELERY": {"beat_max_loop_interval": 1}})

    def digests_to(address):
        return [m for m in smtp.to(address) if m["X-Missiva-Key"].startswith("digest:")]

    def runs():
        return len(SUCCEEDED.findall(worker.log.read_bytes()))

    fake_now.write_text("@2031-01-06 06:59:57\n")
    wait_for(lambda: runs() == 2 and len(digests_to("head@sec.example")) + len(digests_to("weekly@sec.example"))
             + len(digests_to("daily@sec.example")) == 3, timeout=90, what="Monday's daily and weekly digests")
    assert digests_to("weekly@sec.example")[0]["X-Missiva-Key"] == "digest:weekly:2031-01-06:weekly@sec.example"
    assert digests_to("head@sec.example")[0]["X-Missiva-Key"] == "digest:daily:2031-01-06:head@sec.example"

    with clock.frozen_at(datetime(2031, 1, 6, 10)):  # reviewed on Monday: nothing waits any more
        accept(db.session.merge(ar_answer), head)
        db.session.commit()
    fake_now.write_text("@2031-01-07 06:59:57\n")  # Tuesday: nothing happened, the deadline is 23 days off
    wait_for(lambda: runs() == 3, timeout=90, what="Tuesday's daily digest run")
    assert [len(digests_to(a)) for a in ("head@sec.example", "weekly@sec.example", "daily@sec.example")] == [1, 1, 1]

    link = digests_to("head@sec.example")[0]["List-Unsubscribe"].strip("<>")
    assert Client(app).post(link.removeprefix(app.config["BASE_URL"]), {"List-Unsubscribe": "One-Click"},
                            token=False).status_code == 200
    answer(call, br, focal_br, datetime(2031, 1, 7, 12))  # Tuesday noon: Brazil answers
    fake_now.write_text("@2031-01-08 06:59:57\n")  # Wednesday
    wait_for(lambda: runs() == 4 and len(digests_to("daily@sec.example")) == 2, timeout=90,
             what="Wednesday's digest")
    assert len(digests_to("head@sec.example")) == 1  # unsubscribed on Tuesday
    assert len(digests_to("weekly@sec.example")) == 1  # a weekly digest waits for next Monday
    text = digests_to("daily@sec.example")[1].get_body(("plain",)).get_content()
    assert "Brazil · CIBER-V/doc.1/07: new answer" in text and "Argentina" not in text.split("Calls you follow")[0]
    print(f"\nbeat with a moved clock on {stack['broker'].split(':')[0]}: {runs()} digest runs over three days")
