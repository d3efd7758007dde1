"""Storing and serving documents. `store` flushes and audits; the caller commits once."""
import hashlib
import os
import tempfile
from pathlib import Path

import filetype
from flask import Response, current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.services import record
from ..db import utcnow
from ..errors import DomainError, Rejected, TooLarge
from ..extensions import db
from .models import Document

# Recognised from the file's first bytes, never from its name.
ACCEPTED = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


class UnsupportedType(DomainError):
    status = 415


def _storage() -> Path:
    return Path(current_app.config["DOCUMENTS_DIR"])


def _path(sha256: str) -> Path:
    return _storage() / sha256[:2] / sha256


def check(filename: str, content: bytes) -> str:
    """The content type of an acceptable document; 413 or 415 before anything is written."""
    limit = current_app.config["DOCUMENT_MAX_BYTES"]
    if len(content) > limit:
        raise TooLarge(_("%(name)s is %(size)s MB; a document may be at most %(limit)s MB.", name=filename,
                         size=round(len(content) / 1048576, 1), limit=limit // 1048576), {"file": filename})
    if not content:
        raise Rejected(_("%(name)s is empty; choose the scanned document again.", name=filename), {"file": filename})
    kind = filetype.guess(content)
    if kind is None or kind.mime not in ACCEPTED:
        raise UnsupportedType(_("%(name)s is not a PDF, JPEG or PNG file (whatever its name says); scan or save "
                                "the document as one of those.", name=filename), {"file": filename})
    return kind.mime


def store(case, filename: str, content: bytes, actor=None, document_key: str | None = None) -> Document:
    content_type = check(filename, content)
    digest = hashlib.sha256(content).hexdigest()
    path = _path(digest)
    if not path.exists():  # the same bytes are kept once, however often they are uploaded
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    name = Path(filename.replace("\\", "/")).name[:200] or "document"
    document = Document(case_id=case.id, sha256=digest, filename=name, content_type=content_type, size=len(content),
                        document_key=document_key, uploaded_by_id=actor.id if actor else None, uploaded_at=utcnow())
    db.session.add(document)
    db.session.flush()
    who = actor.display_name if actor else "The applicant"
    record("document_added", f"{who} added {name} ({ACCEPTED[content_type]}, {len(content):,} bytes)",
           actor=actor, case=case, document=document.id, sha256=digest, document_key=document_key, filename=name,
           file_type=ACCEPTED[content_type], size=len(content))
    return document


def documents_of(case) -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.id)))


def document_of(case, document_id: int) -> Document | None:
    document = db.session.get(Document, document_id)
    return document if document is not None and document.case_id == case.id else None


def download(document: Document) -> Response:
    """The file as an attachment that the browser may not sniff, run or render in our origin."""
    response = Response(_path(document.sha256).read_bytes(), mimetype=document.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=document.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
