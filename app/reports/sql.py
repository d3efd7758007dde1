"""Portable SQL pieces for the reports: durations and nearest-rank percentiles, on SQLite and PostgreSQL."""
from sqlalchemy import Float, String, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement


class SecondsBetween(ColumnElement):
    """`end - start` in seconds, computed by the database."""
    inherit_cache = True
    type = Float()

    def __init__(self, start, end):
        self.start, self.end = start, end


@compiles(SecondsBetween, "sqlite")
def _seconds_sqlite(element, compiler, **kw):
    return (f"((julianday({compiler.process(element.end, **kw)}) - "
            f"julianday({compiler.process(element.start, **kw)})) * 86400.0)")


@compiles(SecondsBetween)
def _seconds_postgresql(element, compiler, **kw):
    return f"EXTRACT(EPOCH FROM ({compiler.process(element.end, **kw)} - {compiler.process(element.start, **kw)}))"


def percentiles(rows, groups: list[str], wanted=(50, 90)):
    """Per group of the subquery `rows` (its `value` column), the nearest-rank percentiles: the
    smallest value whose rank reaches p% of the group, so the median of 1, 2, 3, 4 is 2."""
    keys = [rows.c[g] for g in groups]
    ranked = select(*keys, rows.c.value,
                    func.row_number().over(partition_by=keys, order_by=rows.c.value).label("rank"),
                    func.count().over(partition_by=keys).label("n")).subquery()
    ranked_keys = [ranked.c[g] for g in groups]
    return select(*ranked_keys, *[
        func.min(case((ranked.c.rank * 100 >= ranked.c.n * p, ranked.c.value))).label(f"p{p}")
        for p in wanted]).group_by(*ranked_keys)


class LocalMonth(ColumnElement):
    """'YYYY-MM' of a UTC timestamp on the wall clock of a fixed UTC offset (Cambodia keeps one)."""
    inherit_cache = True
    type = String()

    def __init__(self, column, offset_minutes: int):
        self.column, self.offset_minutes = column, int(offset_minutes)


@compiles(LocalMonth, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.column, **kw)}, '{element.offset_minutes:+d} minutes')"


@compiles(LocalMonth)
def _month_postgresql(element, compiler, **kw):
    return (f"to_char(({compiler.process(element.column, **kw)} AT TIME ZONE 'UTC') + "
            f"interval '{element.offset_minutes} minutes', 'YYYY-MM')")
