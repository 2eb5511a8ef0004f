"""The Celery app, bound to the Flask app: every task runs inside an application context."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import worker_init

from workflow import jobs

from . import mail, reports

log = logging.getLogger(__name__)


def celery_config(app) -> dict:
    broker = app.config["BROKER_URL"]
    # Redis redelivers an unacknowledged task after visibility_timeout: keep it above the longest
    # retry back-off so a task waiting to retry is never run twice.
    transport = {"visibility_timeout": 4 * 3600, "socket_connect_timeout": 2}
    if broker.startswith("sqla+"):
        transport = {}  # kombu hands these to create_engine; it polls every second by default
    return {
        "broker_url": broker,
        "broker_transport_options": transport,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 2,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "timezone": "UTC",
        "missiva_worker_nice": app.config["WORKER_NICE"],
        # A pool process that grew past this (drawing a long report's PDF takes several hundred MB)
        # is replaced once its task is done, so the memory goes back to the machine.
        "worker_max_memory_per_child": app.config["WORKER_MAX_MEMORY_MB"] * 1024 or None,
        "include": ["tasks.mail", "tasks.periodic", "tasks.reports"],
        "beat_schedule": {
            "sweep-deadlines": {"task": "missiva.sweep_deadlines",
                                "schedule": float(app.config["SWEEP_INTERVAL_SECONDS"])},
            "requeue-mail": {"task": "missiva.requeue_mail",
                             "schedule": float(app.config["REQUEUE_INTERVAL_SECONDS"])},
            "heartbeat": {"task": "missiva.heartbeat",
                          "schedule": float(app.config["HEARTBEAT_INTERVAL_SECONDS"])},
            "housekeeping": {"task": "missiva.housekeeping", "schedule": 3600.0},
            "daily-digest": {"task": "missiva.send_digests", "args": ("daily",),
                             "schedule": crontab(hour=app.config["DIGEST_HOUR_UTC"], minute=0)},
            "weekly-digest": {"task": "missiva.send_digests", "args": ("weekly",),
                              "schedule": crontab(day_of_week=app.config["WEEKLY_DIGEST_DAY"],
                                                  hour=app.config["DIGEST_HOUR_UTC"], minute=0)},
        },
        **app.config.get("CELERY", {}),
    }


@worker_init.connect
def _yield_to_people(sender, **_):
    """Background work gives way to people waiting: a worker runs at a lower CPU priority
    (WORKER_NICE), so at a deadline rush the submissions go first and the receipts are drawn
    and sent with what the machine has to spare. Its pool's processes inherit it.

    Linux schedules each session as a group of its own (autogroup), and a nice value counts only
    inside its group: a worker started in a session of its own (a service, `setsid`) would still
    get as much CPU as the whole web. Such a worker lowers its group's priority too. (In
    containers the groups are the containers: docker-compose.yml gives the worker fewer CPU
    shares.)"""
    nice = int(sender.app.conf.get("missiva_worker_nice") or 0)
    os.nice(nice)
    group = Path("/proc/self/autogroup")
    if nice and os.getsid(0) == os.getpid() and group.exists():
        try:
            group.write_text(str(min(19, nice)))
        except OSError:  # not allowed here: the process's own priority still holds
            log.warning("could not lower the worker's scheduling group", exc_info=True)


def celery_init_app(app) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_config(app))
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    jobs.register(app, "mail", mail.enqueue, many=mail.enqueue_many)
    jobs.register(app, "report", reports.enqueue)
    return celery_app
