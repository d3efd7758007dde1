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
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_ACCOUNT": os.environ.get("LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_LIMIT_ADDRESS": os.environ.get("LOGIN_LIMIT_ADDRESS", "20 per 15 minutes"),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
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
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "MAIL_FROM": os.environ.get("MAIL_FROM") or os.environ.get("SMTP_USER") or "onewindow@localhost",
    }
