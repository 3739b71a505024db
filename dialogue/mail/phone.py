"""Short messages to a phone, as outbox rows: an SMS through a brandname gateway, or a Zalo ZNS
template message. Rendered from templates/phone/<kind>.txt in the asker's language.

Brandname SMS in Vietnam go without diacritics (a Unicode SMS carries 70 characters a part, not 160,
and many phones show it badly): the text is folded to plain letters, đ to d, and counted in parts of
160 characters, or 153 each when it needs several (the rest carries the joining header). Every part is
billed. A ZNS message is a template approved by Zalo beforehand: the row's payload holds its id and the
values of its parameters; its text_body is the same message written out, for the organisers to read.

Every message names the question's tracking code and its tracking link: the asker needs them, and the
erasure of an asker's data finds their messages by address and code.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import uuid
from collections.abc import Callable

from dialogue.core.i18n import language
from dialogue.core.rendering import service_environment
from dialogue.core.settings import get_settings
from dialogue.mail.tables import OutboxMessage

SMS_SINGLE = 160  # characters of a one-part SMS (GSM 7-bit)
SMS_PART = 153  # characters of each part of a longer one
# The GSM 7-bit alphabet's plain letters, digits and signs; the extension table's signs take two places.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = frozenset("^{}\\[~]|€")
_BY_HAND = str.maketrans({"đ": "d", "Đ": "D", "–": "-", "—": "-", "“": '"', "”": '"', "‘": "'", "’": "'",
                          "…": "...", "\u00a0": " ", "«": '"', "»": '"'})
_SPACES = re.compile(r"\s+")


def sms_text(text: str) -> str:
    """The text as a brandname SMS carries it: on one line, without diacritics (đ becomes d), every
    character one the GSM alphabet has (anything else becomes ?)."""
    text = _SPACES.sub(" ", text.translate(_BY_HAND)).strip()
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return "".join(ch if ch in GSM_BASIC or ch in GSM_EXTENDED else "?" for ch in plain)


def sms_segments(text: str) -> int:
    """How many parts (each billed) the SMS takes."""
    length = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
    return 1 if length <= SMS_SINGLE else -(-length // SMS_PART)


def zalo_template_id(kind: str, templates: tuple[tuple[str, str], ...] | None = None) -> str:
    """The approved ZNS template for this kind of message (ZALO_TEMPLATES), or "" if none is set."""
    return dict(get_settings().zalo_templates if templates is None else templates).get(kind, "")


def render(template: str, language_code: str, **context) -> tuple[str, str]:
    """(the whole message on one line, its status() macro: the few words a ZNS template shows as a value)."""
    env = service_environment()
    with language(language_code):
        page = env.get_template(f"phone/{template}.txt")
        text = page.render(**context)
        status = str(page.make_module(context).status())
    return _SPACES.sub(" ", text).strip(), _SPACES.sub(" ", status).strip()


def prepare(
    *, channel: str, to: str, kind: str, language_code: str, subject: str | Callable[[], str], now: dt.datetime,
    unit_id: int | None, code: str, tracking_url: str, private_url: str = "", template: str | None = None,
    **context,
) -> OutboxMessage:
    """Render one phone message into an outbox row, not yet saved (see outbox.prepare; outbox.add saves
    it and applies the daily caps). `code` is the display tracking code; `private_url` a secret link the
    message carries (the manage link, a confirmation link), masked once sent."""
    if channel not in ("sms", "zalo"):
        raise ValueError(f"not a phone channel: {channel}")
    template = template or kind
    context = {**context, "code": code, "tracking_url": tracking_url, "private_url": private_url}
    text, status = render(template, language_code, **context)
    with language(language_code):
        title = subject() if callable(subject) else subject
    payload, segments = "", 0
    if channel == "sms":
        text = sms_text(text)
        segments = sms_segments(text)
    else:
        data = {"code": code, "status": status, "tracking_url": tracking_url}
        if private_url:
            data["private_url"] = private_url
        payload = json.dumps({"template": template, "template_id": zalo_template_id(template), "template_data": data},
                             ensure_ascii=False)
    return OutboxMessage(
        message_id=uuid.uuid4().hex, channel=channel, to_address=to, subject=title[:300], text_body=text,
        html_body="", headers="{}", kind=kind, unit=unit_id, created_at=now, next_attempt_at=now, payload=payload,
        segments=segments,
    )


def provider_number(e164: str) -> str:
    """+84912345678 as the providers want it: 84912345678."""
    return e164.removeprefix("+")
