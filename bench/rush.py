"""1. The deadline rush: 193 focal points, signed in and with their form open, all press
"Submit" at the same moment. Throughput and p50/p95 of the submit request, beside the bare
Flask-WTF + SQLAlchemy baseline under the same gunicorn and database."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from bench.stack import ROOT, Stack, build_world, cpu_seconds, database, summary

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LOCK = re.compile(r'name="lock_version"[^>]*value="(\d+)"')
STATES = 193


def _answer_form(token: str, lock: str) -> dict:
    form = {"csrf_token": token, "lock_version": lock, "action": "submit",
            "agenda-general": "De acuerdo con el proyecto de temario.",
            "agenda-item_4": "Proponemos incluir la cooperación con el sector privado.",
            "experiences-legislation-present": "y", "experiences-legislation-description": "Ley 26.388"}
    for i in range(3):
        form |= {f"experts-experts-{i}-name": f"Experta {i} Núñez", f"experts-experts-{i}-title": "Fiscal",
                 f"experts-experts-{i}-institution": "Ministerio Público", f"experts-experts-{i}-phone": "+1 555",
                 f"experts-experts-{i}-email": f"e{i}@gov.example", f"experts-experts-{i}-role": "delegate"}
    return form


def _fire(prepared: list, concurrency: int) -> tuple[list[float], float, int]:
    """prepared: (session, url, form). All are handed to `concurrency` clients at once;
    returns latencies, wall time, failures."""
    latencies, failures = [], [0]

    def one(item):
        session, url, form = item
        started = time.perf_counter()
        response = session.post(url, data=form, allow_redirects=False)
        latencies.append(time.perf_counter() - started)
        if response.status_code not in (201, 302):
            failures[0] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, prepared))
    return latencies, time.perf_counter() - started, failures[0]


def _drained(stack: Stack, timeout: float = 120) -> None:
    from workflow.db import db
    from workflow.models import OutboxMessage

    app, end = stack.app(), time.time() + timeout
    with app.app_context():
        while time.time() < end:
            waiting = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)
                                        .where(OutboxMessage.state.in_(("pending", "sending"))))
            db.session.rollback()
            if not waiting:
                return
            time.sleep(0.2)


def _per_request(before: dict, after: dict, requests_made: int) -> dict:
    """CPU milliseconds a request cost each part of the machine between two readings."""
    return {group: round(1000 * (after[group] - before[group]) / requests_made, 2) for group in after}


def run(kind: str, concurrency: int, states: int = STATES) -> dict:
    with database(kind) as (db_settings, folder):
        stack = Stack(db_settings, folder)
        try:
            call_id = build_world(stack.app(), states)[0]
            from tasks.mailsink import MaildirHandler  # noqa: F401  (the sink below is the real one)

            sink = stack.start([".venv/bin/flask", "--app", "app", "missiva", "mail-sink"], ready="mail sink",
                               log="sink")
            worker = stack.worker()
            base = stack.gunicorn()
            web = stack.processes[-1]
            subprocess.run([sys.executable, "-c", "from bench.baseline_app import create_app; create_app(True)"],
                           env=stack.env, cwd=ROOT, check=True)
            baseline = stack.gunicorn("bench.baseline_app:create_app()")
            # Where the CPU goes: the web processes, the worker sending receipts and the mail sink
            # it sends them to, the database server and Redis, and this process sending requests.
            parts = {"web": [web], "worker": [worker], "mail sink": [sink], "baseline web": [stack.processes[-1]]}
            servers = {"database server": "postgres", "redis": "redis-server"} if kind == "postgresql" else \
                {"redis": "redis-server"}
            from bench.stack import un_codes

            prepared, prepared_base = [], []
            for code in un_codes(states):
                s = requests.Session()
                token = CSRF.search(s.get(f"{base}/login").text).group(1)
                s.post(f"{base}/login", data={"csrf_token": token, "email": f"focal0@{code.lower()}.example",
                                             "password": "bench-pass"})
                page = s.get(f"{base}/portal/calls/{call_id}").text
                prepared.append((s, f"{base}/portal/calls/{call_id}",
                                 _answer_form(CSRF.search(page).group(1), LOCK.search(page).group(1))))
                b = requests.Session()
                token = CSRF.search(b.get(f"{baseline}/form").text).group(1)
                prepared_base.append((b, f"{baseline}/form", {"csrf_token": token, "name": f"Row {code}"}))
            start = cpu_seconds(parts, servers)
            missiva = _fire(prepared, concurrency)
            fired = cpu_seconds(parts, servers)
            _drained(stack)  # the receipts are sent before the baseline runs on the same database
            drained = cpu_seconds(parts, servers)
            bare = _fire(prepared_base, concurrency)
            bare_done = cpu_seconds(parts, servers)
        finally:
            stack.stop()
    result = {"missiva": summary(missiva[0], missiva[1]), "baseline": summary(bare[0], bare[1]),
              "failures": missiva[2] + bare[2]}
    result["ratio"] = result["missiva"]["throughput"] / result["baseline"]["throughput"]
    cores = len(os.sched_getaffinity(0))
    result["cpu_ms"] = {  # a request's CPU by part, and what the cores offered a request
        "missiva": _per_request(start, fired, len(missiva[0])),
        "missiva receipts after the rush": _per_request(fired, drained, len(missiva[0])),
        "baseline": _per_request(drained, bare_done, len(bare[0])),
        "cores x wall, missiva": round(1000 * cores * missiva[1] / len(missiva[0]), 2),
        "cores x wall, baseline": round(1000 * cores * bare[1] / len(bare[0]), 2),
    }
    return result


if __name__ == "__main__":
    for kind in ("sqlite", "postgresql"):
        print(kind, run(kind, 16))
