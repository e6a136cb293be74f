"""Turning input bytes into text, or saying clearly why not."""

from __future__ import annotations

import re

from storyline.ingest.limits import MAX_ITEM_BYTES  # noqa: F401  (where readers long found it)

_BINARY_MAGIC = (
    b"\x1f\x8b", b"%PDF", b"\x89PNG", b"PK\x03\x04", b"\xff\xd8\xff", b"GIF8", b"\x7fELF",
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.I)


class DecodeProblem(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


def decode_bytes(raw: bytes, html: bool = False, declared: str | None = None) -> tuple[str, str]:
    """Decode `raw`; returns (text, encoding name that decodes it). Raises DecodeProblem."""
    if not raw.strip():
        raise DecodeProblem("empty", "no content")
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    if raw.startswith(_BINARY_MAGIC) or (not utf16 and _mostly_nul(raw)):
        raise DecodeProblem("binary", "the content is not text (binary signature or NUL bytes)")
    if not utf16 and b"\x00" in raw:
        # A few stray NULs in a text (a damaged page, a crawler's padding) are no character of
        # it: dropped, the text kept.
        raw = raw.replace(b"\x00", b"")
    candidates: list[str] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates.append("utf-8-sig")
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates.append("utf-16")
    candidates.append("utf-8")
    if declared:
        candidates.append(declared)
    if html:
        found = _META_CHARSET.search(raw[:4096])
        if found:
            candidates.append(found.group(1).decode("ascii", "replace"))
    utf8_error: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            if encoding == "utf-8":
                utf8_error = exc
            continue
        except LookupError:
            continue
        return _checked(text), encoding
    if utf8_error is not None and len(_UTF8_MULTIBYTE.findall(raw)) >= 3:
        # Mostly UTF-8 with damaged bytes: guessing a legacy codec would only make mojibake.
        raise DecodeProblem(
            "undecodable", f"broken UTF-8 at byte {utf8_error.start} ({utf8_error.reason}) in a UTF-8 text"
        )
    from charset_normalizer import from_bytes

    results = list(from_bytes(raw))
    best = min(results, key=lambda r: (round(r.chaos, 2), r.encoding not in _COMMON_LEGACY), default=None)
    if best is None or best.chaos > 0.25:
        raise DecodeProblem("undecodable", "not UTF-8, and no other text encoding fits it")
    text = _checked(str(best))
    if not _has_word_breaks(text):
        raise DecodeProblem("undecodable", f"not UTF-8; as {best.encoding} it reads as no language (no word breaks)")
    return text, best.encoding


# Binary formats are full of NUL bytes (every integer field has some), and so is UTF-16
# without a byte-order mark (every other byte in Latin text); a text file has none. Above
# this share the content is not a text in an 8-bit or UTF-8 encoding; below, the NULs are damage.
MAX_NUL_SHARE = 0.01


def _mostly_nul(raw: bytes) -> bool:
    head = raw[:65536]
    return head.count(b"\x00") > MAX_NUL_SHARE * len(head)


# Among legacy codecs that decode equally cleanly, the common Western ones are the likely truth.
_COMMON_LEGACY = {"cp1252", "latin_1", "iso8859_15"}
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _has_word_breaks(text: str) -> bool:
    """Real prose has spaces or, in CJK scripts, sentence punctuation; decoded noise has neither."""
    sample = text[:5000]
    breaks = sum(1 for ch in sample if ch.isspace() or ch in "。、，！？")
    return breaks >= max(1, len(sample) // 200)


def _checked(text: str) -> str:
    if not text.strip():
        raise DecodeProblem("empty", "only whitespace")
    sample = text[:20000]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > max(8, len(sample) // 50):
        raise DecodeProblem("binary", f"{control} control characters in the first {len(sample)}")
    return text


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    """Whether `text` holds a lone surrogate (from a JSON `\\ud800` or an `&#xD800;`), which no
    UTF-8 text can: SQLite and every export would fail on it."""
    return _SURROGATE.search(text) is not None


def replace_surrogates(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)
