"""2. The status board and the review queue at 193 states x 50 calls x 10 experts: p95 of each
page under gunicorn, and the SQL queries each page costs (counted in-process)."""
from __future__ import annotations

import re
import time
from datetime import datetime

import requests
from sqlalchemy import event

from bench.stack import Stack, build_world, database, full_answer, summary

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _bulk_answers(app, call_ids, experts=10):
    """Every mission answers every call: written straight through the ORM, not page by page."""
    from workflow.db import db
    from workflow.models import Call, Submission, SubmissionVersion

    with app.app_context():
        now = datetime(2030, 10, 1)
        for call_id in call_ids:
            call = db.session.get(Call, call_id)
            for sub in db.session.scalars(db.select(Submission).filter_by(call_id=call_id)):
                content = full_answer(call, sub.mission.code, experts)
                sub.content, sub.state, sub.submitted_at, sub.last_activity_at = content, "submitted", now, now
                db.session.add(SubmissionVersion(submission=sub, number=1, content=content, submitted_at=now))
            db.session.commit()


def count_queries(app, paths):
    from workflow.db import db

    counts = {}
    with app.app_context():
        client = app.test_client()
        token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
        client.post("/login", data={"csrf_token": token, "email": "officer@bench.example", "password": "bench-pass"})
        for name, path in paths.items():
            seen = [0]

            def bump(*args, seen=seen):
                seen[0] += 1

            event.listen(db.engine, "before_cursor_execute", bump)
            assert client.get(path).status_code == 200
            event.remove(db.engine, "before_cursor_execute", bump)
            counts[name] = seen[0]
    return counts


def signed_in_officer(base: str) -> requests.Session:
    session = requests.Session()
    token = CSRF.search(session.get(f"{base}/login").text).group(1)
    session.post(f"{base}/login", data={"csrf_token": token, "email": "officer@bench.example", "password": "bench-pass"})
    return session


def measure(session: requests.Session, base: str, paths: dict, repeats: int) -> dict:
    """p50/p95 of each page, asked `repeats` times one after the other once every gunicorn worker
    and thread has served it."""
    results = {}
    for name, path in paths.items():
        for _ in range(8):
            session.get(base + path)
        latencies = []
        for _ in range(repeats):
            started = time.perf_counter()
            assert session.get(base + path).status_code == 200
            latencies.append(time.perf_counter() - started)
        results[name] = summary(latencies, sum(latencies))
    return results


def run(kind: str, states: int = 193, calls: int = 50, repeats: int = 30) -> dict:
    with database(kind) as (db_settings, folder):
        stack = Stack(db_settings, folder)
        try:
            app = stack.app()
            started = time.time()
            call_ids = build_world(app, states, calls=calls)
            _bulk_answers(app, call_ids)
            setup = time.time() - started
            paths = {"status board": f"/secretariat/calls/{call_ids[0]}",
                     "review queue": "/secretariat/queue?state=submitted",
                     "calls": "/secretariat/"}
            queries = count_queries(app, paths)
            base = stack.gunicorn()
            session = signed_in_officer(base)
            results = {name: {**figures, "queries": queries[name]}
                       for name, figures in measure(session, base, paths, repeats).items()}
            bare = []
            for _ in range(repeats):
                t = time.perf_counter()
                session.get(f"{base}/health")
                bare.append(time.perf_counter() - t)
            results["baseline (/health, one SELECT 1)"] = {**summary(bare, sum(bare)), "queries": 1}
            results["_setup_s"] = setup
        finally:
            stack.stop()
    return results


if __name__ == "__main__":
    print(run("sqlite", states=193, calls=5, repeats=10))
