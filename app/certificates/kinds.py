"""What each service's certificate says and where its facts come from in the case data.

One entry per procedure that ends in a document; its template is
templates/certificates/<service>.html. The signing step is the user task whose completion
with ``signature_decision == "sign"`` issues the certificate.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class CertificateKind:
    service: str
    signing_task: str
    number_prefix: str
    title_en: str
    title_km: str
    holder_fields: tuple[str, ...]  # joined with a space: a family name and a given name
    subject_fields: tuple[str, ...]
    subject_label_en: str
    subject_label_km: str
    register_field: str
    valid_until_field: str | None
    validity_days: int | None  # when the signer gives no date; None: valid for life
    contact_fields: tuple[str, ...]  # where the applicant's phone or email is; the first one given is told

    @property
    def template(self) -> str:
        return f"certificates/{self.service}.html"


KINDS = {kind.service: kind for kind in (
    CertificateKind(
        service="commercial_licence", signing_task="sign_licence", number_prefix="CL",
        title_en="Commercial licence", title_km="អាជ្ញាបណ្ណពាណិជ្ជកម្ម",
        holder_fields=("applicant_name",), subject_fields=("business_name",),
        subject_label_en="Business", subject_label_km="អាជីវកម្ម",
        register_field="licence_number", valid_until_field="licence_valid_until", validity_days=365,
        contact_fields=("applicant_phone", "applicant_email")),
    CertificateKind(
        service="construction_permit", signing_task="sign_permit", number_prefix="CP",
        title_en="Construction permit", title_km="លិខិតអនុញ្ញាតសាងសង់",
        holder_fields=("owner_name",), subject_fields=("plot_address", "plot_commune"),
        subject_label_en="Building plot", subject_label_km="ទីតាំងដីសាងសង់",
        register_field="permit_number", valid_until_field="permit_valid_until", validity_days=365,
        contact_fields=("owner_phone", "owner_email")),
    CertificateKind(
        service="birth_registration", signing_task="sign_certificate", number_prefix="BC",
        title_en="Birth certificate", title_km="សំបុត្របញ្ជាក់កំណើត",
        holder_fields=("child_family_name", "child_given_name"), subject_fields=("place_of_birth",),
        subject_label_en="Place of birth", subject_label_km="ទីកន្លែងកំណើត",
        register_field="certificate_number", valid_until_field=None, validity_days=None,
        contact_fields=("declarant_phone",)),
)}


def kind_for_signing(service: str, task: str) -> CertificateKind | None:
    kind = KINDS.get(service)
    return kind if kind is not None and kind.signing_task == task else None
