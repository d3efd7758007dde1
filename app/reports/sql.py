"""Portable SQL pieces for the reports: durations and nearest-rank percentiles, on SQLite and PostgreSQL."""
from sqlalchemy import Float, String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class SecondsBetween(ColumnElement):
    """`end - start` in seconds, computed by the database."""
    inherit_cache = True
    type = Float()
    _traverse_internals = [("start", InternalTraversal.dp_clauseelement), ("end", InternalTraversal.dp_clauseelement)]

    def __init__(self, start, end):
        self.start, self.end = start, end

    @property
    def _from_objects(self):
        return [*self.start._from_objects, *self.end._from_objects]


@compiles(SecondsBetween, "sqlite")
def _seconds_sqlite(element, compiler, **kw):
    return (f"((julianday({compiler.process(element.end, **kw)}) - "
            f"julianday({compiler.process(element.start, **kw)})) * 86400.0)")


@compiles(SecondsBetween)
def _seconds_postgresql(element, compiler, **kw):
    return f"EXTRACT(EPOCH FROM ({compiler.process(element.end, **kw)} - {compiler.process(element.start, **kw)}))"


class Percentile(ColumnElement):
    """The nearest-rank p-th percentile of `value` over a group: the smallest value whose rank reaches
    p% of the group's values, so the median of 1, 2, 3, 4 is 2 (p100 is the largest); NULLs left out.
    An aggregate the database computes in one pass: PostgreSQL's percentile_disc, SQLite's
    nearest_rank (app/db.py)."""
    inherit_cache = True
    type = Float()
    _traverse_internals = [("value", InternalTraversal.dp_clauseelement), ("p", InternalTraversal.dp_plain_obj)]

    def __init__(self, value, p: int):
        self.value, self.p = value, int(p)

    @property
    def _from_objects(self):
        return self.value._from_objects


@compiles(Percentile, "sqlite")
def _percentile_sqlite(element, compiler, **kw):
    return f"nearest_rank({element.p}, {compiler.process(element.value, **kw)})"


@compiles(Percentile)
def _percentile_postgresql(element, compiler, **kw):
    return f"percentile_disc({element.p / 100!r}) WITHIN GROUP (ORDER BY {compiler.process(element.value, **kw)})"


def percentiles(rows, groups: list[str], wanted=(50, 90), values=("value",), with_count=False, also=None):
    """Per group of the subquery `rows`, the percentiles `wanted` of each column in `values`: columns
    p50, p90 for one value, VALUE_p50 ... for several, then the group's size `n` when `with_count`,
    then `also`'s columns, each aggregated as it says ({"name": func.max})."""
    keys = [rows.c[g] for g in groups]

    def label(value, p):
        return f"p{p}" if len(values) == 1 else f"{value}_p{p}"
    return select(*keys, *[Percentile(rows.c[v], p).label(label(v, p)) for v in values for p in wanted],
                  *([func.count().label("n")] if with_count else []),
                  *[aggregate(rows.c[c]).label(c) for c, aggregate in (also or {}).items()]).group_by(*keys)


class LocalMonth(ColumnElement):
    """'YYYY-MM' of a UTC timestamp on the wall clock of a fixed UTC offset (Cambodia keeps one)."""
    inherit_cache = True
    type = String()
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("offset_minutes", InternalTraversal.dp_plain_obj)]

    def __init__(self, column, offset_minutes: int):
        self.column, self.offset_minutes = column, int(offset_minutes)

    @property
    def _from_objects(self):
        return self.column._from_objects


@compiles(LocalMonth, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.column, **kw)}, '{element.offset_minutes:+d} minutes')"


@compiles(LocalMonth)
def _month_postgresql(element, compiler, **kw):
    return (f"to_char(({compiler.process(element.column, **kw)} AT TIME ZONE 'UTC') + "
            f"interval '{element.offset_minutes} minutes', 'YYYY-MM')")
