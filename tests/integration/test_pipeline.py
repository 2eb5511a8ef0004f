"""The whole pipeline for real: web app -> PostgreSQL outbox -> Redis -> Celery worker ->
Flask-Mail -> SMTP server, with the worker killed, the SMTP server deferring, and Redis stopped.
Each test prints the figures it measured."""
from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest

from tasks.periodic import sweep_deadlines
from workflow import outbox
from workflow.db import db
from workflow.models import OutboxMessage

from .. import factories
from .conftest import settled, states, submit_through_http, wait_for

pytestmark = pytest.mark.integration


def test_receipts_and_reminders_through_a_real_worker(stack):
    smtp, app = stack["smtp"], stack["app"]
    w = factories.world()
    call = w["call"]
    call.created_at = call.deadline - timedelta(days=30)
    db.session.commit()
    stack["start_worker"]()

    submit_through_http(app, "focal@ar.example", call)
    wait_for(lambda: len(smtp.messages) == 2, what="the two receipts")  # AR has two focal points
    assert {m["Subject"] for _, _, m in smtp.messages} == {"Answer received: CIBER-V/doc.1/07 · AR · 1"}

    for moment in (call.deadline - timedelta(days=14, hours=-1), call.deadline - timedelta(days=14, hours=-1),
                   call.deadline - timedelta(days=7, hours=-1), call.deadline - timedelta(days=2, hours=-1)):
        sweep_deadlines.delay(moment.isoformat())
    wait_for(lambda: states().get("sent", 0) == 5 and not states().get("pending"), what="three reminders to BR")
    settled(stack)  # nothing is left in flight: any duplicate would have arrived
    reminders = sorted(key for key, _, _ in smtp.messages if key.startswith("reminder:"))
    assert [k.split(":")[3] for k in reminders] == ["before-14", "before-2", "before-7"]
    assert all(f":{w['br'].mission_id}:" in k for k in reminders)  # none to AR, which answered
    print(f"\nreal worker: {len(smtp.messages)} messages, duplicates: {sum(n - 1 for n in smtp.keys().values())}")


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def _pool(worker) -> list[int]:
    main = worker.process.pid
    return [int(pid) for pid in Path(f"/proc/{main}/task/{main}/children").read_text().split()]


def test_the_worker_gives_way_to_people_submitting(stack):
    """At a deadline rush the receipts wait for spare CPU: a worker and its pool run below the
    web's priority (WORKER_NICE, 10 by default)."""
    worker = stack["start_worker"]()
    pool = _pool(worker)
    assert pool, "the prefork pool has started"
    ours = os.nice(0)
    assert {_nice(pid) for pid in [worker.process.pid, *pool]} == {min(19, ours + 10)}
    # Started in a session of its own, the worker is scheduled as a group of its own, where its
    # nice value alone would not count against the web's processes: the group is lowered too.
    group = Path(f"/proc/{worker.process.pid}/autogroup")
    if group.exists():
        assert group.read_text().split()[-1] == "10"


def test_a_worker_grown_large_gives_its_memory_back(stack):
    """A pool process that has grown past WORKER_MAX_MEMORY_MB (as drawing a long report's PDF
    makes it) is replaced once its task is done; the next task runs in a fresh one."""
    from workflow import jobs
    from workflow.models import Report

    from ..test_report import known_answers

    w = known_answers()
    worker = stack["start_worker"](concurrency=1, extra_env={"MISSIVA_WORKER_MAX_MEMORY_MB": "50"})
    first = _pool(worker)
    row = Report(call=w["call"], basis="submitted")
    db.session.add(row)
    db.session.flush()
    jobs.after_commit("report", row.id)
    db.session.commit()

    def finished():
        db.session.rollback()
        return db.session.get(Report, row.id).state == "done"

    wait_for(finished, timeout=90, what="the report")
    wait_for(lambda: any(not Path(f"/proc/{pid}").exists() for pid in first) and len(_pool(worker)) == len(first),
             timeout=30, what="the grown pool process to be replaced")


def test_worker_killed_mid_batch_loses_and_duplicates_nothing(stack):
    smtp, batch = stack["smtp"], 120
    factories.world()
    smtp.delay = 0.03
    for i in range(batch):
        outbox.queue(key=f"reminder:bulk:{i}", kind="reminder", recipient=f"m{i}@gov.example",
                     subject=f"Reminder {i}", text="Please answer.")
    db.session.commit()
    first = stack["start_worker"]()
    wait_for(lambda: len(smtp.messages) >= 30, what="a third of the batch")
    first.kill()
    at_kill = len(smtp.messages)
    stack["start_worker"]()
    wait_for(lambda: not states().get("pending"), timeout=120, what="the batch to drain")
    settled(stack)
    final = states()
    counts = smtp.keys()
    duplicates = sum(n - 1 for n in counts.values())
    stuck = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.state == "sending")).all()
    print(f"\nSIGKILL after {at_kill}/{batch} delivered: sent={final.get('sent', 0)} "
          f"left in 'sending' for a human={len(stuck)} duplicates={duplicates}")
    sent_keys = set(db.session.scalars(db.select(OutboxMessage.key).where(OutboxMessage.state == "sent")))
    stuck_keys = {m.key for m in stuck}
    print(f"  of the {len(stuck)} interrupted, {len(stuck_keys & set(counts))} had reached the SMTP server")
    assert duplicates == 0
    assert len(sent_keys) + len(stuck) == batch  # nothing lost: sent, or shown to a human
    assert sent_keys <= set(counts) <= sent_keys | stuck_keys  # every "sent" really arrived
    assert len(stuck) <= 2  # at most what the killed pool was sending (concurrency 2)
    for message in stuck:  # a human resends what was interrupted
        outbox.resend(message, None)
    db.session.commit()
    wait_for(lambda: states().get("sent", 0) == batch, what="the resent messages")


def test_smtp_deferring_for_a_while_then_everything_is_delivered(stack):
    smtp = stack["smtp"]
    factories.world()
    smtp.defer_until = time.time() + 4
    for i in range(20):
        outbox.queue(key=f"receipt:bulk:{i}", kind="receipt", recipient=f"r{i}@gov.example",
                     subject=f"Receipt {i}", text="Received.")
    db.session.commit()
    started = time.time()
    stack["start_worker"]()
    wait_for(lambda: states().get("sent", 0) == 20, timeout=90, what="every message after the 451s")
    attempts = db.session.scalars(db.select(OutboxMessage.attempts)).all()
    print(f"\n451 for 4 s: {smtp.deferred} deferrals, all 20 delivered after {time.time() - started:.1f} s, "
          f"max attempts {max(attempts)}, duplicates {sum(n - 1 for n in smtp.keys().values())}")
    assert smtp.deferred >= 20 and max(smtp.keys().values()) == 1


def test_report_compiled_by_a_real_worker(stack):
    import io
    from pathlib import Path

    import docx

    from workflow import jobs
    from workflow.models import Report

    from ..test_report import known_answers

    w = known_answers()
    row = Report(call=w["call"], basis="submitted")
    db.session.add(row)
    db.session.flush()
    jobs.after_commit("report", row.id)
    db.session.commit()
    stack["start_worker"]()
    started = time.time()

    def finished():
        db.session.rollback()
        return db.session.get(Report, row.id).state in ("done", "failed")

    wait_for(finished, timeout=90, what="the report")
    row = db.session.get(Report, row.id)
    assert row.state == "done", row.error
    path = Path(stack["app"].config["REPORT_FOLDER"]) / row.files["docx"]
    print(f"\nreport compiled by the worker {time.time() - started:.1f} s after it was ready")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(path.read_bytes())).paragraphs)
    assert "Consolidated report" in text
