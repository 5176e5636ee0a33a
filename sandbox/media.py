"""Just enough knowledge of image bytes to act like Telegram's photo processing.

Telegram refuses a "photo" that is not an image (IMAGE_PROCESS_FAILED) and reports real
dimensions; the sandbox sniffs the header instead of decoding, and makes small fake JPEGs for
simulated users so tests need no fixture files.
"""

from __future__ import annotations

import mimetypes
import struct


def is_image(data: bytes) -> bool:
    return (
        data.startswith(b"\xff\xd8\xff")
        or data.startswith(b"\x89PNG\r\n\x1a\n")
        or data.startswith((b"GIF87a", b"GIF89a"))
        or (data.startswith(b"RIFF") and data[8:12] == b"WEBP")
        or data.startswith(b"BM")
    )


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG, GIF or JPEG header, or None if not found."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if data.startswith((b"GIF87a", b"GIF89a")) and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return int(w), int(h)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (length,) = struct.unpack(">H", data[i + 2:i + 4])
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return int(w), int(h)
            i += 2 + length
    return None


def fake_jpeg(width: int = 1280, height: int = 960, size: int = 2048) -> bytes:
    """A JPEG-looking payload (SOI, JFIF, SOF0 with the given size, filler, EOI).

    Viewers will not render it; it exists so that uploads and downloads carry plausible bytes.
    """
    jfif = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    head = b"\xff\xd8" + jfif + sof
    filler_len = max(0, size - len(head) - 2)
    filler = bytes((i * 31 + 7) % 251 for i in range(filler_len))
    return head + filler + b"\xff\xd9"


def guess_mime(file_name: str | None, declared: str | None = None) -> str:
    """MIME type as Telegram reports it for a document: from the name, else what was declared."""
    guessed = mimetypes.guess_type(file_name or "")[0]
    if guessed:
        return guessed
    if declared and declared != "application/octet-stream":
        return declared
    return "application/octet-stream"
