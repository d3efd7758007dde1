"""What a citizen sends: an application for a small shop's licence, and documents."""
import io

from office_data import APPLICATION

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML_NAMED_PDF = b"<!doctype html><html><script>alert('pwned')</script></html>"
CONTACT = {"name": "Sok Chanthy", "phone": "012 345 678"}


def apply(client, office="KPS", key=None, data=APPLICATION, service="commercial_licence", lang="en"):
    """The public API speaks Khmer unless asked otherwise; these stories read its English."""
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"/api/v1/public/applications?lang={lang}", headers=headers,
                       json={"service": service, "office": office, "applicant": CONTACT, "data": data})


def upload(client, receipt, content=PDF, name="lease.pdf", document="premises_title_or_lease", lang="en"):
    return client.post(f"/api/v1/public/applications/{receipt['number']}/documents"
                       f"?code={receipt['access_code']}&lang={lang}",
                       data={"file": (io.BytesIO(content), name), "document": document},
                       content_type="multipart/form-data")


def track(client, receipt, lang="en"):
    return client.get(f"/api/v1/public/track?number={receipt['number']}&code={receipt['access_code']}&lang={lang}")
