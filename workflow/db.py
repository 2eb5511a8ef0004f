"""The SQLAlchemy handle shared by the domain, bound to the app in create_app."""
from collections.abc import Callable
from typing import TYPE_CHECKING

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


def configure_sqlite(engine, reads_only: Callable[[], bool] = lambda: False) -> None:
    """Make SQLite transactions behave: Python's sqlite3 only opens a transaction before DML, so a
    SAVEPOINT outside one commits when released. We open every transaction ourselves, and use WAL
    so readers and the writer do not block each other. A transaction that may write starts
    IMMEDIATE (taking the write lock at once, so the web process and a worker never deadlock
    upgrading a read to a write); one that only reads (`reads_only()`, e.g. a GET request) starts
    DEFERRED and never waits behind a writer. With WAL, synchronous=NORMAL keeps the database
    consistent through any crash and loses at most the last commits on a power failure."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # SQLite's advice for WAL: safe from corruption
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN" if reads_only() else "BEGIN IMMEDIATE")
