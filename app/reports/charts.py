"""Report rows turned into bars for the SVG charts (values scaled to the longest bar)."""
from flask_babel import gettext as _

CHANNELS = {"counter": "channel-counter", "online": "channel-online", "phone": "channel-phone"}


def channel_names() -> dict:
    return {"counter": _("At the counter"), "online": _("Online"), "phone": _("By phone")}


def standard_bars(rows, names) -> list[dict]:
    return [{"label": f"{r.office} · {names.get(r.process, r.process)}",
             "parts": [(r.on_time_rate, "on-time", _("on time")), (1 - r.on_time_rate, "late", _("late"))],
             "text": f"{round(r.on_time_rate * 100)}%"} for r in rows if r.on_time_rate is not None]


def step_bars(rows) -> list[dict]:
    longest = max((r.median_waiting_hours + r.median_working_hours for r in rows), default=0) or 1
    return [{"label": r.name, "parts": (
        [(r.median_waiting_hours / longest, "send-back", _("waiting on the applicant"))] if r.send_back else
        [(r.median_waiting_hours / longest, "waiting", _("waiting to be taken")),
         (r.median_working_hours / longest, "working", _("being worked on"))]),
        "text": _("%(hours)s h", hours=round(r.median_waiting_hours + r.median_working_hours, 1))} for r in rows]


def channel_bars(rows) -> list[dict]:
    months: dict[str, dict[str, int]] = {}
    for r in rows:
        months.setdefault(r.month, {})[r.channel] = r.cases
    longest = max((sum(m.values()) for m in months.values()), default=0) or 1
    names = channel_names()
    return [{"label": month, "parts": [(n / longest, CHANNELS.get(channel, "channel-other"),
                                        f"{names.get(channel, channel)}: {n}") for channel, n in sorted(counts.items())],
             "text": str(sum(counts.values()))} for month, counts in months.items()]
