"""Every setting comes from the environment, with a documented default (see API.md).

Language:
  STAFF_LANGUAGE the language of staff pages for someone who has not chosen one: en (default) or km;
                 public pages speak Khmer unless the reader chooses English

Email (notifications are always shown in the app; they are also emailed when SMTP_HOST is set):
  SMTP_HOST      mail server name; empty (the default) sends no email
  SMTP_PORT      587
  SMTP_USER      login name; empty logs in as nobody (a local relay)
  SMTP_PASSWORD  its password
  SMTP_STARTTLS  1 (default) upgrades the connection with STARTTLS before logging in; 0 for a plain relay
  MAIL_FROM      sender address, e.g. "One Window KPS <owso-kps@example.gov.kh>" (default: SMTP_USER,
                 else onewindow@localhost, which most servers refuse: set it)
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from .bounds import JSON_MAX_BYTES, JSON_MAX_DEPTH


def _secret_key(instance_path: str) -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def from_environment(instance_path: str) -> dict:
    project_root = Path(__file__).resolve().parent.parent
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{Path(instance_path) / 'onewindow.sqlite'}"),
        "SCHEDULER_ENABLED": os.environ.get("SCHEDULER_ENABLED", "1") == "1",
        "SWEEP_INTERVAL_SECONDS": float(os.environ.get("SWEEP_INTERVAL_SECONDS", "15")),
        "OUTBOX_INTERVAL_SECONDS": float(os.environ.get("OUTBOX_INTERVAL_SECONDS", "30")),
        # Each script task, condition and timer expression may use this much CPU time and memory.
        "SCRIPT_CPU_SECONDS": float(os.environ.get("SCRIPT_CPU_SECONDS", "2")),
        "SCRIPT_MEMORY_MB": int(os.environ.get("SCRIPT_MEMORY_MB", "256")),
        "BPMN_DIR": os.environ.get("BPMN_DIR", str(project_root / "bpmn")),
        "FORMS_DIR": os.environ.get("FORMS_DIR", str(project_root / "forms")),
        "CATALOGUE_FILE": os.environ.get("CATALOGUE_FILE", str(project_root / "catalogue" / "services.json")),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=float(os.environ.get("SESSION_HOURS", "8"))),
        "API_TOKEN_DAYS": int(os.environ.get("API_TOKEN_DAYS", "30")),
        "BABEL_DEFAULT_LOCALE": os.environ.get("STAFF_LANGUAGE", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        # Behind HTTPS set SESSION_COOKIE_SECURE=1, so the browser never sends the session over plain HTTP.
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        # Failed sign-ins, counted per account and per address (an office's shared address gets more).
        "LOGIN_LIMIT_ACCOUNT": os.environ.get("LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_LIMIT_ADDRESS": os.environ.get("LOGIN_LIMIT_ADDRESS", "20 per 15 minutes"),
        "SESSION_COOKIE_SAMESITE": "Lax",
        # One document; an application form may carry several, hence the request limit.
        "DOCUMENT_MAX_BYTES": int(float(os.environ.get("DOCUMENT_MAX_MB", "10")) * 1024 * 1024),
        "MAX_CONTENT_LENGTH": int(float(os.environ.get("DOCUMENT_MAX_MB", "10")) * 1024 * 1024) * 4 + 1024 * 1024,
        "DOCUMENTS_DIR": os.environ.get("DOCUMENTS_DIR", str(Path(instance_path) / "documents")),
        # JSON request bodies: bytes and nesting depth (case data is flat; see app/bounds.py).
        "JSON_MAX_BYTES": int(os.environ.get("JSON_MAX_BYTES", str(JSON_MAX_BYTES))),
        "JSON_MAX_DEPTH": int(os.environ.get("JSON_MAX_DEPTH", str(JSON_MAX_DEPTH))),
        "WTF_CSRF_TIME_LIMIT": None,
        # Email for notifications. Without SMTP_HOST notifications stay in the app only.
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "587")),
        "SMTP_USER": os.environ.get("SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": os.environ.get("SMTP_STARTTLS", "1") == "1",
        # Certificates: each office's Ed25519 signing keys (back this folder up with the database),
        # and the address printed in the QR code for the public verification page.
        "CERTIFICATE_KEY_DIR": os.environ.get("CERTIFICATE_KEY_DIR", str(Path(instance_path) / "certificate_keys")),
        # Wrong number + access code pairs allowed before tracking answers 429, per address and per case number.
        "TRACK_GUESSES_PER_ADDRESS": os.environ.get("TRACK_GUESSES_PER_ADDRESS", "20 per hour"),
        "TRACK_GUESSES_PER_NUMBER": os.environ.get("TRACK_GUESSES_PER_NUMBER", "10 per hour"),
        # Complaints one address may send (page and API together) before the complaint form answers 429.
        "COMPLAINTS_PER_ADDRESS": os.environ.get("COMPLAINTS_PER_ADDRESS", "10 per hour"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        # SMS to citizens through one gateway (notifications/sms.py documents the JSON POST it sends).
        "SMS_GATEWAY_URL": os.environ.get("SMS_GATEWAY_URL", ""),
        "SMS_GATEWAY_TOKEN": os.environ.get("SMS_GATEWAY_TOKEN", ""),
        "SMS_GATEWAY_USER": os.environ.get("SMS_GATEWAY_USER", ""),
        "SMS_GATEWAY_PASSWORD": os.environ.get("SMS_GATEWAY_PASSWORD", ""),
        "SMS_SENDER": os.environ.get("SMS_SENDER", "OneWindow"),
        # The counter queue's wait estimate before the office has served anyone.
        "QUEUE_DEFAULT_SERVICE_MINUTES": float(os.environ.get("QUEUE_DEFAULT_SERVICE_MINUTES", "10")),
        "MAIL_FROM": os.environ.get("MAIL_FROM") or os.environ.get("SMTP_USER") or "onewindow@localhost",
    }
