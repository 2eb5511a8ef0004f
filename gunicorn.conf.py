"""Gunicorn's settings for Missiva's web processes (gunicorn reads this file from the working
directory; the command line still sets the bind address and the number of workers)."""
import gc


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
