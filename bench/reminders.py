"""3. Reminders end to end — sweep -> outbox -> Celery worker -> Flask-Mail -> SMTP sink — beside
a raw smtplib loop into the same sink; and the sweep's own time over 10,000 addressee rows."""
from __future__ import annotations

import smtplib
import time
from datetime import timedelta
from email import policy

from bench.stack import Stack, build_world, database
from tests.smtp import SMTPServer


def _warm_up(app, sink, messages: int = 16) -> None:
    """A worker that has been running: each pool process has delivered mail before (its database
    connection, SMTP connection and compiled statements are there), as they are when a sweep
    finds reminders due. One task a message, so the processes share them."""
    from workflow import outbox
    from workflow.db import db

    with app.app_context():
        for i in range(messages):
            outbox.queue(key=f"bench-warm-up-{i}", kind="welcome", recipient=f"warm-up{i}@bench.example",
                         subject="Warm-up", text="Warm-up")
            db.session.commit()
    end = time.perf_counter() + 60
    while len(sink.recorder.messages) < messages and time.perf_counter() < end:
        time.sleep(0.05)
    sink.recorder.messages.clear()


def end_to_end(kind: str, states: int = 193, focal_points: int = 3) -> dict:
    with database(kind) as (db_settings, folder):
        stack = Stack(db_settings, folder)
        sink = SMTPServer(stack.smtp_port).__enter__()  # counts what arrives
        try:
            app = stack.app()
            call_id = build_world(app, states, focal_points=focal_points)[0]
            from workflow import clock, deadlines
            from workflow.db import db
            from workflow.models import Call

            with app.app_context():
                call = db.session.get(Call, call_id)
                call.created_at = call.deadline - timedelta(days=30)
                db.session.commit()
                moment = call.deadline - timedelta(days=14, hours=-1)
            stack.worker(concurrency=4)  # as docker-compose.yml runs it
            _warm_up(app, sink)
            expected = states * focal_points
            with app.app_context():
                started = time.perf_counter()
                with clock.frozen_at(moment):
                    result = deadlines.sweep()
                    db.session.commit()
                sweep_s = time.perf_counter() - started
            while len(sink.recorder.messages) < expected and time.perf_counter() - started < 600:
                time.sleep(0.05)
            pipeline_s = time.perf_counter() - started
            delivered = len(sink.recorder.messages)
            # The baseline: the very messages Missiva delivered, written out beforehand and sent by a
            # bare smtplib loop over one connection, so the sink parses the same bytes on both sides.
            mails = [(rcpts, message.as_bytes(policy=policy.SMTP)) for _, rcpts, message in sink.recorder.messages]
            sink.recorder.messages.clear()
            raw_started = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", stack.smtp_port) as client:
                for rcpts, raw in mails:
                    client.sendmail("secretariat@bench.example", list(rcpts), raw)
            raw_s = time.perf_counter() - raw_started
        finally:
            stack.stop()
            sink.__exit__(None, None, None)
    return {"reminders": result.reminders, "delivered": delivered, "sweep_s": sweep_s,
            "pipeline_per_s": delivered / pipeline_s, "raw_per_s": len(mails) / raw_s,
            "mail_kb": sum(len(raw) for _, raw in mails) / max(len(mails), 1) / 1024,
            "ratio": (delivered / pipeline_s) / (len(mails) / raw_s)}


def sweep_10000(kind: str) -> dict:
    """The sweep's own time with 10,000 addressee rows (50 calls x 200 missions): the first look
    after the calls changed, a steady-state sweep with nothing due, and the burst that queues a
    reminder for each."""
    with database(kind) as (db_settings, folder):
        stack = Stack(db_settings, folder)
        app = stack.app()
        call_ids = build_world(app, 200, calls=50)
        from workflow import clock, deadlines
        from workflow.db import db
        from workflow.models import Call, Submission

        with app.app_context():
            rows = db.session.scalar(db.select(db.func.count()).select_from(Submission))
            call = db.session.get(Call, call_ids[0])
            for c in db.session.scalars(db.select(Call)):
                c.created_at = call.deadline - timedelta(days=30)
            db.session.commit()
            quiet = call.deadline - timedelta(days=20)
            with clock.frozen_at(quiet):  # the first sweep after the calls changed looks at each of them
                t = time.perf_counter()
                deadlines.sweep()
                db.session.commit()
                first_s = time.perf_counter() - t
                t = time.perf_counter()  # the steady state: every few minutes, nothing due
                deadlines.sweep()
                db.session.rollback()
                quiet_s = time.perf_counter() - t
            t = time.perf_counter()
            with clock.frozen_at(call.deadline - timedelta(days=14, hours=-1)):
                burst = deadlines.sweep()
                db.session.commit()
            burst_s = time.perf_counter() - t
            t = time.perf_counter()
            with clock.frozen_at(call.deadline - timedelta(days=14, hours=-1)):
                again = deadlines.sweep()
                db.session.commit()
            again_s = time.perf_counter() - t
    return {"rows": rows, "first_s": first_s, "quiet_s": quiet_s, "burst_s": burst_s, "burst_reminders": burst.reminders,
            "again_s": again_s, "again_reminders": again.reminders}


if __name__ == "__main__":
    print(end_to_end("sqlite", states=50, focal_points=2))
