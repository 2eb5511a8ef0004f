"""Gunicorn's settings for Missiva's web processes (gunicorn reads this file from the working
directory; the command line still sets the bind address and the number of workers)."""
import gc


def post_worker_init(worker):
    """The application, its templates and translations live as long as the worker: move them out
    of the garbage collector's sight, so a full collection scans only what requests leave behind
    (a full collection was the 150 ms outlier in every few pages of the status board)."""
    gc.freeze()
