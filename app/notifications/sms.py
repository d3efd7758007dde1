"""One SMS gateway adapter: a JSON POST to the gateway's URL.

Request (one message per request):
    POST SMS_GATEWAY_URL
    Content-Type: application/json
    Authorization: Bearer SMS_GATEWAY_TOKEN        (when set; else Basic SMS_GATEWAY_USER:SMS_GATEWAY_PASSWORD)
    {"to": "+85512345678", "from": SMS_SENDER, "text": "...", "reference": "onewindow-notification-42"}
Any 2xx answer is delivered. 4xx (except 408 and 429) is a refusal that will never succeed:
the message is given up. 408, 429, 5xx, timeouts and connection errors are retried.
Most gateways (or a 20-line bridge in front of one) accept this shape.
"""
import base64
import json
import re
import urllib.error
import urllib.request

from flask import current_app

TIMEOUT_SECONDS = 10


class SmsRefused(Exception):
    """The gateway said no to this message; sending it again will not help."""


class SmsUnavailable(Exception):
    """The gateway could not be reached or failed for now; try later."""


def sms_configured() -> bool:
    return bool(current_app.config.get("SMS_GATEWAY_URL"))


def phone_number(text: str) -> str | None:
    """A Cambodian or international number in E.164 form (012 345 678 -> +85512345678), or None."""
    digits = re.sub(r"[\s\-().]", "", text or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+855" + digits[1:]
    elif digits.startswith("855"):
        digits = "+" + digits
    return digits if re.fullmatch(r"\+\d{8,15}", digits) else None


def send_sms(to: str, text: str, reference: str) -> None:
    config = current_app.config
    body = json.dumps({"to": to, "from": config.get("SMS_SENDER") or "OneWindow", "text": text,
                       "reference": reference}, ensure_ascii=False).encode()
    request = urllib.request.Request(config["SMS_GATEWAY_URL"], data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    if config.get("SMS_GATEWAY_TOKEN"):
        request.add_header("Authorization", f"Bearer {config['SMS_GATEWAY_TOKEN']}")
    elif config.get("SMS_GATEWAY_USER"):
        pair = f"{config['SMS_GATEWAY_USER']}:{config.get('SMS_GATEWAY_PASSWORD') or ''}".encode()
        request.add_header("Authorization", f"Basic {base64.b64encode(pair).decode()}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()
    except urllib.error.HTTPError as error:
        answer = error.read()[:200].decode("utf-8", "replace")
        if 400 <= error.code < 500 and error.code not in (408, 429):
            raise SmsRefused(f"the SMS gateway refused the message: {error.code} {answer}") from None
        raise SmsUnavailable(f"the SMS gateway answered {error.code} {answer}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SmsUnavailable(f"the SMS gateway could not be reached: {reason}") from None
