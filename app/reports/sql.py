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


def percentiles(rows, groups: list[str], wanted=(50, 90), values=("value",), with_count=False, also=None):
    """Per group of the subquery `rows`, the nearest-rank percentiles of each column in `values`: the
    smallest value whose rank reaches p% of the group, so the median of 1, 2, 3, 4 is 2 (p100 is the
    largest). One pass over the rows whatever the number of columns; columns p50, p90 for one value,
    VALUE_p50 ... for several, then the group's size `n` when `with_count`, then `also`'s columns, each
    aggregated as it says ({"name": func.max})."""
    also = also or {}
    keys = [rows.c[g] for g in groups]
    ranked = select(*keys, *[rows.c[v] for v in values], *[rows.c[c] for c in also],
                    *[func.row_number().over(partition_by=keys, order_by=rows.c[v]).label(f"rank_{v}")
                      for v in values],
                    func.count().over(partition_by=keys).label("n")).subquery()
    ranked_keys = [ranked.c[g] for g in groups]

    def label(value, p):
        return f"p{p}" if len(values) == 1 else f"{value}_p{p}"
    return select(*ranked_keys, *[
        func.min(case((ranked.c[f"rank_{v}"] * 100 >= ranked.c.n * p, ranked.c[v]))).label(label(v, p))
        for v in values for p in wanted], *([func.max(ranked.c.n).label("n")] if with_count else []),
        *[aggregate(ranked.c[c]).label(c) for c, aggregate in also.items()]).group_by(*ranked_keys)


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
