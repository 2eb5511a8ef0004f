"""1. The deadline rush: 193 focal points, signed in and with their form open, all press
"Submit" at the same moment. Throughput and p50/p95 of the submit request, beside the bare
Flask-WTF + SQLAlchemy baseline under the same gunicorn and database."""
from __future__ import annotations

import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from bench.stack import ROOT, Stack, build_world, database, summary

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


def run(kind: str, concurrency: int, states: int = STATES) -> dict:
    with database(kind) as (db_settings, folder):
        stack = Stack(db_settings, folder)
        try:
            call_id = build_world(stack.app(), states)[0]
            from tasks.mailsink import MaildirHandler  # noqa: F401  (the sink below is the real one)

            stack.start([".venv/bin/flask", "--app", "app", "missiva", "mail-sink"], ready="mail sink", log="sink")
            stack.worker()
            base = stack.gunicorn()
            subprocess.run([sys.executable, "-c", "from bench.baseline_app import create_app; create_app(True)"],
                           env=stack.env, cwd=ROOT, check=True)
            baseline = stack.gunicorn("bench.baseline_app:create_app()")
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
            missiva = _fire(prepared, concurrency)
            _drained(stack)  # the receipts are sent before the baseline runs on the same database
            bare = _fire(prepared_base, concurrency)
        finally:
            stack.stop()
    result = {"missiva": summary(missiva[0], missiva[1]), "baseline": summary(bare[0], bare[1]),
              "failures": missiva[2] + bare[2]}
    result["ratio"] = result["missiva"]["throughput"] / result["baseline"]["throughput"]
    return result


if __name__ == "__main__":
    for kind in ("sqlite", "postgresql"):
        print(kind, run(kind, 16))
