"""One input record (a JSONL line, a JSON array element, a CSV row, a Parquet row) to an Item.

The fields storyline knows are `id`, `url`, `title`, `outlet`, `published`, `language` and
the body, `text` or `html`. A record that names them otherwise (`body`, `headline`,
`source`, `date`, `link`, ...) is read through the aliases below, or through an explicit
mapping (`--map text=body,title=headline`); every field read under another name gives a
notice, so the renaming is never silent. Every other field is kept as the article's
metadata (`meta`), exported with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from storyline.ingest.dates import parse_published
from storyline.ingest.decode import has_surrogate, replace_surrogates
from storyline.ingest.items import Item
from storyline.ingest.limits import MAX_ITEM_BYTES
from storyline.records import Rejection

KNOWN_FIELDS = ("id", "url", "title", "outlet", "published", "language")
BODY_FIELDS = ("text", "html")
MAPPABLE = KNOWN_FIELDS + BODY_FIELDS

# storyline field -> the names other tools give it, tried in this order when the record
# has no field of storyline's own name.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("guid",),
    "text": ("body", "content", "maintext", "article"),
    "title": ("headline",),
    "published": ("date", "pubDate", "published_at", "datePublished", "publish_date", "date_publish", "pub_date"),
    "outlet": ("source", "publisher", "site_name", "source_domain"),
    "url": ("link",),
    "language": ("lang",),
}


def parse_mapping(spec: str | None) -> dict[str, str]:
    """'text=body,title=headline' -> {'text': 'body', 'title': 'headline'}."""
    mapping: dict[str, str] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        target, sep, name = part.partition("=")
        target, name = target.strip(), name.strip()
        if not sep or not name or target not in MAPPABLE:
            raise ValueError(
                f"--map {part.strip()!r}: give FIELD=COLUMN, FIELD one of {', '.join(MAPPABLE)}"
            )
        mapping[target] = name
    return mapping


def record_item(
    record: Mapping[str, Any],
    *,
    raw: bytes | None,
    source: str,
    locator: str,
    default_id: str,
    mapping: Mapping[str, str] | None = None,
    date_order: str | None = None,
) -> Item | Rejection:
    """The Item of one record, or the Rejection saying why it is none. `raw` is the record's
    bytes as read (a JSONL line); None stores the record as JSON (a CSV or Parquet row)."""
    fields, notices = _resolve(record, mapping or {})
    body_field = None
    for name in BODY_FIELDS:
        if name in fields and isinstance(record.get(fields[name]), str) and record[fields[name]].strip():
            body_field = name
            break
    not_text = [fields[n] for n in BODY_FIELDS if n in fields and record.get(fields[n]) is not None
                and not isinstance(record[fields[n]], str)]
    if body_field is None and not_text:
        value = record[not_text[0]]
        return Rejection(source, locator, "not text",
                         f"the {not_text[0]!r} field holds {type(value).__name__} {str(value)[:40]}, not text")
    # Only a \uD800-\uDFFF escape makes one; a line without such an escape is not walked.
    bad = _surrogate_field(record) if raw is None or _SURROGATE_ESCAPE.search(raw) else None
    if bad is not None:
        return Rejection(source, locator, "bad Unicode",
                         f"the {bad!r} field holds a lone surrogate (such as \\ud800), which is no character;"
                         " write the text as valid Unicode")
    if body_field is None:
        has = any(name in fields for name in BODY_FIELDS)
        return Rejection(
            source, locator, "empty" if has else "missing text",
            "the `text` or `html` field is empty" if has
            else f"a record needs a `text` or `html` field (or --map text=COLUMN); keys present: {sorted(record)[:12]}",
        )
    body = record[fields[body_field]]
    if "\x00" in body:
        return Rejection(source, locator, "binary", "the article body holds NUL bytes")
    known = {k: _as_str(record.get(fields[k])) if k in fields else None for k in KNOWN_FIELDS}
    if "outlet" in fields and isinstance(record.get(fields["outlet"]), Mapping):  # NewsAPI: {"id", "name"}
        value = record[fields["outlet"]]
        known["outlet"] = _as_str(value.get("name") or value.get("title") or value.get("id"))
    used = set(fields.values())
    meta = {k: _json_safe(v) for k, v in record.items() if k not in used}
    warnings: list[str] = []
    published = published_at = published_raw = None
    given = record.get(fields["published"]) if "published" in fields else None
    if given is not None and given != "":
        parsed = parse_published(given, language=known["language"], order=date_order)
        published, published_at = parsed.value, parsed.at
        if parsed.warning:
            warnings.append(parsed.warning)
        text = given.isoformat() if isinstance(given, (date, datetime)) else str(given)
        if text != published:
            published_raw = text
    if raw is None:
        raw = json.dumps({k: _json_safe(v) for k, v in record.items()}, ensure_ascii=False).encode("utf-8")
        if len(raw) > MAX_ITEM_BYTES:
            return Rejection(source, locator, "too large", f"{len(raw)} bytes; the limit is {MAX_ITEM_BYTES} per article")
    return Item(
        article_id=known["id"] or default_id,
        fmt="text" if body_field == "text" else "html",
        raw=raw, encoding="utf-8", locator=locator, body_field=fields[body_field],
        identity=body.encode("utf-8"), url=known["url"], title=known["title"],
        outlet=known["outlet"], published=published, language=known["language"], meta=meta,
        published_at=published_at, published_raw=published_raw, warnings=warnings, notices=notices,
    )


def _resolve(record: Mapping[str, Any], mapping: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """storyline field -> the record's key holding it, and a notice per renamed field."""
    fields: dict[str, str] = {}
    notices: list[str] = []
    for target in MAPPABLE:
        if target in mapping:
            if mapping[target] in record:
                fields[target] = mapping[target]
                notices.append(f"{mapping[target]!r} read as {target} (--map)")
            continue
        if target in record and record[target] is not None:
            fields[target] = target
            continue
        for alias in ALIASES.get(target, ()):
            if alias in record and record[alias] not in (None, "") and alias not in fields.values():
                fields[target] = alias
                notices.append(f"{alias!r} read as {target}")
                break
        else:
            if target in record:
                fields[target] = target
    return fields, notices


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _surrogate_field(record: Mapping[str, Any]) -> str | None:
    """The first field (top-level name) holding a lone surrogate anywhere, or None."""
    for key, value in record.items():
        if _holds_surrogate(key) or _holds_surrogate(value):
            return replace_surrogates(str(key))
    return None


def _holds_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return has_surrogate(value)
    if isinstance(value, Mapping):
        return any(_holds_surrogate(k) or _holds_surrogate(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_holds_surrogate(v) for v in value)
    return False


def _as_str(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _json_safe(value: Any) -> Any:
    """A value from JSON, CSV or Parquet as JSON can hold it (dates as ISO text)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
