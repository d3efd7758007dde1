"""Certificates: issued when the signing step completes, signed, rendered, verified, revoked.

The signed payload is ``OW1.<claims>.<signature>``: the claims are compact JSON in
base64url, the signature is Ed25519 by the issuing office's key over the bytes
``OW1.<claims>``. Anyone with the public key (GET /api/v1/public/keys) can check it offline.
"""
import json
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from ..accounts.models import Office
from ..audit.services import record
from ..cases.models import Case
from ..cases.presenters import history_teller
from ..cases.queries import visible_case
from ..cases.write_path import on_work_completed
from ..db import utcnow
from ..errors import BadRequest, Conflict, Forbidden, NotFound
from ..extensions import db
from ..i18n import language, local_date
from ..notifications.services import Message, message_for, notify_citizen
from ..permissions import may_revoke_certificate, may_see_case
from . import keys
from .kinds import KINDS, CertificateKind, kind_for_signing
from .models import Certificate, SigningKey

PAYLOAD_PREFIX = "OW1"
MAX_PAYLOAD_LENGTH = 4000
MAX_REASON_LENGTH = 1000


def office_today(office) -> date:
    return utcnow().astimezone(ZoneInfo(office.timezone)).date()


# --- issuing ----------------------------------------------------------------------------

@on_work_completed
def issue_when_signed(case: Case, item, actor, data: dict) -> None:
    kind = kind_for_signing(case.definition.key, item.task)
    if kind is not None and data.get("signature_decision") == "sign":
        issue(case, kind, actor)


# Signing asks, in one statement, whether the case already has its certificate and which key its office
# signs with now (none before the office's first certificate). Built once.
_ISSUED_AND_KEY = (
    select(select(Certificate.id).where(Certificate.case_id == bindparam("case_id")).scalar_subquery(), SigningKey)
    .select_from(Office)
    .outerjoin(SigningKey, (SigningKey.office_id == Office.id) & SigningKey.retired_at.is_(None))
    .where(Office.id == bindparam("office_id")))


def issue(case: Case, kind: CertificateKind, signer) -> Certificate:
    issued, key = db.session.execute(_ISSUED_AND_KEY, {"case_id": case.id, "office_id": case.office_id}).first()
    if issued is not None:
        return db.session.get(Certificate, issued)
    data = case.data
    issued_on = office_today(case.office)
    valid_until = _valid_until(kind, data, issued_on)
    year, sequence = case.number.rsplit("-", 2)[-2:]
    key = key or keys.new_key(case.office)
    certificate = Certificate(
        number=f"{case.office.code}-{kind.number_prefix}-{year}-{sequence}", case_id=case.id,
        office_id=case.office_id, service=kind.service, holder=_joined(data, kind.holder_fields),
        subject=_joined(data, kind.subject_fields), register_number=data.get(kind.register_field) or None,
        issued_at=utcnow(), issued_on=issued_on, valid_until=valid_until,
        signatory=signer.display_name if signer else "", signed_by_id=signer.id if signer else None,
        key_id=key.key_id, payload="")
    certificate.payload = _signed_payload(certificate, case.office.code, key)
    db.session.add(certificate)
    record("certificate_issued", f"{kind.title_en} {certificate.number} issued to {certificate.holder}"
           + (f", valid until {valid_until.isoformat()}" if valid_until else ""),
           actor=signer, case=case, certificate=certificate.number, key_id=key.key_id, service=kind.service,
           holder=certificate.holder, valid_until=valid_until.isoformat() if valid_until else None)
    contact = next((data[f] for f in kind.contact_fields if data.get(f)), None)
    notify_citizen(contact, "certificate_issued", {
        "service": kind.service, "certificate": certificate.number, "subject": certificate.subject,
        "number": case.number, "office": case.office.name,
        "check_url": f"{current_app.config['PUBLIC_URL'].rstrip('/')}/certificates/?number={certificate.number}"},
        case=case)
    db.session.flush()  # the certificate and the applicant's notification together
    return certificate


@history_teller("certificate_issued")
def _issued(data: dict, case) -> str | None:
    if "holder" not in data:
        return None  # recorded before the event kept the holder
    kind = KINDS[data["service"]]
    words = dict(title=kind.title_km if language() == "km" else kind.title_en, certificate=data["certificate"],
                 holder=data["holder"])
    if data["valid_until"]:
        return _("%(title)s %(certificate)s issued to %(holder)s, valid until %(day)s",
                 day=local_date(date.fromisoformat(data["valid_until"])), **words)
    return _("%(title)s %(certificate)s issued to %(holder)s", **words)


@message_for("certificate_issued")
def _certificate_signed(params: dict, case) -> Message:
    kind = KINDS[params["service"]]
    title, in_a_sentence = (kind.title_km,) * 2 if language() == "km" else (kind.title_en, kind.title_en.lower())
    return Message(
        _("%(title)s %(certificate)s is signed", title=title, certificate=params["certificate"]),
        _("Your %(title)s for %(subject)s (case %(number)s) is signed. Collect it at %(office)s with your identity "
          "card. Anyone can check it at %(url)s", title=in_a_sentence, subject=params["subject"],
          number=params["number"], office=params["office"], url=params["check_url"]))


def _joined(data: dict, fields: tuple[str, ...]) -> str:
    return " ".join(str(data[f]).strip() for f in fields if data.get(f)) or "—"


def _valid_until(kind: CertificateKind, data: dict, issued_on: date) -> date | None:
    given = data.get(kind.valid_until_field) if kind.valid_until_field else None
    if given:
        return date.fromisoformat(given)
    return issued_on + timedelta(days=kind.validity_days) if kind.validity_days else None


def claims_of(certificate: Certificate, office_code: str) -> dict:
    return {"n": certificate.number, "s": certificate.service, "h": certificate.holder, "b": certificate.subject,
            "o": office_code, "i": certificate.issued_on.isoformat(),
            "v": certificate.valid_until.isoformat() if certificate.valid_until else None, "k": certificate.key_id}


def _signed_payload(certificate: Certificate, office_code: str, key: SigningKey) -> str:
    body = json.dumps(claims_of(certificate, office_code), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()
    signed = f"{PAYLOAD_PREFIX}.{keys.b64(body)}"
    return f"{signed}.{keys.b64(keys.sign(key, signed.encode()))}"


def verification_url(certificate: Certificate) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/certificates/check?p={certificate.payload}"


# --- reading ----------------------------------------------------------------------------

def certificate_of_case(case: Case) -> Certificate | None:
    return db.session.scalars(select(Certificate).where(Certificate.case_id == case.id)).first()


def certificate_summary(case: Case) -> dict | None:
    certificate = certificate_of_case(case)
    if certificate is None:
        return None
    return {"number": certificate.number, "status": certificate.status(office_today(case.office)),
            "payload": certificate.payload}


def for_staff(user, case_id: int) -> Certificate:
    case = visible_case(user, case_id)
    certificate = certificate_of_case(case)
    if certificate is None:
        raise NotFound(_("Case %(number)s has no certificate yet: one is issued when the signing step is "
                         "completed with the decision to sign.", number=case.number))
    return certificate


def by_number(number: str) -> Certificate:
    certificate = db.session.scalars(select(Certificate).where(Certificate.number == number.strip())).first()
    if certificate is None:
        raise NotFound(_("There is no certificate numbered '%(number)s'. Check the number printed on it.",
                         number=number.strip()))
    return certificate


def public_view(certificate: Certificate) -> dict:
    kind = KINDS[certificate.service]
    return {
        "number": certificate.number, "status": certificate.status(office_today(certificate.office)),
        "holder": certificate.holder, "subject": certificate.subject, "service": kind.service,
        "service_name": kind.title_en, "service_name_km": kind.title_km,
        "office": certificate.office.code, "office_name": certificate.office.name,
        "issued_on": certificate.issued_on.isoformat(),
        "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else None,
        "revoked_on": _revoked_on(certificate), "revocation_reason": certificate.revocation_reason,
    }


def _revoked_on(certificate: Certificate) -> str | None:
    if certificate.revoked_at is None:
        return None
    return certificate.revoked_at.astimezone(ZoneInfo(certificate.office.timezone)).date().isoformat()


@dataclass
class Verification:
    valid: bool
    status: str  # valid, revoked, expired, unknown, invalid
    message: str
    certificate: dict | None = None
    record: Certificate | None = None  # for the page; not part of the answer

    def as_dict(self) -> dict:
        return {"valid": self.valid, "status": self.status, "message": self.message,
                "certificate": self.certificate}


def verify(payload) -> Verification:
    """Check a QR payload: the signature first, then what the register says about it now."""
    if not isinstance(payload, str) or not payload.strip():
        raise BadRequest(_("Send the text of the certificate's QR code as {\"payload\": \"OW1....\"}."))
    claims, reason = _checked_claims(payload.strip())
    if claims is None:
        return Verification(False, "invalid", reason)
    certificate = db.session.scalars(select(Certificate).where(Certificate.number == claims["n"])).first()
    if certificate is None or certificate.payload != payload.strip():
        return Verification(False, "unknown", _("The signature is genuine, but certificate %(number)s is not in "
                                                "the register. Ask the issuing office.", number=claims["n"]))
    view = public_view(certificate)
    if view["status"] == "revoked":
        message = _("Certificate %(number)s was revoked on %(day)s: %(reason)s", number=certificate.number,
                    day=view["revoked_on"], reason=certificate.revocation_reason)
        return Verification(False, "revoked", message, view, certificate)
    if view["status"] == "expired":
        message = _("Certificate %(number)s expired on %(day)s.", number=certificate.number, day=view["valid_until"])
        return Verification(False, "expired", message, view, certificate)
    return Verification(True, "valid", _("Certificate %(number)s is genuine and valid.", number=certificate.number),
                        view, certificate)


def _checked_claims(payload: str) -> tuple[dict | None, str]:
    forged = _("This code was not signed by a One Window office: the certificate is forged or was altered.")
    if len(payload) > MAX_PAYLOAD_LENGTH:
        return None, forged
    parts = payload.split(".")
    if len(parts) != 3 or parts[0] != PAYLOAD_PREFIX or not parts[1] or not parts[2]:
        return None, _("This is not a One Window certificate code (it should start with OW1. and have three "
                       "parts).")
    try:
        prefix, body, signature = parts
        claims = json.loads(keys.unb64(body))
        raw_signature = keys.unb64(signature)
    except ValueError:
        return None, forged
    if not isinstance(claims, dict) or not isinstance(claims.get("k"), str) or not isinstance(claims.get("n"), str):
        return None, forged
    key = db.session.scalars(select(SigningKey).where(SigningKey.key_id == claims["k"])).first()
    if key is None or not keys.signature_matches(key, f"{prefix}.{body}".encode(), raw_signature):
        return None, forged
    return claims, ""


def published_keys() -> list[dict]:
    rows = db.session.scalars(select(SigningKey).order_by(SigningKey.office_id, SigningKey.created_at))
    return [{"key_id": key.key_id, "office": key.office.code, "algorithm": "Ed25519",
             "public_key": key.public_key, "public_key_pem": keys.public_pem(key),
             "created_at": key.created_at.isoformat(),
             "retired_at": key.retired_at.isoformat() if key.retired_at else None} for key in rows]


# --- revoking ---------------------------------------------------------------------------

def revoke(user, number: str, reason) -> Certificate:
    certificate = by_number(number)
    if not may_see_case(user, certificate.case):
        raise NotFound(_("There is no certificate numbered '%(number)s' in your office.", number=number))
    if not may_revoke_certificate(user, certificate):
        raise Forbidden(_("Only the chief of the issuing office may revoke a certificate."))
    if not isinstance(reason, str) or not reason.strip():
        raise BadRequest(_("Say why the certificate is revoked: {\"reason\": \"...\"}; the reason is shown to "
                           "anyone who checks it."))
    if len(reason) > MAX_REASON_LENGTH:
        raise BadRequest(_("The reason is too long: at most %(limit)s characters.", limit=MAX_REASON_LENGTH))
    if certificate.revoked_at is not None:
        raise Conflict(_("Certificate %(number)s was already revoked on %(day)s.", number=certificate.number,
                         day=_revoked_on(certificate)))
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = user.id
    certificate.revocation_reason = reason.strip()
    record("certificate_revoked", f"Certificate {certificate.number} revoked: {certificate.revocation_reason}",
           actor=user, case=certificate.case, certificate=certificate.number, reason=certificate.revocation_reason)
    db.session.flush()
    return certificate
