"""The certificate as a PDF: HTML from the service's template, laid out by WeasyPrint.

Khmer is shaped by Pango/HarfBuzz with Debian's fonts-khmeros (Khmer OS); the QR code is an
SVG made by segno, carrying the verification URL with the signed payload.
"""
import segno
from flask import current_app, render_template
from weasyprint import HTML

from ..extensions import db
from .kinds import KINDS
from .models import Certificate
from .services import verification_url


def certificate_html(certificate: Certificate) -> str:
    kind = KINDS[certificate.service]
    url = verification_url(certificate)
    qr = segno.make(url, error="m")
    return render_template(kind.template, certificate=certificate, kind=kind, office=certificate.office,
                           qr_svg=qr.svg_data_uri(scale=4, border=2), verification_url=url,
                           check_url=current_app.config["PUBLIC_URL"].rstrip("/") + "/certificates/")


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=current_app.root_path).write_pdf()


def pdf_of(certificate: Certificate) -> bytes:
    """Rendered on the first download and kept, so every copy handed out is the same document."""
    if certificate.pdf is None:
        certificate.pdf = html_to_pdf(certificate_html(certificate))
        db.session.flush()
    return certificate.pdf
