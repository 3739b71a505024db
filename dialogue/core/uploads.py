"""Uploaded files: their type decided from the content (never the name), a safe display name, and
photos cleaned of their metadata (EXIF, with the GPS position of where a photo was taken) before
anyone else sees them. Shared by answers' attachments, commitments' evidence and inspections' evidence."""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile

from dialogue.core.errors import InvalidInput
from dialogue.core.i18n import gettext as _

MAX_BYTES = 5 * 1024 * 1024
ALLOWED = {  # what we accept, by what the bytes are
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def sniff(data: bytes) -> str | None:
    """The file's type from its first bytes (and, for Word files, its zip directory)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        except zipfile.BadZipFile:
            return None
    return None


def safe_filename(name: str, content_type: str) -> str:
    """A display name without paths or control characters, ending as its content says."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").split("/")[-1])
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] not in ("C",) and ch not in '"<>|:*?')
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base).strip(" .")[:150] or "tep-dinh-kem"
    return stem + ALLOWED[content_type]


# JPEG segments that carry metadata: APP1 (EXIF, with GPS, and XMP), APP13 (IPTC), COM (comments).
_JPEG_METADATA = {0xE1, 0xED, 0xFE}
# PNG chunks that carry metadata: EXIF and the three kinds of text.
_PNG_METADATA = {b"eXIf", b"tEXt", b"zTXt", b"iTXt"}


def without_metadata(data: bytes, content_type: str) -> bytes | None:
    """The image without its metadata segments (the pixels untouched); other files as they are.
    None: an image too damaged to read its structure (refused rather than kept with its EXIF)."""
    try:
        if content_type == "image/jpeg":
            return _jpeg_without_metadata(data)
        if content_type == "image/png":
            return _png_without_metadata(data)
    except (IndexError, struct.error, ValueError):
        return None
    return data


def _jpeg_without_metadata(data: bytes) -> bytes:
    out, position = bytearray(data[:2]), 2
    while position < len(data):
        if data[position] != 0xFF:
            raise ValueError("not a marker")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9 or 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            out += data[position:position + 2]
            position += 2
            if marker == 0xD9:
                break
            continue
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        if length < 2 or position + 2 + length > len(data):
            raise ValueError("bad segment length")
        if marker == 0xDA:  # start of scan: the image data runs to the end
            out += data[position:]
            return bytes(out)
        if marker not in _JPEG_METADATA:
            out += data[position:position + 2 + length]
        position += 2 + length
    return bytes(out)


def _png_without_metadata(data: bytes) -> bytes:
    out, position = bytearray(data[:8]), 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        end = position + 12 + length
        if end > len(data):
            raise ValueError("bad chunk length")
        if kind not in _PNG_METADATA:
            out += data[position:end]
        position = end
        if kind == b"IEND":
            break
    return bytes(out)


def checked_file(filename: str, data: bytes) -> tuple[str, str]:
    """An uploaded file checked: (safe name, type from the content). InvalidInput, on the form's
    "file" field, says what is wrong (empty, too large, a type we do not take)."""
    if not data:
        raise InvalidInput({"file": _("Choose a file to attach.")})
    if len(data) > MAX_BYTES:
        raise InvalidInput({"file": _("The file is too large: at most %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024))})
    content_type = sniff(data)
    if content_type is None:
        raise InvalidInput({"file": _("Attach a PDF, a Word document (.docx), or a PNG or JPEG image.")})
    return safe_filename(filename, content_type), content_type


def public_file(filename: str, data: bytes) -> tuple[str, str, bytes]:
    """An uploaded file that the public will see (evidence of work or of a visit), checked and cleaned:
    (safe name, type from the content, the bytes with a photo's metadata removed)."""
    name, content_type = checked_file(filename, data)
    cleaned = without_metadata(data, content_type)
    if cleaned is None:
        raise InvalidInput({"file": _("This image cannot be read. Save it again as JPEG or PNG and attach it.")})
    return name, content_type, cleaned
