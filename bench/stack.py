"""What the benchmarks share: a database (SQLite file or a PostgreSQL schema), Missiva served by
gunicorn on loopback, a Celery worker on the real Redis, an SMTP sink, and data builders."""
from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("MISSIVA_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("MISSIVA_BENCH_REDIS", "redis://127.0.0.1:6379/9")
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(latencies: list[float], wall: float) -> dict:
    return {"n": len(latencies), "throughput": len(latencies) / wall, "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * percentile(latencies, 95)}


@contextmanager
def database(kind: str):
    """Yields (settings for MISSIVA_* env, folder) for a fresh database of this kind."""
    folder = Path(tempfile.mkdtemp(prefix=f"missiva-bench-{kind}-"))
    if kind == "sqlite":
        yield {"DATABASE_URL": f"sqlite:///{folder / 'missiva.sqlite'}"}, folder
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {"DATABASE_URL": POSTGRES,
               "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"},
                                             "pool_pre_ping": True}}, folder
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class Stack:
    """Missiva's settings for one run, and the processes started for it."""

    def __init__(self, db_settings: dict, folder: Path, smtp_port: int | None = None, **extra):
        self.folder = folder
        self.queue = f"bench-{uuid.uuid4().hex[:8]}"
        self.smtp_port = smtp_port or free_port()
        self.settings = {
            **db_settings, "SECRET_KEY": "bench", "BASE_URL": "http://127.0.0.1",
            "BROKER_URL": REDIS, "CELERY": {"task_default_queue": self.queue},
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.smtp_port, "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "UPLOAD_FOLDER": str(folder / "uploads"),
            "REPORT_FOLDER": str(folder / "reports"), "MAIL_SINK_FOLDER": str(folder / "sink"),
            "SWEEP_INTERVAL_SECONDS": 86400, "REPORT_AFTER_DEADLINE_HOURS": -1, **extra,
        }
        self.processes: list[subprocess.Popen] = []

    @property
    def env(self) -> dict:
        env = {**os.environ, "MISSIVA_INSTANCE_PATH": str(self.folder / "instance"), "PYTHONPATH": str(ROOT)}
        for key, value in self.settings.items():
            env[f"MISSIVA_{key}"] = value if isinstance(value, str) else json.dumps(value)
        return env

    def app(self):
        from app import create_app

        config = {**self.settings, "SQLALCHEMY_DATABASE_URI": self.settings["DATABASE_URL"]}
        return create_app(config)

    def start(self, command: list[str], ready: str | None = None, log: str = "process") -> subprocess.Popen:
        path = self.folder / f"{log}.log"
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=path.open("ab"),
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        if ready:
            end = time.time() + 60
            while ready not in path.read_text(errors="replace"):
                if process.poll() is not None or time.time() > end:
                    raise RuntimeError(f"{log} did not start:\n{path.read_text()[-2000:]}")
                time.sleep(0.1)
        return process

    def gunicorn(self, target: str = "app:create_app()") -> str:
        """Serves `target` as production does: gunicorn with Missiva's gunicorn.conf.py (the bare
        baseline too, under the same settings)."""
        port = free_port()
        process = self.start([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--backlog", "512",
                              target],
                             ready="Booting worker", log=f"gunicorn-{port}")
        end = time.time() + 60
        while True:  # until it answers
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.time() > end:
                    raise RuntimeError(f"gunicorn for {target} did not start") from None
                time.sleep(0.2)
        time.sleep(1.0)  # every worker has booted its app
        return f"http://127.0.0.1:{port}"

    def worker(self, concurrency: int = 2, pool: str = "prefork") -> subprocess.Popen:
        return self.start([sys.executable, "-m", "celery", "-A", "tasks.worker", "worker", "--loglevel", "INFO",
                           "-Q", self.queue, "--concurrency", str(concurrency), "--pool", pool,
                           "--without-gossip", "--without-mingle", "-n", f"{self.queue}@%h"],
                          ready="ready.", log="worker")

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[str, int, float]]:
    """Every process now: pid -> (name, parent pid, CPU seconds used so far, user + system, with
    that of its children which have ended, e.g. the one-off process that typesets a report)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        name, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        found[int(entry.name)] = (name, int(rest[1]), sum(map(int, rest[11:15])) / TICK)
    return found


def cpu_seconds(groups: dict[str, list[subprocess.Popen]], names: dict[str, str]) -> dict[str, float]:
    """CPU seconds used so far by each group: the processes started for it and their
    descendants (`groups`), or every process of a program by name (`names`, e.g. the database
    server's); "load generator" is this process. Differences of two readings give what a run
    cost each part of the machine."""
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, (_, parent, _) in table.items():
        children.setdefault(parent, []).append(pid)

    def tree(pid: int) -> float:
        return table.get(pid, ("", 0, 0.0))[2] + sum(tree(child) for child in children.get(pid, ()))

    used = {group: sum(tree(p.pid) for p in started) for group, started in groups.items()}
    for group, program in names.items():
        used[group] = sum(seconds for name, _, seconds in table.values() if name == program)
    used["load generator"] = sum(os.times()[:2])
    return used


def web_processes() -> int:
    """How many processes gunicorn.conf.py gives the web server on this machine."""
    import runpy

    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]


def un_codes(n: int = 193) -> list[str]:
    """n two-letter country codes (the UN has 193 members)."""
    from babel import Locale

    codes = [c for c in Locale("en").territories if len(c) == 2 and c.isalpha() and c not in ("EU", "EZ", "UN", "ZZ",
             "QO", "XA", "XB", "XK", "AQ", "BV", "HM", "TF", "UM", "CP", "DG", "EA", "IC", "TA", "AC")]
    return sorted(codes)[:n]


def build_world(app, n_states: int, calls: int = 1, experts: int = 3, answered: bool = False,
                focal_points: int = 1) -> list[int]:
    """n_states missions with focal points and `calls` copies of the CIBER-V call addressed to all.
    With answered=True every mission has submitted `experts` experts, all areas and comments."""
    import yaml
    from flask_migrate import upgrade

    from workflow.calls import import_call
    from workflow.db import db
    from workflow.member_states import ensure
    from workflow.models import Submission, User
    from workflow.submissions import save, submit

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        codes = un_codes(n_states)
        users = []
        for code in codes:
            mission = ensure(code, "es")
            db.session.flush()
            mission.representative_email = f"rep@{code.lower()}.example"
            for i in range(focal_points):
                user = User(email=f"focal{i}@{code.lower()}.example", name=f"Focal {code}", role="focal_point",
                            mission=mission, locale="en")
                user.set_password("bench-pass")
                db.session.add(user)
                users.append(user)
        officer = User(email="officer@bench.example", name="Officer", role="officer")
        officer.set_password("bench-pass")
        db.session.add(officer)
        db.session.commit()
        template = yaml.safe_load((ROOT / "calls" / "ciber-v-2007.yaml").read_text())
        template["sections"][0]["max"] = max(10, experts)
        call_ids = []
        for index in range(calls):
            data = {**template, "slug": f"bench-{index}", "reference": f"BENCH/{index}",
                    "deadline": "2030-10-29 23:59", "addressed": codes}
            call = import_call(yaml.safe_dump(data))
            db.session.commit()
            call_ids.append(call.id)
            if answered:
                by_mission = {u.mission_id: u for u in users}
                for sub in db.session.scalars(db.select(Submission).filter_by(call_id=call.id)):
                    save(sub, full_answer(call, sub.mission.code, experts), by_mission[sub.mission_id], lock_version=0)
                    submit(sub, by_mission[sub.mission_id])
                db.session.commit()
        return call_ids


def full_answer(call, code: str, experts: int) -> dict:
    return {
        "experts": {"experts": [{"name": f"Expert {i} of {code} — Núñez", "title": "Fiscal", "institution":
                                 "Ministerio Público", "email": f"e{i}@{code.lower()}.example", "phone": "+1 555",
                                 "role": "delegate", "funding": "own_cost"} for i in range(experts)]},
        "experiences": {"areas": {a["key"]: {"present": True, "description": "Experiencia nacional " * 3}
                                  for a in call.section("experiences")["areas"]}},
        "agenda": {"general": "De acuerdo.", "comments": {str(i): f"Comentario sobre el punto {i}." for i in range(1, 10)}},
        "country_report": {"files": {}},
    }
