"""The embedded default in one command (`./missiva up`): the web app under gunicorn, one Celery
worker with beat on the SQLite broker, and the development mail sink — each in a process group of
its own, so Ctrl-C reaches only this supervisor, which stops each one the way it expects: SIGTERM
to its main process (gunicorn finishes its requests, the worker its tasks), SIGKILL only if one is
still there after the grace period."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

GRACE_SECONDS = 30
ROOT = Path(__file__).resolve().parent.parent


def commands(port: int, instance: str) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    return {
        "web": [str(bin_dir / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
                "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "10", "--access-logfile", "-", "app:create_app()"],
        "worker": [str(bin_dir / "celery"), "-A", "tasks.worker", "worker", "--beat", "--concurrency", "2",
                   "--loglevel", "INFO", "--schedule", f"{instance}/celerybeat-schedule"],
        "mail": [str(bin_dir / "flask"), "--app", "app", "missiva", "mail-sink"],
    }


def _relay(name: str, stream) -> None:
    for line in iter(stream.readline, b""):
        sys.stdout.write(f"{time.strftime('%H:%M:%S')} {name:<6} | {line.decode(errors='replace')}")
        sys.stdout.flush()


def run(port: int, instance: str) -> int:
    children: dict[str, subprocess.Popen] = {}
    for name, argv in commands(port, instance).items():
        children[name] = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        threading.Thread(target=_relay, args=(name, children[name].stdout), daemon=True).start()
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    while not stopping.is_set() and all(child.poll() is None for child in children.values()):
        stopping.wait(0.5)
    print("stopping Missiva ...", flush=True)
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for name, child in children.items():
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop within {GRACE_SECONDS} s; killing it", flush=True)
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    failed = [name for name, child in children.items() if child.returncode not in (0, -signal.SIGTERM)]
    print("Missiva stopped" + (f" ({', '.join(failed)} ended with an error)" if failed else ""), flush=True)
    return 1 if failed else 0
