"""The catalogue as the public reads it, in one language."""
from flask_babel import force_locale

from ..forms.translation import localized
from ..processes.services import latest_version
from .fees import fixed_fee, public_fee
from .models import Service
from .services import offices_offering


def document_dict(document: dict, lang: str) -> dict:
    name = document.get("name_km") if lang == "km" and document.get("name_km") else document["name_en"]
    return {"key": document["key"], "name": name, "mode": document["mode"]}


def service_dict(service: Service, lang: str) -> dict:
    version = service.current
    definition = latest_version(service.process_key)
    return {
        "key": service.key, "version": version.version, "name": version.name(lang),
        "description": version.description(lang),
        "fee_riel": fixed_fee(version.fee_rule), "fee_rule": public_fee(version.fee_rule),
        "deadline_working_days": version.deadline_working_days,
        "documents": [document_dict(d, lang) for d in version.documents],
        "offices": [{"code": o.code, "name": o.name} for o in offices_offering(version)],
        "legal_basis": version.legal_basis(lang),
        "application_form": _application_form(definition, lang),
    }


def _application_form(definition, lang: str) -> dict:
    """The start form as JSON Schema, its titles and descriptions in the language asked for."""
    with force_locale(lang):
        return localized(definition.form(definition.start_form)) or {"type": "object", "properties": {}}
