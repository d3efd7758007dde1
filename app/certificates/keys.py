"""Each office signs its certificates with its own Ed25519 key.

The private key is a PEM file, readable by its owner only, in CERTIFICATE_KEY_DIR
(default instance/certificate_keys/), named by its key id; the public key is stored in
the database and published at /api/v1/public/keys. Rotating retires the office's key
(it stays published, so what it signed still verifies) and makes a new one.
"""
import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import select

from ..audit.services import record
from ..db import utcnow
from ..errors import DomainError
from ..extensions import db
from .models import SigningKey


class KeyMissing(DomainError):
    status = 503  # the server cannot sign until its key is restored: nothing is written


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_dir() -> Path:
    return Path(current_app.config["CERTIFICATE_KEY_DIR"])


def new_key(office, actor=None) -> SigningKey:
    """Retire the office's current key (if any) and make a new one (also on the office's first certificate)."""
    now = utcnow()
    for old in db.session.scalars(select(SigningKey).where(SigningKey.office_id == office.id,
                                                           SigningKey.retired_at.is_(None))):
        old.retired_at = now
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = f"{office.code}-{hashlib.sha256(public).hexdigest()[:12]}"
    _write_private(key_id, private)
    key = SigningKey(key_id=key_id, office_id=office.id, public_key=b64(public), created_at=now)
    db.session.add(key)
    db.session.flush()
    record("signing_key_created", f"New certificate signing key {key_id} for {office.code}", actor=actor,
           key_id=key_id, office=office.code)
    return key


def _write_private(key_id: str, private: Ed25519PrivateKey) -> None:
    # Written (and synced) before the database row exists: a row never points at a missing file.
    directory = key_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    temporary = directory / f".{key_id}.pem.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(directory / f"{key_id}.pem")


def sign(key: SigningKey, message: bytes) -> bytes:
    path = key_dir() / f"{key.key_id}.pem"
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyMissing(f"The signing key {key.key_id} is missing from {key_dir()}; restore it from the "
                         "backup of instance/, or rotate the office's key (flask certificates rotate-key).")
    return private.sign(message)


def signature_matches(key: SigningKey, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(unb64(key.public_key)).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def public_pem(key: SigningKey) -> str:
    public = Ed25519PublicKey.from_public_bytes(unb64(key.public_key))
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
