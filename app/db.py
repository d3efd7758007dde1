import functools
import math
import threading
import zlib
from datetime import datetime, timezone

import zstandard
from flask import has_request_context, request
from sqlalchemy import DateTime, LargeBinary, MetaData, Text, TypeDecorator, event, text
from sqlalchemy.orm import DeclarativeBase, Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware one")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class CompressedText(TypeDecorator):
    """Text stored zstd-compressed on SQLite; PostgreSQL compresses large values itself (TOAST),
    so there it stays plain text. Reads accept what earlier versions wrote too: zlib, and plain text
    (rows written before compression)."""
    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(LargeBinary() if dialect.name == "sqlite" else Text())

    def process_bind_param(self, value, dialect):
        if value is None or dialect.name != "sqlite":
            return value
        # zstd at level 3 makes a case's state a little smaller than zlib at 6, in a fifth of the time
        return _ZSTD.compressor.compress(value.encode())

    def process_result_value(self, value, dialect):
        if isinstance(value, bytes):
            if value.startswith(_ZSTD_FRAME):
                return _ZSTD.decompressor.decompress(value).decode()
            return zlib.decompress(value).decode()
        return value


_ZSTD_FRAME = b"\x28\xb5\x2f\xfd"  # the magic number every zstd frame begins with; a zlib stream begins 0x78


class _ZstdContexts(threading.local):
    """One compressor and decompressor per thread: zstandard's may not be used by two threads at once."""

    def __init__(self):
        self.compressor = zstandard.ZstdCompressor(level=3)
        self.decompressor = zstandard.ZstdDecompressor()


_ZSTD = _ZstdContexts()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def next_in_counter(session, counter, **key) -> int:
    """One more on the `counter` row of `key` (a model with `last_number`; the row starts at 1), in one
    statement: simultaneous callers queue on the row and each gets its own number; a transaction that
    rolls back gives its number back."""
    # On the session's connection: a plain statement, no ORM bookkeeping.
    return session.connection().execute(_counter_statement(counter, tuple(key)), key).scalar_one()


@functools.cache
def _counter_statement(counter, key: tuple[str, ...]):
    # Plain SQL that PostgreSQL and SQLite (3.35+) both speak, built once per counter: the dialects' upsert
    # constructs have no cache key, so SQLAlchemy compiled them again at every call.
    table, columns = counter.__table__.name, ", ".join(key)
    return text(f"INSERT INTO {table} ({columns}, last_number) VALUES ({', '.join(':' + k for k in key)}, 1) "
                f"ON CONFLICT ({columns}) DO UPDATE SET last_number = {table}.last_number + 1 RETURNING last_number")


_MEMOS = "transaction_memos"


def transaction_memo(session, name: str) -> dict:
    """What `name` keeps in the session for the rest of its transaction (history heads, holidays): forgotten
    when the transaction ends, and when any part of it rolls back, since what that part wrote is gone."""
    return session.info.setdefault(_MEMOS, {}).setdefault(name, {})


def forget_memo(session, name: str) -> None:
    session.info.get(_MEMOS, {}).pop(name, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_memos_at_end(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_MEMOS, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_memos_rolled_back(session, previous_transaction) -> None:
    session.info.pop(_MEMOS, None)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


READING_METHODS = ("GET", "HEAD", "OPTIONS")
# How long a writer waits for the one before it (a script may take its whole CPU budget).
SQLITE_BUSY_TIMEOUT_MS = 30_000


def serialise_sqlite_writers(engine) -> None:
    """SQLite takes one writer at a time: a write transaction takes the write lock when it begins
    (BEGIN IMMEDIATE), so it always reads the state the previous writer left and never fails half way
    on "database is locked". Page views and other reads begin deferred and, with WAL, never wait.
    Everything outside a reading request (CLI, sweeps) writes."""
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below), savepoints work
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        reading = has_request_context() and request.method in READING_METHODS
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


class NearestRank:
    """nearest_rank(p, value): the smallest value whose rank reaches p% of the group, NULLs left out;
    SQLite lacks an ordered-set aggregate (PostgreSQL's percentile_disc gives the same answer)."""

    def __init__(self):
        self.values, self.p = [], 50

    def step(self, p, value):
        self.p = p
        if value is not None:
            self.values.append(value)

    def finalize(self):
        if not self.values:
            return None
        self.values.sort()
        return self.values[max(0, math.ceil(self.p * len(self.values) / 100) - 1)]


def add_sqlite_aggregates(engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.create_aggregate("nearest_rank", 2, NearestRank)
