"""The phone providers' HTTP APIs: a brandname SMS gateway and Zalo's ZNS, as outbox send functions.

Both are given the message's stable id as the idempotency key, in an Idempotency-Key header and in
the body's own request field (`request_id` for SMS, ZNS's `tracking_id`): a message sent again after a
timeout (the provider may have taken it) is recognisably the same one, and a provider that keeps the
key sends it once. The API each one expects is in docs/operations.md ("SMS and Zalo").

- success: the provider's id for the message (kept as provider_ref) and its price (the cost);
- a refusal (an error code in the body, or an HTTP error): ProviderError, kept as last_error, and the
  outbox tries again after its back-off;
- 429: RetryLater with the Retry-After the provider asked for;
- no answer in time, or no connection: httpx's own error, the same way as a refusal.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json

import httpx

from dialogue.mail.outbox import Receipt, RetryLater, Send
from dialogue.mail.phone import provider_number, zalo_template_id

TIMEOUT = 10.0  # seconds for each step of a request (connect, send, read)
DEFAULT_RETRY_AFTER = 60  # seconds, when a 429 does not say
LONGEST_RETRY_AFTER = 24 * 3600  # a provider that asks for longer is tried again after a day all the same


class ProviderError(Exception):
    """The provider answered, and refused the message."""


def retry_after(value: str | None, now: dt.datetime | None = None) -> float:
    """Retry-After as seconds (a number of seconds, or an HTTP date), at most a day."""
    value = (value or "").strip()
    if value.isdigit():
        return min(float(value), LONGEST_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return min(max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds()), LONGEST_RETRY_AFTER)


async def _post(name: str, url: str, headers: dict[str, str], body: dict, timeout: float) -> dict:
    """POST the JSON body; the provider's JSON answer, or the error that says why not."""
    async with httpx.AsyncClient(timeout=timeout) as client:
        response = await client.post(url, headers=headers, json=body)
    if response.status_code == 429:
        raise RetryLater(retry_after(response.headers.get("retry-after")),
                         f"{name} is rate limiting (HTTP 429, Retry-After: {response.headers.get('retry-after', '')})")
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code >= 400 or not isinstance(answer, dict):
        raise ProviderError(f"{name} answered HTTP {response.status_code}: {response.text[:300]}")
    return answer


def sms_sender(url: str, api_key: str, brandname: str, price: int, timeout: float = TIMEOUT) -> Send:
    """A send function for SMS rows: POST {api_key, brandname, phone, text, request_id, unicode: 0};
    the gateway answers {"code": "00", "msg_id": …} when it takes the message, another code when not."""

    async def send(row: dict) -> Receipt:
        answer = await _post("The SMS provider", url, {"Idempotency-Key": row["message_id"]}, {
            "api_key": api_key, "brandname": brandname, "phone": provider_number(row["to_address"]),
            "text": row["text_body"], "request_id": row["message_id"], "unicode": 0,
        }, timeout)
        if str(answer.get("code")) != "00":
            raise ProviderError(f"The SMS provider refused the message: code {answer.get('code')} "
                                f"({str(answer.get('message', ''))[:200]})")
        return Receipt(provider_ref=str(answer.get("msg_id", ""))[:100], cost=max(1, row["segments"]) * price)

    return send


def zalo_sender(url: str, access_token: str, templates: tuple[tuple[str, str], ...], price: int,
                timeout: float = TIMEOUT) -> Send:
    """A send function for Zalo rows (ZNS): POST {phone, template_id, template_data, tracking_id} with
    the OA's access_token header; Zalo answers {"error": 0, "data": {"msg_id": …}} when it takes the
    message, a negative error code when not."""

    async def send(row: dict) -> Receipt:
        payload = json.loads(row["payload"] or "{}")
        kind = payload.get("template") or row["kind"]
        # A template id set since the message was queued is used: a missing one is the setting to fix.
        template_id = payload.get("template_id") or zalo_template_id(kind, templates)
        if not template_id:
            raise ProviderError(f"No ZNS template id for '{kind}': add {kind}=<id> to ZALO_TEMPLATES")
        answer = await _post("Zalo", url, {"access_token": access_token, "Idempotency-Key": row["message_id"]}, {
            "phone": provider_number(row["to_address"]), "template_id": template_id,
            "template_data": payload.get("template_data", {}), "tracking_id": row["message_id"],
        }, timeout)
        if answer.get("error") != 0:
            raise ProviderError(f"Zalo refused the message: error {answer.get('error')} "
                                f"({str(answer.get('message', ''))[:200]})")
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        return Receipt(provider_ref=str(data.get("msg_id", ""))[:100], cost=price)

    return send
