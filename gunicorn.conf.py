"""Gunicorn's settings for Missiva's web processes, wherever they run (the embedded default, the
Dockerfile, docker-compose, the benchmarks): gunicorn reads this file from the working directory;
the command line sets only the bind address.

A request is Python work from end to end (forms, templates, the ORM), so threads of one process
would take turns on one core. Each process serves one request at a time (gunicorn's sync worker),
one process per core and one more to use the core another leaves while it waits for the
database. Sync workers close the connection after each response, so every request goes to the
next free process: kept-alive connections of threads pinned each browser to one process, and a
status board there held up the pages of everyone else pinned to it while the other process idled.
The cores counted are those this process may run on (its CPU set, e.g. a container's
--cpuset-cpus), not every core of the host; a CPU quota is not seen, so where one limits the web
set WEB_CONCURRENCY, which gives the number of processes (as gunicorn's own default reads it)."""
import gc
import os

workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)) + 1)


def post_worker_init(worker):
    """Ready each web process before its first request. The broker's transport is loaded now, not
    by the first person whose submission hands mail to the workers (a twentieth of a second
    each). Then the application, its templates and translations, which live as long as the
    worker, are moved out of the garbage collector's sight, so a full collection scans only what
    requests leave behind (a full collection was the 150 ms outlier in every few pages of the
    status board)."""
    celery = getattr(worker.wsgi, "extensions", {}).get("celery")
    if celery is not None:
        with celery.connection_for_write() as connection:
            connection.transport  # noqa: B018  (imports and sets up the transport; connects nothing)
    gc.freeze()
