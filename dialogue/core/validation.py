"""Pure checks of Vietnamese formats, with the field's libraries: phonenumbers, python-stdnum.

Each returns the stored form of the value or raises ValueError with a message already
translated for the person who typed it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.vn import mst

from dialogue.core.i18n import gettext as _
from dialogue.core.text import tidy

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
PHONE_CHARACTERS = re.compile(r"^[0-9+()\-. ]+$")
PERSONAL_ID = re.compile(r"^[0-9]{12}$")  # CCCD: the tax code of individuals since 1 July 2025


def person_name(raw: str | None, max_length: int = 100) -> str:
    """NFC letters with spaces and the few marks names use; invisible characters removed."""
    name = tidy(raw)
    if not name:
        raise ValueError(_("Enter your full name."))
    if len(name) > max_length:
        raise ValueError(_("Use at most %(count)s characters.", count=max_length))
    for ch in name:
        if not (unicodedata.category(ch).startswith(("L", "M")) or ch in " .'-"):
            raise ValueError(_("A name can contain only letters, spaces and . ' -"))
    if len(name.replace(" ", "")) < 2:
        raise ValueError(_("Enter your full name."))
    return name


def is_email_address(address: str) -> bool:
    """The one e-mail rule of the app (people's, staff's and agencies' addresses alike)."""
    return len(address) <= 254 and bool(EMAIL.match(address))


def email_address(raw: str | None) -> str:
    address = tidy(raw).lower()
    if not is_email_address(address):
        raise ValueError(_("Enter an e-mail address like name@example.vn."))
    return address


# The numbers a person can be called back on: mobiles and fixed lines (the library knows both and,
# for Vietnam, the area codes of every province). Not toll-free, premium-rate or shared numbers.
CALLABLE = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE,
                      phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


def phone_number(raw: str | None) -> str:
    """A Vietnamese mobile (0912 345 678) or fixed line (024 3825 1234), stored as +84…"""
    text = tidy(raw)
    if not PHONE_CHARACTERS.match(text):
        raise ValueError(_("A phone number contains only digits, for example 0912 345 678."))
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or number.country_code != 84
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in CALLABLE
    ):
        raise ValueError(_("Enter a Vietnamese phone number: a mobile of 10 digits, for example 0912 345 678, "
                           "or a landline with its area code, for example 024 3825 1234."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class TaxCode:
    value: str  # 10 digits, 10-3 for a branch, or a 12-digit personal ID
    checksum_failed: bool


def tax_code(raw: str | None) -> TaxCode:
    """Mã số thuế: 10 digits, 13 (10-3) for a branch, or the 12-digit personal ID of an individual
    or household business. A wrong check digit is reported, not refused: the person may confirm."""
    text = re.sub(r"[\s.]", "", tidy(raw))
    if PERSONAL_ID.match(text):
        return TaxCode(text, checksum_failed=False)
    try:
        compact = mst.compact(text)
        return TaxCode(mst.format(mst.validate(compact)), checksum_failed=False)
    except InvalidChecksum:
        return TaxCode(mst.format(mst.compact(text)), checksum_failed=True)
    except ValidationError:
        raise ValueError(_(
            "Enter the tax code: 10 digits, 10 digits and a 3-digit branch number, "
            "or the 12-digit personal identification number of a household business."
        )) from None


def display_phone(phone: str | None) -> str:
    """A stored number (+84912345678) as people write it: 0912 345 678. Anything else as it is."""
    if not phone:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(phone, "VN"), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return phone
