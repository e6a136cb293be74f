"""What `storyline watch` keeps between polls (migration 0019): feeds, the entries seen, the
pages to store and what became of them; saved searches and what each has already told.

A poll's writes are small transactions (one per feed, one per page), so a watch killed at
any moment restarts where it stopped: entries seen are not new again, stored pages are not
fetched again, pending ones are.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from storyline.store.base import StoreBase

FEED_COLUMNS = (
    "url", "title", "added_at", "etag", "last_modified", "last_poll_at", "last_status", "last_ok_at",
    "last_new_at", "last_new", "polls", "not_modified", "entries", "failures", "last_error",
    "min_interval_s", "next_poll_at",
)
PAGE_COLUMNS = (
    "url", "status", "feed", "entry_meta", "content", "canonical", "http_status", "article_id",
    "error", "attempts", "added_at", "fetched_at",
)
ALERT_COLUMNS = ("name", "query", "target", "created_at", "baseline_seq", "sent", "last_check_at", "last_error")

# Pages still to fetch: never tried, or failed in a way worth trying again (a timeout, a 5xx).
PENDING = ("pending", "retry")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedStore(StoreBase):
    # -- feeds ----------------------------------------------------------------------------

    def add_feed(self, url: str) -> bool:
        """Register a feed to follow; False when it was already known."""
        cur = self.db.execute(
            "INSERT INTO feeds (url, added_at) VALUES (?, ?) ON CONFLICT (url) DO NOTHING", (url, _now()))
        return cur.rowcount == 1

    def feed(self, url: str) -> dict[str, Any] | None:
        row = self.db.execute(f"SELECT {', '.join(FEED_COLUMNS)} FROM feeds WHERE url = ?", (url,)).fetchone()
        return dict(zip(FEED_COLUMNS, row, strict=True)) if row else None

    def feeds(self) -> list[dict[str, Any]]:
        rows = self.db.execute(f"SELECT {', '.join(FEED_COLUMNS)} FROM feeds ORDER BY added_at, url")
        out = []
        for row in rows:
            feed = dict(zip(FEED_COLUMNS, row, strict=True))
            feed["pages_failed"] = self.db.execute(
                "SELECT count(*) FROM pages WHERE feed = ? AND status IN ('failed', 'disallowed')",
                (feed["url"],)).fetchone()[0]
            feed["pages_pending"] = self.db.execute(
                "SELECT count(*) FROM pages WHERE feed = ? AND status IN ('pending', 'retry')",
                (feed["url"],)).fetchone()[0]
            feed["articles"] = self.db.execute(
                "SELECT count(*) FROM pages WHERE feed = ? AND status = 'stored'", (feed["url"],)).fetchone()[0]
            out.append(feed)
        return out

    def update_feed(self, url: str, **values: Any) -> None:
        unknown = set(values) - set(FEED_COLUMNS)
        if unknown:
            raise ValueError(f"no feed column(s) {sorted(unknown)}")
        names = sorted(values)  # names from FEED_COLUMNS only: never data
        self.db.execute(
            f"UPDATE feeds SET {', '.join(f'{n} = ?' for n in names)} WHERE url = ?",
            (*(values[n] for n in names), url))

    def has_entry(self, feed: str, key: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM feed_entries WHERE feed = ? AND key = ?", (feed, key)).fetchone() is not None

    def add_entry(self, feed: str, key: str, page: str) -> None:
        self.db.execute(
            "INSERT INTO feed_entries (feed, key, page, seen_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING", (feed, key, page, _now()))

    def clear_rejections(self, source: str, locator_like: str) -> None:
        """Forget the failures of a feed or page that has now worked."""
        self.db.execute("DELETE FROM rejections WHERE source = ? AND locator LIKE ?", (source, locator_like))

    # -- pages ----------------------------------------------------------------------------

    def page(self, url: str) -> dict[str, Any] | None:
        row = self.db.execute(f"SELECT {', '.join(PAGE_COLUMNS)} FROM pages WHERE url = ?", (url,)).fetchone()
        return self._page(row) if row else None

    def page_with_canonical(self, canonical: str, besides: str) -> dict[str, Any] | None:
        """A stored page whose URL or canonical URL is `canonical`, other than page `besides`."""
        row = self.db.execute(
            f"SELECT {', '.join(PAGE_COLUMNS)} FROM pages WHERE (url = ?1 OR canonical = ?1) AND url != ?2"
            " AND status = 'stored' LIMIT 1", (canonical, besides)).fetchone()
        return self._page(row) if row else None

    def add_page(self, url: str, *, feed: str | None, entry_meta: dict[str, Any], content: bytes | None) -> bool:
        """Queue a page to store; False (and nothing changed) when it is known already."""
        cur = self.db.execute(
            "INSERT INTO pages (url, status, feed, entry_meta, content, added_at) VALUES (?, 'pending', ?, ?, ?, ?)"
            " ON CONFLICT (url) DO NOTHING",
            (url, feed, json.dumps(entry_meta, ensure_ascii=False, sort_keys=True), content, _now()))
        return cur.rowcount == 1

    def pending_pages(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            f"SELECT {', '.join(PAGE_COLUMNS)} FROM pages WHERE status IN ('pending', 'retry') ORDER BY rowid")
        return [self._page(r) for r in rows]

    def finish_page(self, url: str, status: str, **values: Any) -> None:
        """Record what became of a page; a try counts as an attempt."""
        allowed = {"canonical", "http_status", "article_id", "error"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"no page column(s) {sorted(unknown)}")
        names = sorted(values)
        sets = "".join(f", {n} = ?" for n in names)
        self.db.execute(
            f"UPDATE pages SET status = ?, attempts = attempts + 1, fetched_at = ?{sets} WHERE url = ?",
            (status, _now(), *(values[n] for n in names), url))

    def failed_pages(self, limit: int = 50) -> list[dict[str, Any]]:
        """The pages last given up on or refused, newest first, without their content."""
        columns = ", ".join("NULL" if c == "content" else c for c in PAGE_COLUMNS)  # names, never data
        rows = self.db.execute(
            f"SELECT {columns} FROM pages WHERE status IN ('failed', 'disallowed')"
            " ORDER BY fetched_at DESC, rowid DESC LIMIT ?", (limit,))
        return [{k: v for k, v in self._page(row).items() if k != "content"} for row in rows]

    def page_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT status, count(*) FROM pages GROUP BY status").fetchall())

    @staticmethod
    def _page(row: tuple) -> dict[str, Any]:
        page = dict(zip(PAGE_COLUMNS, row, strict=True))
        page["entry_meta"] = json.loads(page["entry_meta"] or "{}")
        return page

    # -- saved searches -------------------------------------------------------------------

    def add_alert(self, name: str, query: str, target: str) -> bool:
        """Save a search; False when the name is taken. What is stored now is no news to it."""
        baseline = self.db.execute("SELECT COALESCE(max(seq), 0) FROM articles").fetchone()[0]
        cur = self.db.execute(
            "INSERT INTO alerts (name, query, target, created_at, baseline_seq) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (name) DO NOTHING", (name, query, target, _now(), baseline))
        return cur.rowcount == 1

    def remove_alert(self, name: str) -> bool:
        with self.transaction():
            self.db.execute("DELETE FROM alert_stories WHERE alert = ?", (name,))
            return self.db.execute("DELETE FROM alerts WHERE name = ?", (name,)).rowcount == 1

    def alerts(self) -> list[dict[str, Any]]:
        rows = self.db.execute(f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts ORDER BY name")
        return [dict(zip(ALERT_COLUMNS, r, strict=True)) for r in rows]

    def stories_with_articles_after(self, seq: int) -> dict[str, int]:
        """story id -> its newest member's seq, for the stories holding an article newer than `seq`."""
        rows = self.db.execute(
            "SELECT m.story_id, max(a.seq) FROM story_members m JOIN articles a ON a.id = m.article_id"
            " GROUP BY m.story_id HAVING max(a.seq) > ?", (seq,))
        return dict(rows.fetchall())

    def alerted(self, alert: str) -> dict[str, int]:
        """story id -> the newest article seq the alert already told of."""
        return dict(self.db.execute(
            "SELECT story_id, last_seq FROM alert_stories WHERE alert = ?", (alert,)).fetchall())

    def mark_alerted(self, alert: str, story_id: str, last_seq: int) -> None:
        self.db.execute(
            "INSERT INTO alert_stories (alert, story_id, last_seq, sent_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (alert, story_id) DO UPDATE SET last_seq = excluded.last_seq, sent_at = excluded.sent_at",
            (alert, story_id, last_seq, _now()))
        self.db.execute("UPDATE alerts SET sent = sent + 1 WHERE name = ?", (alert,))

    def note_alert_check(self, alert: str, error: str | None) -> None:
        self.db.execute("UPDATE alerts SET last_check_at = ?, last_error = ? WHERE name = ?", (_now(), error, alert))

    def story_news(self, story_id: str, after_seq: int) -> list[dict[str, Any]]:
        """The story's articles newer than `after_seq`, in arrival order."""
        rows = self.db.execute(
            "SELECT a.id, a.seq, a.url, COALESCE(c.title, a.title), COALESCE(c.outlet, a.outlet),"
            " COALESCE(c.published, a.published) FROM story_members m JOIN articles a ON a.id = m.article_id"
            " LEFT JOIN clean_articles c ON c.article_id = a.id WHERE m.story_id = ? AND a.seq > ? ORDER BY a.seq",
            (story_id, after_seq))
        return [{"id": r[0], "seq": r[1], "url": r[2], "title": r[3], "outlet": r[4], "published": r[5]} for r in rows]
