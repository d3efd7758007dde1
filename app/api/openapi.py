"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

This is the maintained contract: every /api/v1 route has an entry in PATHS (and every entry a
route); tests/test_openapi.py fails when they drift apart, and schemathesis checks that every
answer the app gives matches what is written here. Adding a route: add its path under PATHS
with `operation(...)`, reusing the schemas in SCHEMAS (add new ones there), and list every
status it can answer with (the errors with `errors(...)`).
"""

ID_MAX = 2**31 - 1  # the largest id the PostgreSQL schema holds (see app/bounds.py)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


TIME = {"type": "string", "format": "date-time"}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error", "details"],
        "properties": {"error": {"type": "string", "description": "a sentence that says what to fix"},
                       "details": {"description": "per-field messages or a list of problems, when there are"}},
    },
    "Token": {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}},
    "Credentials": {
        "type": "object", "required": ["username", "password"],
        "properties": {"username": {"type": "string", "maxLength": 80}, "password": {"type": "string"}},
    },
    "Process": {
        "type": "object", "required": ["key", "name", "version"],
        "properties": {"key": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "integer"}},
    },
    "Deployment": {
        "type": "object", "required": ["key", "version", "unchanged"],
        "properties": {"key": {"type": "string"}, "version": {"type": "integer"},
                       "unchanged": {"type": "boolean", "description": "true: the same diagram was deployed before"}},
    },
    "Decision": {
        "type": "object", "required": ["key", "name", "version"],
        "properties": {"key": {"type": "string", "description": "the decision's id in the DMN file"},
                       "name": {"type": "string"}, "version": {"type": "integer"}},
    },
    "DecisionDeployment": {
        "type": "object", "required": ["key", "version", "unchanged", "procedures"],
        "properties": {"key": {"type": "string"}, "version": {"type": "integer"},
                       "unchanged": {"type": "boolean", "description": "true: the same table was deployed before"},
                       "procedures": {"type": "array", "items": {
                           "type": "object", "required": ["key", "version"],
                           "properties": {"key": {"type": "string"}, "version": {"type": "integer"}}},
                           "description": "procedures that evaluate the table, deployed again to use it"}},
    },
    "CaseData": {
        "type": "object",
        "description": "Field names and values, as the procedure's form declares them (GET the work item's "
                       "form_schema); a task without a form takes plain identifiers as names.",
    },
    "StartCase": {
        "type": "object", "required": ["process"],
        "properties": {"process": {"type": "string", "description": "the procedure's key",
                                   "examples": ["commercial_licence"]},
                       "data": ref("CaseData"),
                       "channel": {"type": "string", "enum": ["counter", "phone"], "default": "counter",
                                   "description": "how the application came in"}},
    },
    "StartedCase": {
        "type": "object", "required": ["id", "number", "status", "access_code", "work_items"],
        "properties": {"id": {"type": "integer"}, "number": {"type": "string"},
                       "status": {"type": "string", "enum": ["running", "completed", "error"]},
                       "access_code": {"type": "string", "description": "with the number, opens public tracking"},
                       "work_items": {"type": "array", "items": ref("WorkItem"),
                                      "description": "the new case's open work, the first step to take"}},
    },
    "Application": {
        "type": "object", "required": ["service", "office", "applicant", "data"],
        "properties": {
            "service": {"type": "string", "description": "the service's key"},
            "office": {"type": "string", "description": "the code of an office that offers it"},
            "applicant": {"type": "object", "required": ["name", "phone"], "properties": {
                "name": {"type": "string", "maxLength": 120}, "phone": {"type": "string", "maxLength": 20},
                "email": {"type": "string", "maxLength": 200}}},
            "data": {"type": "object", "description": "the service's application_form fields"},
            "idempotency_key": {"type": "string", "minLength": 8, "maxLength": 100,
                                "description": "or the Idempotency-Key header: a replay returns the first case"},
        },
    },
    "ApplicationReceipt": {
        "type": "object", "required": ["number", "access_code", "tracking_url"],
        "properties": {"number": {"type": "string"}, "access_code": {"type": "string"},
                       "tracking_url": {"type": "string"}},
    },
    "PublicCase": {
        "type": "object",
        "required": ["number", "service", "office", "channel", "status", "status_text", "current_steps",
                     "promised_date", "late_working_days", "corrections_requested", "history", "documents",
                     "certificate", "feedback", "complaint"],
        "properties": {
            "number": {"type": "string"}, "service": {"type": "string"}, "office": {"type": "string"},
            "channel": {"type": "string"},
            "status": {"type": "string", "enum": ["in_progress", "waiting_on_applicant", "completed"]},
            "status_text": {"type": "string"}, "current_steps": {"type": "array", "items": {"type": "string"}},
            "promised_date": nullable(TIME), "late_working_days": {"type": "integer"},
            "corrections_requested": nullable({"type": "string"}),
            "history": {"type": "array", "items": {"type": "object", "required": ["at", "what"], "properties": {
                "at": TIME, "what": {"type": "string"}}}},
            "documents": {"type": "array", "items": ref("PublicDocument")},
            "certificate": nullable({
                "type": "object", "required": ["number", "status", "pdf_url"],
                "properties": {"number": {"type": "string"},
                               "status": {"type": "string", "enum": ["valid", "revoked", "expired"]},
                               "pdf_url": {**nullable({"type": "string"}),
                                           "description": "the PDF for the holder of the number and code; "
                                                          "null once revoked"}}}),
            "complaint": nullable({
                "type": "object", "required": ["category", "outcome"],
                "description": "for a complaint to the District Ombudsman; null for an application",
                "properties": {"category": {"type": "string"}, "outcome": nullable({
                    "type": "object", "required": ["admissible", "finding", "finding_text", "reasons", "referred_to"],
                    "description": "once the Ombudsman informed the complainant",
                    "properties": {"admissible": {"type": "boolean"},
                                   "finding": nullable({"type": "string", "enum": [
                                       "upheld", "partly_upheld", "not_upheld", "resolved_by_conciliation"]}),
                                   "finding_text": {"type": "string"}, "reasons": nullable({"type": "string"}),
                                   "referred_to": nullable({"type": "string"})}})}}),
            "feedback": {
                "type": "object", "required": ["may_rate", "rating", "rated_at"],
                "properties": {"may_rate": {"type": "boolean", "description": "ended and not rated yet"},
                               "rating": nullable({"type": "integer", "minimum": 1, "maximum": 5}),
                               "rated_at": nullable(TIME)}},
        },
    },
    "Complaint": {
        "type": "object", "required": ["office", "text", "category"],
        "properties": {
            "office": {"type": "string", "maxLength": 32, "description": "the code of the office complained about"},
            "text": {"type": "string", "minLength": 10, "maxLength": 4000, "description": "what happened"},
            "category": {"type": "string", "enum": [
                "delay_beyond_the_published_deadline", "money_asked_beyond_the_official_fee",
                "rude_or_unfair_treatment", "refusal_or_decision_disputed", "wrong_or_missing_information", "other"]},
            "name": nullable({"type": "string", "maxLength": 120}),
            "contact": nullable({"type": "string", "maxLength": 200,
                                 "description": "a phone number (SMS) or email address: the outcome is sent there"}),
            "share_identity": {"type": "boolean", "default": False,
                               "description": "true: the office asked to respond may read the name and contact"},
            "related_case": nullable({"type": "string", "maxLength": 40,
                                      "description": "the number of the office's case complained about"}),
            "idempotency_key": {"type": "string", "minLength": 8, "maxLength": 100,
                                "description": "or the Idempotency-Key header: a replay returns the first complaint"},
        },
    },
    "Rating": {
        "type": "object", "required": ["number", "code", "rating"],
        "properties": {"number": {"type": "string", "maxLength": 40, "description": "the case number on the receipt"},
                       "code": {"type": "string", "maxLength": 40, "description": "the access code on the receipt"},
                       "rating": {"type": "integer", "minimum": 1, "maximum": 5,
                                  "description": "1 very poor ... 5 very good"},
                       "comment": nullable({"type": "string", "maxLength": 2000})},
    },
    "GivenRating": {
        "type": "object", "required": ["number", "rating", "comment", "rated_at"],
        "properties": {"number": {"type": "string"}, "rating": {"type": "integer"},
                       "comment": nullable({"type": "string"}), "rated_at": TIME},
    },
    "PublicDocument": {
        "type": "object", "required": ["id", "filename"],
        "properties": {"id": {"type": "integer"}, "filename": {"type": "string"}, "uploaded_at": TIME,
                       "content_type": {"type": "string"}, "size": {"type": "integer"}, "sha256": {"type": "string"}},
    },
    "Service": {
        "type": "object",
        "required": ["key", "version", "name", "description", "fee_riel", "fee_rule", "deadline_working_days",
                     "documents", "offices", "legal_basis", "application_form"],
        "properties": {
            "key": {"type": "string"}, "version": {"type": "integer"}, "name": {"type": "string"},
            "description": {"type": "string"},
            "fee_riel": {**nullable({"type": "integer"}), "description": "null when a rule over the application decides"},
            "fee_rule": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}},
            "deadline_working_days": {"type": "integer"},
            "documents": {"type": "array", "items": {
                "type": "object", "required": ["key", "name", "mode"],
                "properties": {"key": {"type": "string"}, "name": {"type": "string"},
                               "mode": {"type": "string", "enum": ["upload", "counter", "collection"]}}}},
            "offices": {"type": "array", "items": {"type": "object", "required": ["code", "name"], "properties": {
                "code": {"type": "string"}, "name": {"type": "string"}}}},
            "legal_basis": {"type": "string"},
            "application_form": {"type": "object", "description": "the application form as JSON Schema"},
        },
    },
    "WorkItem": {
        "type": "object",
        "required": ["id", "case_id", "case_number", "task", "name", "role", "assignee", "due_at", "overdue",
                     "form", "status"],
        "properties": {
            "id": {"type": "integer"}, "case_id": {"type": "integer"}, "case_number": {"type": "string"},
            "task": {"type": "string", "description": "the BPMN element id"}, "name": {"type": "string"},
            "role": {"type": "string"}, "assignee": nullable({"type": "string"}), "due_at": nullable(TIME),
            "overdue": {"type": "boolean"}, "form": nullable({"type": "string"}),
            "status": {"type": "string", "enum": ["open", "completed", "cancelled"]},
        },
    },
    "WorkItemWithForm": {
        "allOf": [ref("WorkItem"), {
            "type": "object", "required": ["form_schema"],
            "properties": {"form_schema": nullable({"type": "object", "description": "the form as JSON Schema"})},
        }],
    },
    "CaseSummary": {
        "type": "object",
        "required": ["id", "number", "process", "name", "status", "office", "channel", "started_at", "completed_at"],
        "properties": {"id": {"type": "integer"}, "number": {"type": "string"}, "process": {"type": "string"},
                       "name": {"type": "string"}, "status": {"type": "string"}, "office": {"type": "string"},
                       "channel": {"type": "string"}, "started_at": TIME, "completed_at": nullable(TIME)},
    },
    "CaseList": {
        "type": "object", "required": ["cases", "page", "next_page"],
        "properties": {"cases": {"type": "array", "items": ref("CaseSummary")}, "page": {"type": "integer"},
                       "next_page": nullable({"type": "integer"})},
    },
    "AnsweredComplaint": {
        "type": "object", "required": ["id", "number", "status", "data"],
        "description": "What the OWSO sees of a complaint it answered: the substance, never the complainant's "
                       "identity unless they agreed to share it.",
        "properties": {"id": {"type": "integer"}, "number": {"type": "string"}, "status": {"type": "string"},
                       "data": ref("CaseData")},
    },
    "Completion": {
        "type": "object",
        "properties": {"data": ref("CaseData"), "comment": nullable({"type": "string"}),
                       "case_version": {"type": "integer",
                                        "description": "the case_version you read; 409 if the case changed since"}},
    },
    "Event": {
        "type": "object", "required": ["at", "actor", "kind", "summary", "data"],
        "properties": {"at": TIME, "actor": {"type": "string"}, "kind": {"type": "string"},
                       "summary": {"type": "string"}, "data": {"type": "object"}},
    },
    "Case": {
        "type": "object",
        "required": ["id", "number", "process", "version", "status", "error", "office", "channel", "started_at",
                     "completed_at", "case_version", "clock_stopped_since", "data", "work_items", "history"],
        "properties": {
            "id": {"type": "integer"}, "number": {"type": "string"}, "process": {"type": "string"},
            "version": {"type": "integer"}, "status": {"type": "string", "enum": ["running", "completed", "error"]},
            "error": nullable({"type": "string"}), "office": {"type": "string"}, "channel": {"type": "string"},
            "started_at": TIME, "completed_at": nullable(TIME), "case_version": {"type": "integer"},
            "clock_stopped_since": nullable(TIME), "data": {"type": "object"},
            "work_items": {"type": "array", "items": ref("WorkItem")},
            "history": {"type": "array", "items": ref("Event")},
            "certificate": nullable(ref("CertificateSummary")),
        },
    },
    "Incident": {
        "type": "object",
        "required": ["case_id", "case_number", "office", "process", "version", "element_id", "message", "since"],
        "properties": {"case_id": {"type": "integer"}, "case_number": {"type": "string"}, "office": {"type": "string"},
                       "process": {"type": "string"}, "version": {"type": "integer"},
                       "element_id": nullable({"type": "string"}), "message": {"type": "string"},
                       "since": nullable(TIME)},
    },
    "Retry": {
        "type": "object",
        "properties": {"data": {"type": "object", "description": "corrected values for the step that failed"}},
    },
    "RetriedCase": {
        "type": "object", "required": ["id", "number", "status", "process", "version"],
        "properties": {"id": {"type": "integer"}, "number": {"type": "string"}, "status": {"type": "string"},
                       "process": {"type": "string"}, "version": {"type": "integer"}},
    },
    "MigrationRequest": {
        "type": "object",
        "properties": {"to_version": {"type": "integer", "minimum": 1, "maximum": ID_MAX,
                                      "description": "default: the latest version"},
                       "dry_run": {"type": "boolean", "default": True,
                                   "description": "true: only say which cases could move"}},
    },
    "MigrationReport": {
        "type": "object", "required": ["process", "to_version", "dry_run", "movable", "blocked"],
        "properties": {
            "process": {"type": "string"}, "to_version": {"type": "integer"}, "dry_run": {"type": "boolean"},
            "movable": {"type": "array", "items": {"type": "string"},
                        "description": "case numbers that can move (a dry run) or moved"},
            "blocked": {"type": "array", "items": {
                "type": "object", "required": ["case_number", "reason"],
                "properties": {"case_number": {"type": "string"}, "reason": {"type": "string"}}}},
        },
    },
    "Escalation": {
        "allOf": [ref("WorkItem"), {
            "type": "object", "required": ["office", "late_by_seconds", "working_days_late", "escalations"],
            "properties": {
                "office": {"type": "string"}, "late_by_seconds": {"type": "integer"},
                "working_days_late": {"type": "integer"},
                "escalations": {"type": "array", "items": {
                    "type": "object", "required": ["id", "role", "level", "status", "late_by_seconds_when_raised"],
                    "properties": {"id": {"type": "integer"}, "role": {"type": "string"},
                                   "level": nullable({"type": "integer"}), "status": {"type": "string"},
                                   "late_by_seconds_when_raised": nullable({"type": "integer"})}}},
            },
        }],
    },
    "ServiceStandardReport": {
        "type": "object", "required": ["from", "to", "rows"],
        "properties": {
            "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
            "rows": {"type": "array", "items": {
                "type": "object",
                "required": ["process", "office", "started", "completed", "completed_on_time", "on_time_rate",
                             "median_working_days", "p90_working_days", "open", "overdue"],
                "properties": {
                    "process": {"type": "string"}, "office": {"type": "string"},
                    "started": {"type": "integer"}, "completed": {"type": "integer"},
                    "completed_on_time": {"type": "integer"}, "on_time_rate": nullable({"type": "number"}),
                    "median_working_days": nullable({"type": "number"}),
                    "p90_working_days": nullable({"type": "number"}),
                    "open": {"type": "integer"}, "overdue": {"type": "integer"}}}},
        },
    },
    "PublicPerformance": {
        "type": "object", "required": ["quarter", "from", "to", "offices"],
        "properties": {
            "quarter": {"type": "string"}, "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
            "offices": {"type": "array", "items": {
                "type": "object",
                "required": ["office", "name", "completed", "on_time_rate", "average_rating", "complaints",
                             "services"],
                "properties": {
                    "office": {"type": "string"}, "name": {"type": "string"}, "completed": {"type": "integer"},
                    "on_time_rate": nullable({"type": "number"}), "average_rating": nullable({"type": "number"}),
                    "complaints": {
                        "type": "object", "required": ["received", "by_category"],
                        "description": "complaints to the District Ombudsman about the office received in the "
                                       "quarter, by the category the complainant chose",
                        "properties": {"received": {"type": "integer"},
                                       "by_category": {"type": "object",
                                                       "additionalProperties": {"type": "integer"}}}},
                    "services": {"type": "array", "items": {
                        "type": "object", "required": ["process", "name", "completed", "median_working_days"],
                        "properties": {"process": {"type": "string"}, "name": {"type": "string"},
                                       "completed": {"type": "integer"},
                                       "median_working_days": nullable({"type": "number"})}}}}}},
        },
    },
    "CertificateSummary": {
        "type": "object", "required": ["number", "status", "payload"],
        "properties": {"number": {"type": "string"}, "status": {"type": "string", "enum": ["valid", "revoked", "expired"]},
                       "payload": {"type": "string", "description": "the signed QR payload, OW1.<claims>.<signature>"}},
    },
    "PublicCertificate": {
        "type": "object",
        "required": ["number", "status", "holder", "subject", "service", "service_name", "service_name_km", "office",
                     "office_name", "issued_on", "valid_until", "revoked_on", "revocation_reason"],
        "properties": {
            "number": {"type": "string"}, "status": {"type": "string", "enum": ["valid", "revoked", "expired"]},
            "holder": {"type": "string"}, "subject": {"type": "string", "description": "the business or person"},
            "service": {"type": "string"}, "service_name": {"type": "string"}, "service_name_km": {"type": "string"},
            "office": {"type": "string"}, "office_name": {"type": "string"},
            "issued_on": {"type": "string", "format": "date"}, "valid_until": nullable({"type": "string", "format": "date"}),
            "revoked_on": nullable({"type": "string", "format": "date"}),
            "revocation_reason": nullable({"type": "string"}),
        },
    },
    "Verification": {
        "type": "object", "required": ["valid", "status", "message", "certificate"],
        "properties": {
            "valid": {"type": "boolean"},
            "status": {"type": "string", "enum": ["valid", "revoked", "expired", "unknown", "invalid"]},
            "message": {"type": "string"}, "certificate": nullable(ref("PublicCertificate")),
        },
    },
    "PublicKeys": {
        "type": "object", "required": ["algorithm", "payload_format", "keys"],
        "properties": {
            "algorithm": {"type": "string"}, "payload_format": {"type": "string"},
            "keys": {"type": "array", "items": {
                "type": "object",
                "required": ["key_id", "office", "algorithm", "public_key", "public_key_pem", "created_at", "retired_at"],
                "properties": {"key_id": {"type": "string"}, "office": {"type": "string"},
                               "algorithm": {"type": "string"},
                               "public_key": {"type": "string", "description": "the raw 32-byte key, base64url"},
                               "public_key_pem": {"type": "string"}, "created_at": TIME,
                               "retired_at": nullable(TIME)}}},
        },
    },
    "QueueTicket": {
        "type": "object",
        "required": ["id", "number", "service", "office", "status", "counter", "issued_at", "called_at"],
        "properties": {"id": {"type": "integer"}, "number": {"type": "string", "description": "e.g. C014"},
                       "service": {"type": "string"}, "office": {"type": "string"},
                       "status": {"type": "string", "enum": ["waiting", "called", "served", "no_show"]},
                       "counter": nullable({"type": "string"}), "issued_at": TIME, "called_at": nullable(TIME),
                       "waiting": {"type": "integer"}, "estimated_wait_minutes": {"type": "integer"}},
    },
    "QueueState": {
        "type": "object", "required": ["office", "now_serving", "waiting", "estimated_wait_minutes",
                                       "mean_service_minutes"],
        "properties": {
            "office": {"type": "string"},
            "now_serving": {"type": "array", "items": {
                "type": "object", "required": ["counter", "counter_name", "number", "service"],
                "properties": {"counter": {"type": "string"}, "counter_name": {"type": "string"},
                               "number": nullable({"type": "string"}), "service": nullable({"type": "string"})}}},
            "waiting": {"type": "integer"}, "estimated_wait_minutes": {"type": "integer"},
            "mean_service_minutes": {"type": "number"},
        },
    },
}

ERRORS = {
    400: "The request is malformed (not JSON, too deep, NUL bytes, NaN, a value of the wrong type).",
    401: "No API token, or an unknown or expired one.",
    403: "The caller's roles do not allow this.",
    404: "Unknown, or not visible to the caller.",
    409: "Someone else acted first, or the case changed since it was read.",
    413: "The body is too large.",
    415: "The file is not a PDF, JPEG or PNG by its content; nothing was stored.",
    422: "Well-formed, but the office's rules refuse it; `details` says what to fix.",
    429: "Too many failed sign-ins, too many wrong case numbers or access codes, or too many complaints from "
         "one address; the sentence says when to try again.",
    503: "The office cannot do this right now (its certificate signing key is missing); nothing was written.",
}


def errors(*statuses: int) -> dict:
    return {str(status): {"description": ERRORS[status],
                          "content": {"application/json": {"schema": ref("Error")}}} for status in statuses}


def ok(schema: dict, status: int = 200, description: str = "Done.") -> dict:
    return {str(status): {"description": description, "content": {"application/json": {"schema": schema}}}}


def json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def path_text(name: str, what: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": what,
            "schema": {"type": "string", "maxLength": 60}}


def path_id(name: str, what: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": what,
            "schema": {"type": "integer", "minimum": 0, "maximum": ID_MAX}}


def operation(summary: str, responses: dict, body: dict | None = None, parameters: list | None = None,
              public: bool = False) -> dict:
    entry = {"summary": summary, "responses": responses}
    if body is not None:
        entry["requestBody"] = body
    if parameters:
        entry["parameters"] = parameters
    if public:
        entry["security"] = []
    return entry


SEARCH_PARAMETERS = [
    ("q", {"type": "string", "maxLength": 200}, "part of an applicant's name or phone, or of the case number"),
    ("number", {"type": "string", "maxLength": 200}, "the case number or its beginning"),
    ("status", {"type": "string", "enum": ["running", "completed", "error"]}, "the case's status"),
    ("process", {"type": "string", "maxLength": 200}, "the procedure's key"),
    ("after", {"type": "string", "format": "date"}, "started on or after this day (YYYY-MM-DD)"),
    ("before", {"type": "string", "format": "date"}, "started on or before this day (YYYY-MM-DD)"),
    ("page", {"type": "integer", "minimum": 1, "maximum": 10000}, "the page, from 1"),
]
CASE_ID = path_id("case_id", "the case's id")
ITEM_ID = path_id("item_id", "the work item's id")
CERTIFICATE_NUMBER = path_text("number", "the certificate number printed on it, e.g. KPS-CL-2026-00042")
STAFF = (400, 401)  # every staff call can be malformed or unauthenticated
CASE_NUMBER = {"name": "number", "in": "path", "required": True, "description": "the case number on the receipt",
               "schema": {"type": "string", "maxLength": 40}}
ACCESS_CODE = {"name": "code", "in": "query", "required": True, "description": "the access code on the receipt",
               "schema": {"type": "string", "maxLength": 40}}
LANG = {"name": "lang", "in": "query", "required": False, "schema": {"type": "string", "enum": ["km", "en"]},
        "description": "km (Khmer, the default) or en"}

PATHS = {
    "/api/v1/openapi.json": {
        "get": operation("This document.", {"200": {"description": "The OpenAPI 3.1 description.",
                                                     "content": {"application/json": {"schema": {"type": "object"}}}}},
                         public=True),
    },
    "/api/v1/token": {
        "post": operation("Sign in: trade a username and password for an API token.",
                          {**ok(ref("Token")), **errors(400, 401, 413, 429)}, json_body(ref("Credentials")),
                          public=True),
        "delete": operation("Revoke the token this call is signed with.",
                            {**ok({"type": "object", "required": ["revoked"],
                                   "properties": {"revoked": {"const": True}}}), **errors(*STAFF, 404)}),
    },
    "/api/v1/me/password": {
        "post": operation(
            "Change one's own password; every session and API token of the caller ends, this one included.",
            {**ok({"type": "object", "required": ["changed", "message"],
                   "properties": {"changed": {"const": True}, "message": {"type": "string"}}}),
             **errors(*STAFF, 413, 422)},
            json_body({"type": "object", "required": ["current_password", "new_password"],
                       "properties": {"current_password": {"type": "string", "maxLength": 200},
                                      "new_password": {"type": "string", "maxLength": 200}}})),
    },
    "/api/v1/processes": {
        "get": operation("The latest version of every deployed procedure.",
                         {**ok({"type": "array", "items": ref("Process")}), **errors(*STAFF)}),
        "post": operation(
            "Designers: validate and deploy a BPMN diagram; nothing is deployed when a problem is found.",
            {**ok(ref("Deployment"), 201, "A new version was deployed."),
             **ok(ref("Deployment"), 200, "The same diagram was already deployed; nothing changed."),
             **errors(*STAFF, 403, 413, 422)},
            {"required": True, "content": {"application/xml": {"schema": {"type": "string"}}}},
            [{"name": "filename", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 200},
              "description": "the file name to store with the diagram"}]),
    },
    "/api/v1/decisions": {
        "get": operation("The latest version of every deployed decision table (DMN).",
                         {**ok({"type": "array", "items": ref("Decision")}), **errors(*STAFF)}),
        "post": operation(
            "Designers: validate and deploy a DMN 1.3 decision table; nothing is deployed when a problem is found.",
            {**ok(ref("DecisionDeployment"), 201, "A new version was deployed."),
             **ok(ref("DecisionDeployment"), 200, "The same table was already deployed; nothing changed."),
             **errors(*STAFF, 403, 413, 422)},
            {"required": True, "content": {"application/xml": {"schema": {"type": "string"}}}},
            [{"name": "filename", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 200},
              "description": "the file name to store with the table (.dmn is added when missing)"}]),
    },
    "/api/v1/cases": {
        "get": operation(
            "Search the cases the caller may see, newest first, 50 a page.",
            {**ok(ref("CaseList")), **errors(*STAFF)},
            parameters=[{"name": name, "in": "query", "required": False, "schema": schema, "description": text}
                        for name, schema, text in SEARCH_PARAMETERS]),
        "post": operation("Start a case in the caller's office.",
                          {**ok(ref("StartedCase"), 201, "The case was started."),
                           **errors(*STAFF, 403, 404, 413, 422)},
                          json_body(ref("StartCase"))),
    },
    "/api/v1/cases/{case_id}": {
        "get": operation("A case with its data, open work and history.",
                         {**ok(ref("Case")), **errors(*STAFF, 404)}, parameters=[CASE_ID]),
    },
    "/api/v1/processes/{key}/migrations": {
        "post": operation("Designers: move the running cases of a procedure to a version (default the latest); "
                          "a dry run only says which can move and why the others cannot.",
                          {**ok(ref("MigrationReport")), **errors(*STAFF, 403, 404, 413)},
                          json_body(ref("MigrationRequest")),
                          [{"name": "key", "in": "path", "required": True, "description": "the procedure's key",
                            "schema": {"type": "string", "maxLength": 100}}]),
    },
    "/api/v1/incidents": {
        "get": operation("Admins, designers: every case in error, where and why it stopped, longest first.",
                         {**ok({"type": "array", "items": ref("Incident")}), **errors(*STAFF, 403)}),
    },
    "/api/v1/cases/{case_id}/retry": {
        "post": operation("Admins, designers: run a case in error again (with corrected data); audited. "
                          "422 when it fails again, with the new error; the retry is kept in its history.",
                          {**ok(ref("RetriedCase")), **errors(*STAFF, 403, 404, 409, 413, 422)},
                          {"required": False, "content": {"application/json": {"schema": ref("Retry")}}},
                          [CASE_ID]),
    },
    "/api/v1/inbox": {
        "get": operation("Open work the caller may do, soonest deadline first (work without a deadline last), "
                         "in pages of 50; a `Link: <...?after=ID>; rel=\"next\"` header points to the next page.",
                         {"200": {**ok({"type": "array", "items": ref("WorkItem"), "maxItems": 50})["200"],
                                  "headers": {"Link": {"description": "the next page, when there is one",
                                                       "schema": {"type": "string"}}}},
                          **errors(*STAFF)},
                         parameters=[{"name": "after", "in": "query", "required": False,
                                      "description": "the id of the last work item of the previous page",
                                      "schema": {"type": "integer", "minimum": 0, "maximum": ID_MAX}}]),
    },
    "/api/v1/escalations": {
        "get": operation("Overdue work the caller supervises.",
                         {**ok({"type": "array", "items": ref("Escalation")}), **errors(*STAFF, 403)}),
    },
    "/api/v1/work-items/{item_id}": {
        "get": operation("A work item with its form as JSON Schema (form_schema), to build the form from.",
                         {**ok(ref("WorkItemWithForm")), **errors(*STAFF, 404)}, parameters=[ITEM_ID]),
    },
    "/api/v1/work-items/{item_id}/claim": {
        "post": operation("Take the work item.", {**ok(ref("WorkItem")), **errors(*STAFF, 403, 404, 409)},
                          parameters=[ITEM_ID]),
    },
    "/api/v1/work-items/{item_id}/release": {
        "post": operation("Put the work item back in the shared inbox.",
                          {**ok(ref("WorkItem")), **errors(*STAFF, 403, 404, 409)}, parameters=[ITEM_ID]),
    },
    "/api/v1/work-items/{item_id}/complete": {
        "post": operation("Complete the work item with its form's data; the case advances.",
                          {**ok({"anyOf": [ref("Case"), ref("AnsweredComplaint")]}),
                           **errors(*STAFF, 403, 404, 409, 413, 422)},
                          json_body(ref("Completion")), [ITEM_ID]),
    },
    "/api/v1/reports/service-standards": {
        "get": operation(
            "Per procedure and office over a period: cases started, finished, finished on time, working days "
            "taken (median, 90th percentile), open and overdue. Chiefs see their office, governors their "
            "district, administrators every office.",
            {"200": {"description": "The report (CSV with format=csv).",
                     "content": {"application/json": {"schema": ref("ServiceStandardReport")},
                                 "text/csv": {"schema": {"type": "string"}}}},
             **errors(*STAFF, 403, 404)},
            parameters=[
                {"name": "from", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
                 "description": "first day (default: the start of this quarter)"},
                {"name": "to", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
                 "description": "last day, included (default: today)"},
                {"name": "office", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 32},
                 "description": "an office code"},
                {"name": "process", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 100},
                 "description": "a procedure key"},
                {"name": "format", "in": "query", "required": False, "schema": {"enum": ["json", "csv"]}}]),
    },
    "/api/v1/public/performance": {
        "get": operation(
            "Each office's figures for a quarter (the last finished one by default): finished applications, "
            "the share within the published deadline, the median working days per service. No personal data.",
            {**ok(ref("PublicPerformance")), **errors(400)},
            parameters=[{"name": "quarter", "in": "query", "required": False,
                         "schema": {"type": "string", "pattern": "^[0-9]{4}Q[1-4]$"}, "description": "e.g. 2026Q4"}],
            public=True),
    },
    "/api/v1/cases/{case_id}/certificate": {
        "get": operation("The case's certificate as PDF (to print at hand-over).",
                         {"200": {"description": "The certificate.",
                                  "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
                          **errors(*STAFF, 404, 503)}, parameters=[CASE_ID]),
    },
    "/api/v1/certificates/{number}/revoke": {
        "post": operation("The issuing office's chief revokes a certificate, with the reason checkers will read.",
                          {**ok(ref("PublicCertificate")), **errors(*STAFF, 403, 404, 409, 413)},
                          json_body({"type": "object", "required": ["reason"],
                                     "properties": {"reason": {"type": "string", "maxLength": 1000}}}),
                          [CERTIFICATE_NUMBER]),
    },
    "/api/v1/public/certificates/{number}": {
        "get": operation("What the register says about a certificate now.",
                         {**ok(ref("PublicCertificate")), **errors(404)}, parameters=[CERTIFICATE_NUMBER],
                         public=True),
    },
    "/api/v1/public/certificates/verify": {
        "post": operation("Check a certificate's QR payload: its signature, then its status.",
                          {**ok(ref("Verification")), **errors(400, 413)},
                          json_body({"type": "object", "required": ["payload"],
                                     "properties": {"payload": {"type": "string"}}}), public=True),
    },
    "/api/v1/public/keys": {
        "get": operation("Every office's public signing keys, retired ones too, for offline verification.",
                         ok(ref("PublicKeys")), public=True),
    },
    "/api/v1/queue/tickets": {
        "post": operation("Front office: issue a queue ticket for a service in the caller's office.",
                          {**ok(ref("QueueTicket"), 201, "The ticket."), **errors(*STAFF, 403, 413, 422)},
                          json_body({"type": "object", "required": ["service"],
                                     "properties": {"service": {"type": "string"}}})),
    },
    "/api/v1/queue/next": {
        "post": operation("Front office: the counter finishes its ticket and calls the next one "
                          "(number null when nobody waits).",
                          {**ok({"anyOf": [ref("QueueTicket"), {
                              "type": "object", "required": ["number", "counter", "message"],
                              "properties": {"number": {"type": "null"}, "counter": {},
                                             "message": {"type": "string"}}}]}),
                           **errors(*STAFF, 403, 404, 413)},
                          json_body({"type": "object", "required": ["counter"],
                                     "properties": {"counter": {"type": "string", "description": "e.g. KPS-1"}}})),
    },
    "/api/v1/public/queue": {
        "get": operation("The office's queue now: who is served at each counter, how many wait, the estimated wait.",
                         {**ok(ref("QueueState")), **errors(400, 404)},
                         parameters=[{"name": "office", "in": "query", "required": True,
                                      "schema": {"type": "string", "maxLength": 32}, "description": "office code"}],
                         public=True),
    },
    "/api/v1/public/services": {
        "get": operation("The service catalogue: fees, documents, deadlines, offices and application forms.",
                         {**ok({"type": "array", "items": ref("Service")}), **errors(400)},
                         parameters=[LANG], public=True),
    },
    "/api/v1/public/applications": {
        "post": operation("Apply online: the case starts in the chosen office, channel online, in the front "
                          "office's inbox for the document check.",
                          {**ok(ref("ApplicationReceipt"), 201, "The application was received."),
                           **ok(ref("ApplicationReceipt"), 200, "A replay of an application already received."),
                           **errors(400, 404, 413, 422)},
                          json_body(ref("Application")),
                          [{"name": "Idempotency-Key", "in": "header", "required": False,
                            "schema": {"type": "string", "minLength": 8, "maxLength": 100}}], public=True),
    },
    "/api/v1/public/applications/{number}/documents": {
        "post": operation("Attach a document (PDF, JPEG or PNG, checked by its content) to one's application.",
                          {**ok(ref("PublicDocument"), 201, "The document was stored."),
                           **errors(400, 404, 413, 415, 422, 429)},
                          {"required": True, "content": {"multipart/form-data": {"schema": {
                              "type": "object", "required": ["file"],
                              "properties": {"file": {"type": "string", "format": "binary"},
                                             "document": {"type": "string"}}}}}},
                          [CASE_NUMBER, ACCESS_CODE], public=True),
    },
    "/api/v1/public/track": {
        "get": operation("Where an application is: status, current step, promised date, lateness, public history.",
                         {**ok(ref("PublicCase")), **errors(400, 404, 429)},
                         parameters=[{**CASE_NUMBER, "in": "query"}, ACCESS_CODE, LANG], public=True),
    },
    "/api/v1/public/complaints": {
        "post": operation("Complain to the District Ombudsman, anonymously if one wishes: the complaint runs the "
                          "Ombudsman's procedure and is followed with its number and access code (GET "
                          "/api/v1/public/track). Throttled per address (429).",
                          {**ok(ref("ApplicationReceipt"), 201, "The complaint was received."),
                           **ok(ref("ApplicationReceipt"), 200, "A replay of a complaint already received."),
                           **errors(400, 413, 422, 429)},
                          json_body(ref("Complaint")),
                          [{"name": "Idempotency-Key", "in": "header", "required": False,
                            "schema": {"type": "string", "minLength": 8, "maxLength": 100}}], public=True),
    },
    "/api/v1/public/feedback": {
        "post": operation("Rate a case once it has ended, 1 to 5 with an optional comment, once per case. A wrong "
                          "number + code pair is 404 and counts as a guess (429 when guessing); a case that has "
                          "not ended is 422; a second rating is 409.",
                          {**ok(ref("GivenRating"), 201, "The rating was kept."),
                           **errors(400, 404, 409, 413, 422, 429)},
                          json_body(ref("Rating")), public=True),
    },
    "/api/v1/public/applications/{number}/answer": {
        "post": operation("Answer a send-back: what was corrected; the waiting step completes and the clock resumes.",
                          {**ok(ref("PublicCase")), **errors(400, 404, 409, 413, 422, 429)},
                          json_body({"type": "object", "required": ["data"], "properties": {"data": {
                              "type": "object", "required": ["message"],
                              "properties": {"message": {"type": "string", "maxLength": 1000}}}}}),
                          [CASE_NUMBER, ACCESS_CODE], public=True),
    },
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "One Window API", "version": "1",
                 "description": "Case management for One Window Service Offices. Errors are "
                                "{\"error\": sentence, \"details\": ...}."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "a token from POST /api/v1/token"}},
        },
    }
