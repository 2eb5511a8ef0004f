"""6. Mixed load: 20 clients at once for a while, two thirds reading (the mission's call list, the
answer page, the status board) and one third saving drafts, on the embedded default's web server
(gunicorn with gunicorn.conf.py). Beside it, the same 20 clients on the bare Flask-WTF +
SQLAlchemy app (13 reading its form, 7 posting it), under the same server and database."""
from __future__ import annotations

import subprocess
import sys
import threading
import time

import requests

from bench.rush import CSRF, LOCK
from bench.stack import ROOT, Stack, build_world, database, summary, un_codes

CLIENTS, SAVERS = 20, 7


def _signed_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    token = CSRF.search(session.get(f"{base}/login").text).group(1)
    session.post(f"{base}/login", data={"csrf_token": token, "email": email, "password": "bench-pass"})
    return session


def _draft(page: str, n: int) -> dict:
    return {"csrf_token": CSRF.search(page).group(1), "lock_version": LOCK.search(page).group(1), "action": "save",
            "agenda-general": f"Borrador número {n}: de acuerdo con el proyecto de temario.",
            "experts-experts-0-name": "Experta Núñez", "experts-experts-0-email": "e0@gov.example"}


def _load(clients: list, seconds: float) -> tuple[dict[str, list[float]], int]:
    """Each client runs its loop until the time is up; latencies by kind, and failures."""
    latencies: dict[str, list[float]] = {}
    failures = [0]
    lock = threading.Lock()
    end = time.time() + seconds

    def run(client):
        n = 0
        while time.time() < end:
            n += 1
            for kind, request in client(n):
                started = time.perf_counter()
                try:
                    ok = request()
                except requests.RequestException:
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.setdefault(kind, []).append(elapsed)
                    failures[0] += not ok

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures[0]


def _missiva_clients(base: str, call_id: int) -> list:
    codes = un_codes(CLIENTS)
    answer = f"{base}/portal/calls/{call_id}"
    clients = []
    for index, code in enumerate(codes):
        session = _signed_in(base, f"focal0@{code.lower()}.example")
        if index < SAVERS:
            def saver(n, session=session):
                page = [""]

                def read():
                    response = session.get(answer)
                    page[0] = response.text
                    return response.status_code == 200

                def save():
                    return session.post(answer, data=_draft(page[0], n), allow_redirects=False).status_code in (200, 302)
                return [("answer page (before a save)", read), ("draft save", save)]
            clients.append(saver)
        elif index % 3 == 0:
            officer = _signed_in(base, "officer@bench.example")
            clients.append(lambda n, s=officer: [("status board", lambda: s.get(f"{base}/secretariat/calls/{call_id}")
                                                   .status_code == 200)])
        elif index % 3 == 1:
            clients.append(lambda n, s=session: [("call list", lambda: s.get(f"{base}/portal/").status_code == 200)])
        else:
            clients.append(lambda n, s=session: [("answer page", lambda: s.get(answer).status_code == 200)])
    return clients


def _baseline_clients(base: str) -> list:
    clients = []
    for index in range(CLIENTS):
        session = requests.Session()
        if index < SAVERS:
            def saver(n, s=session):
                page = [""]

                def read():
                    response = s.get(f"{base}/form")
                    page[0] = response.text
                    return response.status_code == 200

                def save():
                    token = CSRF.search(page[0]).group(1)
                    return s.post(f"{base}/form", data={"csrf_token": token, "name": f"Row {n}"}).status_code == 201
                return [("form page (before a save)", read), ("insert", save)]
            clients.append(saver)
        else:
            clients.append(lambda n, s=session: [("form page", lambda: s.get(f"{base}/form").status_code == 200)])
    return clients


def _figures(latencies: dict[str, list[float]], seconds: float) -> dict:
    out = {kind: summary(values, seconds) for kind, values in latencies.items()}
    reads = [v for kind, values in latencies.items() if kind not in ("draft save", "insert") for v in values]
    out["all reads"] = summary(reads, seconds)
    return out


def run(kind: str, seconds: float = 30) -> dict:
    with database(kind) as (db_settings, folder):
        stack = Stack(db_settings, folder)
        try:
            call_id = build_world(stack.app(), 193)[0]
            stack.start([".venv/bin/flask", "--app", "app", "missiva", "mail-sink"], ready="mail sink", log="sink")
            stack.worker()
            base = stack.gunicorn()
            subprocess.run([sys.executable, "-c", "from bench.baseline_app import create_app; create_app(True)"],
                           env=stack.env, cwd=ROOT, check=True)
            baseline = stack.gunicorn("bench.baseline_app:create_app()")
            missiva, missiva_failures = _load(_missiva_clients(base, call_id), seconds)
            bare, bare_failures = _load(_baseline_clients(baseline), seconds)
        finally:
            stack.stop()
    return {"missiva": _figures(missiva, seconds), "baseline": _figures(bare, seconds),
            "failures": missiva_failures, "baseline_failures": bare_failures, "seconds": seconds}


if __name__ == "__main__":
    import json

    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "sqlite", 15), indent=1))
