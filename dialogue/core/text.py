"""Pure text helpers: Vietnamese diacritics folding and tidying of typed input."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

_SPACES = re.compile(r"\s+")
# Letters that decomposition does not reduce to a plain d: đ/Đ, and the look-alike
# eth (Ð/ð) that some keyboards and old documents use for Đ.
_D_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def fold(text: str | None) -> str:
    """Lower-case text without diacritics, for search: "Đống Đa" -> "dong da".

    Unicode decomposition leaves đ/Đ intact (they are letters, not a d with a mark),
    so they are mapped by hand first.
    """
    if not text:
        return ""
    text = tidy(text).translate(_D_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


ZWJ = "\u200d"
_TAG_CANCEL = "\U000e007f"


def _pictographic(ch: str) -> bool:
    """A character emoji sequences join: a symbol (So), or the emoji planes' pictographs."""
    return unicodedata.category(ch) == "So" or 0x1F000 <= ord(ch) <= 0x1FAFF


def _emoji_base(kept: list[str]) -> str:
    """The last character kept, past the variation selectors and skin tones that dress an emoji."""
    for ch in reversed(kept):
        if not ("\ufe00" <= ch <= "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff"):
            return ch
    return ""


def _keeps_format_character(kept: list[str], ch: str, following: str) -> bool:
    """A format character that is part of an emoji: the zero-width joiner of a sequence (a family,
    a flag with a rainbow, a profession with a skin tone) and the tags of a subdivision flag (🏴 and
    its tag letters). Every other format character is invisible and can only do harm: bidi
    controls reorder what is shown, zero-width spaces and soft hyphens hide differences."""
    if ch == ZWJ:
        base = _emoji_base(kept)
        return bool(base) and _pictographic(base) and bool(following) and _pictographic(following)
    if "\U000e0020" <= ch <= _TAG_CANCEL:
        previous = kept[-1] if kept else ""
        return previous == "\U0001f3f4" or "\U000e0020" <= previous < _TAG_CANCEL
    return False


def tidy(text: str | None) -> str:
    """NFC-normalise, drop invisible format characters (those of emoji sequences kept), surrogates and
    noncharacters (U+FFFE, U+FFFF…), turn control characters into spaces, collapse spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    if not _needs_care().search(text):  # nearly all typed text: nothing to drop or replace
        return _SPACES.sub(" ", text).strip()
    kept: list[str] = []
    for index, ch in enumerate(text):
        category = unicodedata.category(ch)
        if category == "Cf":
            if _keeps_format_character(kept, ch, text[index + 1] if index + 1 < len(text) else ""):
                kept.append(ch)
        elif category == "Cc" and ch not in "\n\t":
            kept.append(" ")
        elif category == "Cs" or _noncharacter(ch):
            continue  # no text holds these, and XML (the Word file) refuses them
        else:
            kept.append(ch)
    return _SPACES.sub(" ", "".join(kept)).strip()


@cache
def _needs_care():
    """A pattern matching any character tidy() drops or replaces (format, control but tab and newline,
    surrogate, noncharacter). Built once, from Unicode's own categories, so that text without them
    (almost all of it) is not walked character by character in Python."""
    ranges: list[tuple[int, int]] = []
    # Format and control characters live in planes 0, 1 and 14 (the tags); noncharacters end every
    # plane (U+xFFFE, U+xFFFF), added below.
    planes = [*range(0x20000), *range(0xE0000, 0xF0000)]
    for code in sorted({*planes, *(plane * 0x10000 + end for plane in range(17) for end in (0xFFFE, 0xFFFF))}):
        ch = chr(code)
        category = unicodedata.category(ch)
        if category in ("Cf", "Cs") or (category == "Cc" and ch not in "\n\t") or _noncharacter(ch):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return re.compile("[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
                                    for a, b in ranges) + "]")


def _noncharacter(ch: str) -> bool:
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def paragraphs(raw: str | None) -> str:
    """Multi-line text (a question, an answer): paragraphs kept, each line tidied, at most one empty line."""
    lines = [tidy(line) for line in (raw or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines).strip())


MAX_ID = 2**31 - 1  # the largest id the database's integer keys hold


def valid_id(value: int) -> bool:
    """An id from a path or a form that can name a row (no query is run for any other)."""
    return 0 < value <= MAX_ID


def parse_id(raw: str | None) -> int | None:
    """A row id typed or chosen in a form: plain ASCII digits within what the database holds."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if valid_id(value) else None


def parse_day(raw: str | None) -> dt.date | None:
    """dd/mm/yyyy (the Vietnamese form) or yyyy-mm-dd (what a date picker sends)."""
    raw = (raw or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def safe_token(raw: str | None) -> str:
    """A random token from a form or a link (url-safe base64), or "" for anything else: such
    values go into queries, where PostgreSQL refuses a NUL and nothing else can match anyway."""
    return raw if raw and _TOKEN.match(raw) else ""
