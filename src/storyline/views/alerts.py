"""Saved searches and their alerts: after a run, each story that matches a saved search and
is new, or has new articles, since the search last told of it, is told once.

A saved search is written in the web search's terms: words that must all occur in an
article of the story (full text, `word*` a prefix), and `place:NAME`, `entity:NAME`,
`outlet:NAME` (quote a name of several words: `place:"Abu Kamal"`). It is matched with the
very queries the web UI and the API's /api/stories use (Store.web_stories and friends).

An alert goes to a file (one JSON line appended), `-` (a JSON line on stdout) or an
http(s) URL (the JSON POSTed). A story is marked told only once its alert is delivered: a
webhook that is down gets it at the next check.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from storyline.store import Store
from storyline.store.queries import story_row

FIELDS = ("place", "entity", "outlet")
_TOKEN = re.compile(r'(\w+):"([^"]*)"|(\w+):(\S+)|"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class SavedQuery:
    words: str | None  # the full-text part, as typed
    place: str | None = None
    entity: str | None = None
    outlet: str | None = None


class QueryError(ValueError):
    pass


def parse_query(text: str) -> SavedQuery:
    words: list[str] = []
    named: dict[str, str] = {}
    for m in _TOKEN.finditer(text):
        key, value = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if key and key.lower() in FIELDS:
            if not value.strip():
                raise QueryError(f"{key}: needs a name")
            if key.lower() in named:
                raise QueryError(f"{key}: given twice")
            named[key.lower()] = value.strip()
        elif m.group(6) and m.group(6).endswith(":") and m.group(6)[:-1].lower() in FIELDS:
            raise QueryError(f"{m.group(6)[:-1]}: needs a name")
        else:
            words.append(m.group(0).strip('"'))
    q = " ".join(words).strip() or None
    if q is None and not named:
        raise QueryError("an empty search: give words, or place:, entity:, outlet:")
    if q is not None and not re.search(r"\w", q):
        raise QueryError(f"{text!r} holds no word to search for")
    return SavedQuery(q, named.get("place"), named.get("entity"), named.get("outlet"))


def matching_stories(store: Store, query: SavedQuery) -> set[str]:
    """Every story the web search finds for `query` (as /api/stories?q=..&place=.. would)."""
    story_ids: set[str] | None = None
    phrases = []
    for kind, name in (("place", query.place), ("entity", query.entity)):
        if name is None:
            continue
        found = store.web_stories_with(kind, name)
        if found is None:  # no stage has resolved names yet: stories whose text names it
            phrases.append(name)
            continue
        story_ids = set(found) if story_ids is None else story_ids & set(found)
    total, _ = store.web_stories(outlet=query.outlet, story_ids=sorted(story_ids) if story_ids is not None else None,
                                 q=query.words, phrases=phrases, limit=1)
    if not total:
        return set()
    _, rows = store.web_stories(outlet=query.outlet, story_ids=sorted(story_ids) if story_ids is not None else None,
                                q=query.words, phrases=phrases, limit=total)
    return {r["id"] for r in rows}


@dataclass
class AlertReport:
    sent: dict[str, int] = field(default_factory=dict)  # alert -> stories told this check
    errors: dict[str, str] = field(default_factory=dict)  # alert -> why its delivery failed


Post = Callable[[str, dict[str, Any]], None]


def check_alerts(store: Store, *, stdout: IO[str] | None = None, post: Post | None = None) -> AlertReport:
    """Tell every saved search's new matches; each is delivered, then marked told."""
    report = AlertReport()
    for alert in store.alerts():
        try:
            query = parse_query(alert["query"])
        except QueryError as exc:
            report.errors[alert["name"]] = f"bad query: {exc}"
            store.note_alert_check(alert["name"], report.errors[alert["name"]])
            continue
        told = store.alerted(alert["name"])
        floor = alert["baseline_seq"]
        fresh = store.stories_with_articles_after(floor)
        candidates = {s: seq for s, seq in fresh.items() if seq > told.get(s, floor)}
        matched = matching_stories(store, query) & set(candidates) if candidates else set()
        sent, error = 0, None
        for story_id in sorted(matched, key=lambda s: candidates[s]):
            message = _message(store, alert, story_id, max(told.get(story_id, floor), floor), story_id in told)
            try:
                _deliver(alert["target"], message, stdout or sys.stdout, post or _post)
            except OSError as exc:
                error = f"delivery to {alert['target']} failed: {exc}"
                break
            with store.transaction():
                store.mark_alerted(alert["name"], story_id, candidates[story_id])
            sent += 1
        store.note_alert_check(alert["name"], error)
        report.sent[alert["name"]] = sent
        if error:
            report.errors[alert["name"]] = error
    return report


def _message(store: Store, alert: dict, story_id: str, after_seq: int, seen: bool) -> dict[str, Any]:
    story = story_row(store, story_id)
    assert story is not None  # a story the search just found
    news = store.story_news(story_id, after_seq)
    for article in news:
        del article["seq"]
    return {
        "alert": alert["name"], "query": alert["query"], "kind": "updated" if seen else "new",
        "story": story_id, "title": story["title"], "first_seen": story["first_seen"],
        "last_seen": story["last_seen"], "storyline": story["storyline"], "articles": len(story["articles"]),
        "new_articles": news, "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _deliver(target: str, message: dict[str, Any], stdout: IO[str], post: Post) -> None:
    line = json.dumps(message, ensure_ascii=False)
    if target == "-":
        stdout.write(line + "\n")
        stdout.flush()
    elif target.lower().startswith(("http://", "https://")):
        post(target, message)
    else:
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def _post(url: str, message: dict[str, Any]) -> None:
    import httpx

    from storyline import __version__
    from storyline.settings import value

    contact = value("contact")
    agent = f"storyline/{__version__} ({'+' + contact if contact else 'no contact set: STORYLINE_CONTACT'})"
    try:
        response = httpx.post(url, json=message, timeout=value("fetch_timeout"), headers={"User-Agent": agent})
    except httpx.HTTPError as exc:
        raise OSError(f"{type(exc).__name__}: {exc}") from None
    if response.status_code >= 300:
        raise OSError(f"HTTP {response.status_code}")
