"""The queue calls of the JSON API: tickets, calling the next one, the public state of a queue."""
from flask import Blueprint, g, jsonify, request

from ..extensions import csrf, db
from ..permissions import Role, role_required
from ..queue import services as queue
from .auth import token_required
from .views import json_body

bp = Blueprint("queue_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def ticket_dict(ticket) -> dict:
    return {"id": ticket.id, "number": ticket.number, "service": ticket.service, "office": ticket.office.code,
            "status": ticket.status, "counter": ticket.counter.code if ticket.counter else None,
            "issued_at": ticket.issued_at.isoformat(),
            "called_at": ticket.called_at.isoformat() if ticket.called_at else None}


@bp.post("/queue/tickets")
@token_required
@role_required(Role.FRONT_OFFICE)
def issue():
    ticket = queue.issue_ticket(g.api_user.office, json_body().get("service"))
    db.session.commit()
    state = queue.queue_state(ticket.office.code)
    return jsonify({**ticket_dict(ticket), "waiting": state.waiting,
                    "estimated_wait_minutes": state.estimated_wait_minutes}), 201


@bp.post("/queue/next")
@token_required
@role_required(Role.FRONT_OFFICE)
def call_next():
    code = json_body().get("counter")
    ticket = queue.call_next(g.api_user, code)
    db.session.commit()
    if ticket is None:
        return jsonify({"number": None, "counter": code, "message": "No one is waiting."})
    return jsonify(ticket_dict(ticket))


@bp.get("/public/queue")
def public_queue():
    return jsonify(queue.queue_state(request.args.get("office")).as_dict())
