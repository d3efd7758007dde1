"""The tamper-evident history: each event of a case is hashed with the hash of the one before.

SHA-256 over a canonical JSON form of the event and the previous hash. Each case's latest hash
is kept apart (`audit_head`), so an edited event, a removed one and a cut tail all break the
chain. Events without a case are hashed alone: an edit shows, a removal does not.
This form is part of the stored data: changing it makes every existing history unverifiable.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone


def event_hash(case_id: int | None, at: datetime, actor_id: int | None, kind: str, summary: str,
               data: dict, previous: str | None) -> str:
    canonical = json.dumps(
        {"case": case_id, "at": at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
         "actor": actor_id, "kind": kind, "summary": summary, "data": data, "previous": previous},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where a history stops matching its chain: the event (None: at its end) and what is wrong."""
    case_id: int | None
    event_id: int | None
    problem: str


def chain_break(case_id: int | None, events, head: str | None) -> Break | None:
    """The first break in one case's events, taken in the order they were recorded."""
    previous = None
    for event in events:
        expected = event_hash(event.case_id, event.at, event.actor_id, event.kind, event.summary, event.data,
                              previous)
        if event.hash != expected:
            return Break(case_id, event.id, "an event was changed, or one before it was removed")
        if case_id is not None:
            previous = event.hash
    if case_id is not None and previous != head:
        return Break(case_id, None, "its latest events were removed" if previous else "its history was removed")
    return None
