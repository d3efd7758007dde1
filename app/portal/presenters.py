"""The public view of one case: what its applicant may read, never staff names or notes."""
from ..db import utcnow
from ..complaints.services import is_complaint, outcome
from ..documents.services import documents_of
from ..i18n import translated
from ..feedback.services import feedback_of_case
from .services import (certificate_pdf_url, held_certificate, late_by_working_days, public_history, status_words,
                       waiting_on_applicant)


def public_state(case) -> str:
    if case.status == "completed":
        return "completed"
    return "waiting_on_applicant" if waiting_on_applicant(case) else "in_progress"


def public_view(case, lang: str) -> dict:
    now = utcnow()
    promise = case.service_version
    waiting = waiting_on_applicant(case)
    return {
        "number": case.number, "service": promise.name(lang) if promise else translated(case.definition.name),
        "office": case.office.name, "channel": case.channel,
        "status": public_state(case), "status_text": status_words(case),
        "current_steps": [translated(item.name) for item in case.open_items if item.escalation_level is None],
        "promised_date": case.promised_at.isoformat() if case.promised_at else None,
        "late_working_days": late_by_working_days(case, now),
        "corrections_requested": case.data.get("corrections_requested") if waiting else None,
        "history": [{"at": event.at.isoformat(), "what": event.text} for event in public_history(case)],
        "documents": [{"id": d.id, "filename": d.filename, "uploaded_at": d.uploaded_at.isoformat()}
                      for d in documents_of(case)],
        "certificate": _certificate(case),
        "feedback": _feedback(case),
        "complaint": _complaint(case),
    }


def _complaint(case) -> dict | None:
    if not is_complaint(case):
        return None
    decided = outcome(case)
    return {"category": case.data.get("complaint_subject"), "outcome": decided.as_dict() if decided else None}


def _certificate(case) -> dict | None:
    held = held_certificate(case)
    if held is None:
        return None
    return {"number": held.certificate.number, "status": held.status,
            "pdf_url": certificate_pdf_url(case) if held.downloadable else None}


def _feedback(case) -> dict:
    """What the applicant said of the service, or whether they may still say it."""
    given = feedback_of_case(case)
    if given is not None:
        return {"may_rate": False, "rating": given.rating, "rated_at": given.created_at.isoformat()}
    return {"may_rate": case.status == "completed" and not is_complaint(case), "rating": None, "rated_at": None}
