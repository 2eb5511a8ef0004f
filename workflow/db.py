"""The SQLAlchemy handle shared by the domain, bound to the app in create_app."""
import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING

from flask import has_request_context
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event

# Named constraints so Alembic migrations are stable across SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))

if TYPE_CHECKING:  # what db.Model is, for the type checker (a base class cannot be a variable)
    from sqlalchemy.orm import DeclarativeBase

    class Model(DeclarativeBase):
        pass
else:
    Model = db.Model


_reading: ContextVar[bool] = ContextVar("reading", default=False)


@contextmanager
def reading() -> Iterator[None]:
    """Transactions begun inside only read: on SQLite they start DEFERRED and take no write lock
    (a worker reading a message before a slow SMTP exchange must not hold up every writer).
    End the transaction inside the block, before anything is written."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_first(view: Callable) -> Callable:
    """For a view that reads and checks what was posted before it writes (the answer form): on
    SQLite its transaction starts without the write lock, and `start_writing()` ends it before the
    first write, so the one writer at a time waits only while the answer is stored, not while a
    form of 13 sections is built and checked. Elsewhere (PostgreSQL) nothing changes."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if db.engine.dialect.name != "sqlite":
            return view(*args, **kwargs)
        token = _reading.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _reading.reset(token)
    return wrapper


def start_writing(*fresh) -> None:
    """In a `reads_first` view, before its first write: the reading transaction ends (nothing was
    written) and the next one takes the write lock. What the reading one loaded stays loaded, but
    `fresh` is read again, in the writing transaction, as it is next used: each an object, or
    (object, attribute names) for only those (what someone else may have changed in between and
    decides the write). Anywhere else it does nothing."""
    if _reading.get() and has_request_context():
        commit_keeping()
        _reading.set(False)
        for item in fresh:
            target, names = item if isinstance(item, tuple) else (item, None)
            db.session.expire(target, names)


def commit_keeping() -> None:
    """Commit without expiring what the session has loaded, so the objects just read stay
    readable without another query (a worker's claimed message and its call, while it is sent)."""
    session = db.session()
    expiring, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def configure_sqlite(engine, reads_only: Callable[[], bool] = lambda: False) -> None:
    """Make SQLite transactions behave: Python's sqlite3 only opens a transaction before DML, so a
    SAVEPOINT outside one commits when released. We open every transaction ourselves, and use WAL
    so readers and the writer do not block each other. A transaction that may write starts
    IMMEDIATE (taking the write lock at once, so the web process and a worker never deadlock
    upgrading a read to a write); one that only reads (`reads_only()`, e.g. a GET request) starts
    DEFERRED and never waits behind a writer. With WAL, synchronous=NORMAL keeps the database
    consistent through any crash and loses at most the last commits on a power failure.

    SQLite has one writer at a time, and a writer that finds the lock taken polls for it with
    growing sleeps (up to 100 ms each): at a deadline rush most of the time went to those sleeps
    while the lock was free. So every writer of a database file first takes an exclusive flock on
    "<file>-writer" (every process and thread of this code does): waiters sleep in the kernel and
    the next one wakes the moment the lock is released. The busy timeout stays for other writers."""
    path = engine.url.database
    lock_path = f"{path}-writer" if path and path != ":memory:" and not path.startswith("file:") else None

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # SQLite's advice for WAL: safe from corruption
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        if lock_path:
            record.info["writer"] = open(lock_path, "ab")  # noqa: SIM115 (closed with the connection)

    @event.listens_for(engine, "begin")
    def _begin(connection):
        if reads_only() or _reading.get():
            connection.exec_driver_sql("BEGIN")
            return
        info = connection.connection.info
        if "writer" in info and not info.get("writing"):
            fcntl.flock(info["writer"], fcntl.LOCK_EX)
            info["writing"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(info)
            raise

    def _end(statement: str):
        def handler(connection):
            # These events come before SQLAlchemy's own COMMIT/ROLLBACK (which then has nothing to
            # do): end the transaction here so the file lock is released after it, not before.
            info = connection.connection.info
            if not info.get("writing"):
                return
            try:
                connection.connection.dbapi_connection.execute(statement)
            finally:
                _release(info)
        return handler

    event.listen(engine, "commit", _end("COMMIT"))
    event.listen(engine, "rollback", _end("ROLLBACK"))

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_connection, record):
        _release(record.info)  # a connection given back in a transaction: the pool rolled it back

    @event.listens_for(engine, "invalidate")
    def _invalidate(dbapi_connection, record, exception):
        _release(record.info)

    @event.listens_for(engine, "close")
    def _close(dbapi_connection, record):
        _release(record.info)
        if "writer" in record.info:
            record.info.pop("writer").close()


def _release(info: dict) -> None:
    if info.pop("writing", False):
        fcntl.flock(info["writer"], fcntl.LOCK_UN)
