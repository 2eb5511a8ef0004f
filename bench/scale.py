"""5. Growth: the same pages and the sweep at 1x, 10x and 100x the data, up to ten years of a
UN-sized secretariat (193 states x 5,000 calls: about a million submissions, with their versions
and audit events).

The data set is written by a bulk loader in SQL (INSERT ... SELECT over calls x missions), not
through the ORM one row at a time: one CIBER-V call addressed to every state is made the normal
way, then cloned. Calls are spread over ten years; the recent ones are open and half answered,
older ones closed with their answers mostly accepted, some still waiting in the queue."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import sqlalchemy as sa

from bench.pages import count_queries, measure, signed_in_officer
from bench.stack import Stack, build_world, database, full_answer

NOW = datetime(2030, 10, 1, 12, 0)
OPEN_CALLS = 12  # at any time a secretariat has about a dozen calls out
YEARS = 10


def _calls(app, template_id: int, total: int, already: int, all_open: bool = False) -> None:
    """Calls number `already`..`total`-1 (the template is number 0), the newest last, deadlines
    spread evenly over ten years up to a few weeks after NOW; or (all_open) all open, due in 40 days."""
    from workflow.db import db
    from workflow.models import Call

    table = Call.__table__
    with app.app_context():
        template = dict(db.session.execute(sa.select(table).where(table.c.id == template_id)).mappings().one())
        template.pop("id")
        step = timedelta(days=365 * YEARS) / max(total, 1)
        rows = []
        for number in range(max(already, 1), total):
            deadline = NOW + timedelta(days=40) - step * (total - number)
            if number >= total - OPEN_CALLS:
                deadline = NOW + timedelta(days=3 * (number - total + OPEN_CALLS + 1))
            if all_open:
                deadline = NOW + timedelta(days=40)
            rows.append({**template, "slug": f"scale-{number}", "reference": f"SCALE/{number}",
                         "deadline": deadline, "created_at": deadline - timedelta(days=60),
                         "status": "open" if deadline > NOW else "closed"})
        for start in range(0, len(rows), 1000):
            db.session.execute(table.insert(), rows[start:start + 1000])
        db.session.commit()


def _answers(app, template_id: int, content: dict) -> None:
    """Every call without submissions gets one per mission, their versions and audit events."""
    from workflow.db import db
    from workflow.models import AuditEvent, Call, Mission, Submission, SubmissionVersion

    c, m, s = Call.__table__, Mission.__table__, Submission.__table__
    spread = (c.c.id * 7 + m.c.id) % 100
    open_state = sa.case((spread < 40, "not_started"), (spread < 60, "draft"), else_="submitted")
    closed_state = sa.case((spread < 8, "not_started"), (spread < 9, "submitted"), (spread < 11, "returned"),
                           else_="accepted")
    state = sa.case((c.c.status == "open", open_state), else_=closed_state)
    answered = spread >= sa.case((c.c.status == "open", 40), else_=8)
    with app.app_context():
        fresh = sa.select(c.c.id).where(c.c.id != template_id, ~sa.exists().where(s.c.call_id == c.c.id))
        first = db.session.scalar(sa.select(sa.func.min(c.c.id)).where(c.c.id.in_(fresh)))
        if first is None:
            return
        db.session.execute(s.insert().from_select(
            ["call_id", "mission_id", "state", "late", "content", "lock_version", "submitted_at", "last_activity_at"],
            sa.select(c.c.id, m.c.id, state, spread % 17 == 0,
                      sa.case((answered, sa.literal(content, sa.JSON)), else_=sa.literal({}, sa.JSON)), sa.literal(0),
                      sa.case((answered, c.c.created_at), else_=None), sa.case((answered, c.c.created_at), else_=None))
            .select_from(c.join(m, sa.true())).where(c.c.id >= first)))
        v = SubmissionVersion.__table__
        db.session.execute(v.insert().from_select(
            ["submission_id", "number", "content", "submitted_at", "late", "provenance"],
            sa.select(s.c.id, sa.literal(1), s.c.content, s.c.submitted_at, s.c.late, sa.literal("portal"))
            .where(s.c.call_id >= first, s.c.submitted_at.is_not(None))))
        a = AuditEvent.__table__
        for action, to_state, among in (("submitted", "submitted", ("submitted", "accepted", "returned")),
                                        ("accepted", "accepted", ("accepted",))):
            db.session.execute(a.insert().from_select(
                ["at", "actor_label", "action", "call_id", "submission_id", "from_state", "to_state", "detail"],
                sa.select(s.c.submitted_at, sa.literal("bench@bench.example"), sa.literal(action), s.c.call_id, s.c.id,
                          sa.literal("draft"), sa.literal(to_state),
                          sa.literal({}, sa.JSON))
                .where(s.c.call_id >= first, s.c.state.in_(among))))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()


def _counts(app) -> dict:
    from workflow.db import db
    from workflow.models import AuditEvent, Call, Submission, SubmissionVersion

    with app.app_context():
        return {name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for name, model in (("calls", Call), ("submissions", Submission), ("versions", SubmissionVersion),
                                    ("audit events", AuditEvent))}


def _quiet_sweep(app) -> tuple[float, int]:
    """The sweep at NOW, run twice: the first queues what is due, the second (timed) finds nothing."""
    from workflow import clock, deadlines
    from workflow.db import db

    with app.app_context(), clock.frozen_at(NOW):
        deadlines.sweep()
        db.session.commit()
        started = time.perf_counter()
        result = deadlines.sweep()
        db.session.rollback()
        return time.perf_counter() - started, result.reminders


def sweep_growth(kind: str, sizes: tuple[int, ...] = (50, 500, 5000)) -> list[dict]:
    """The quiet sweep (nothing due) as the open calls grow: 193 addressee rows per call, all open."""
    from workflow.db import db
    from workflow.models import Call

    out = []
    with database(kind) as (db_settings, folder):
        app = Stack(db_settings, folder).app()
        template_id = build_world(app, 193)[0]
        with app.app_context():
            db.session.execute(sa.update(Call).where(Call.id == template_id).values(
                deadline=NOW + timedelta(days=40), created_at=NOW - timedelta(days=20)))
            db.session.commit()
            content = full_answer(db.session.get(Call, template_id), "XX", 1)
        loaded = 1
        for size in sizes:
            started = time.perf_counter()
            _calls(app, template_id, size, loaded, all_open=True)
            _answers(app, template_id, content)
            load_s, loaded = time.perf_counter() - started, size
            sweep_s, queued = _quiet_sweep(app)
            out.append({"open calls": size, "rows": _counts(app)["submissions"], "load_s": load_s,
                        "quiet_s": sweep_s, "queued": queued})
    return out


def run(kind: str, sizes: tuple[int, ...] = (50, 500, 5000), repeats: int = 30) -> list[dict]:
    """The figures at each number of calls (193 states each), the data growing in one database."""
    from workflow.db import db
    from workflow.models import Call

    out = []
    with database(kind) as (db_settings, folder):
        stack = Stack(db_settings, folder)
        try:
            app = stack.app()
            template_id = build_world(app, 193)[0]
            with app.app_context():
                db.session.execute(sa.update(Call).where(Call.id == template_id)
                                   .values(deadline=NOW - timedelta(days=365 * YEARS), status="closed",
                                           created_at=NOW - timedelta(days=365 * YEARS + 60)))
                db.session.commit()
                content = full_answer(db.session.get(Call, template_id), "XX", 3)
            loaded = 1
            for size in sizes:
                started = time.perf_counter()
                _calls(app, template_id, size, loaded)
                _answers(app, template_id, content)
                load_s, loaded = time.perf_counter() - started, size
                with app.app_context():
                    newest = db.session.scalar(sa.select(Call.id).order_by(Call.deadline.desc()).limit(1))
                paths = {"status board": f"/secretariat/calls/{newest}",
                         "review queue": "/secretariat/queue?state=submitted", "calls": "/secretariat/"}
                queries = count_queries(app, paths)
                sweep_s, queued = _quiet_sweep(app)
                base = stack.gunicorn()
                figures = measure(signed_in_officer(base), base, paths, repeats)
                stack.stop()
                stack.processes.clear()
                out.append({"calls": size, **_counts(app), "load_s": load_s, "sweep_s": sweep_s,
                            "sweep_queued": queued,
                            "pages": {name: {**figures[name], "queries": queries[name]} for name in paths}})
        finally:
            stack.stop()
    return out


if __name__ == "__main__":
    import sys

    for row in run(sys.argv[1] if len(sys.argv) > 1 else "postgresql", (50, 500)):
        print(row)
