"""Store methods of story summaries and timelines (written by stages/summaries.py).

Read by the CLI (`storyline story ID`), the exports and the web UI through
`story_summary()` and `storyline_timeline()`; the dict shapes they return are a stable
interface (keys are added, never renamed).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from storyline.store.base import StoreBase, chunks


class SummaryStore(StoreBase):
    # -- summaries and timelines ----------------------------------------------------------

    def summary_input_keys(self, version: str, story_ids: Sequence[str] | None = None) -> dict[str, str]:
        """story id -> a key that changes when the story's members, their clean text, their
        reprint groups or their stored events change (or the stage version/settings do):
        what makes a summary stale."""
        sql = (
            "SELECT m.story_id, m.article_id, c.rowid, g.group_id FROM story_members m"
            " LEFT JOIN clean_articles c ON c.article_id = m.article_id"
            " LEFT JOIN reprint_groups g ON g.article_id = m.article_id"
        )
        if story_ids is None:
            rows = self.db.execute(sql).fetchall()
        else:
            rows = []
            for chunk in chunks(list(story_ids)):
                marks = ",".join("?" * len(chunk))
                rows += self.db.execute(sql + f" WHERE m.story_id IN ({marks})", tuple(chunk)).fetchall()
        event_revs = self._event_revisions() if self._events_columns() else {}
        parts: dict[str, list[str]] = {}
        for story_id, article_id, rev, group in sorted(rows, key=lambda r: (r[0], r[1])):
            parts.setdefault(story_id, []).append(f"{article_id}:{rev}:{group}:{event_revs.get(article_id, '')}")
        return {
            sid: f"{version}:" + hashlib.sha1("\n".join(p).encode()).hexdigest()
            for sid, p in parts.items()
        }

    def stale_summaries(self, version: str) -> list[str]:
        """Ids of stories with no summary, or one made from other inputs."""
        stored = dict(self.db.execute("SELECT story_id, input_key FROM story_summaries"))
        return sorted(sid for sid, key in self.summary_input_keys(version).items() if stored.get(sid) != key)

    def story_member_ids(self, story_ids: Sequence[str]) -> dict[str, list[str]]:
        """story id -> its article ids in arrival order."""
        out: dict[str, list[str]] = {}
        for chunk in chunks(list(story_ids)):
            marks = ",".join("?" * len(chunk))
            for sid, aid in self.db.execute(
                "SELECT m.story_id, m.article_id FROM story_members m JOIN articles a ON a.id = m.article_id"
                f" WHERE m.story_id IN ({marks}) ORDER BY a.seq", tuple(chunk),
            ):
                out.setdefault(sid, []).append(aid)
        return out

    def reprint_groups_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """article id -> reprint group id, for those of `article_ids` in a group."""
        out: dict[str, str] = {}
        for chunk in chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(
                f"SELECT article_id, group_id FROM reprint_groups WHERE article_id IN ({marks})", tuple(chunk)))
        return out

    # -- the hook for stored events (issue 6b) ----------------------------------------------
    # When an `events` table exists with an article column, a date column and a text column
    # (names from the lists below), the timeline is built from its rows instead of dated
    # sentences. Column names come from these fixed lists only, never from data.
    _EVENT_ARTICLE = ("article_id",)
    _EVENT_DATE = ("date", "day", "value", "event_date")
    _EVENT_TEXT = ("text", "sentence", "summary", "quote", "trigger")

    def _events_columns(self) -> tuple[str, str, str] | None:
        cols = {r[1] for r in self.db.execute("PRAGMA table_info(events)")}
        picked = [next((c for c in names if c in cols), None)
                  for names in (self._EVENT_ARTICLE, self._EVENT_DATE, self._EVENT_TEXT)]
        return None if None in picked else (picked[0], picked[1], picked[2])

    def _event_revisions(self) -> dict[str, str]:
        rows = self.db.execute("SELECT article_id, count(*), max(rowid), total(rowid) FROM events GROUP BY article_id")
        return {a: f"{n}.{m}.{int(t)}" for a, n, m, t in rows}

    def stored_events(self, article_ids: Sequence[str]) -> list[dict[str, Any]] | None:
        """The stored events of these articles, merged by (date, text) with every article
        carrying them: [{"date", "text", "cites"}]; None when the store has no events table."""
        cols = self._events_columns()
        if cols is None:
            return None
        art, day, text = cols
        merged: dict[tuple[str, str], set[str]] = {}
        for chunk in chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            for aid, when, what in self.db.execute(
                f"SELECT {art}, {day}, {text} FROM events WHERE {art} IN ({marks})", tuple(chunk)
            ):
                if when and what:
                    merged.setdefault((str(when)[:10], str(what)), set()).add(aid)
        return [{"date": d, "text": t, "cites": sorted(c)} for (d, t), c in sorted(merged.items())]

    def save_summaries(self, rows: Sequence[dict[str, Any]]) -> None:
        """rows: {story_id, input_key, headline, sentences, disputes, timeline}, one transaction."""
        made = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction():
            for r in rows:
                self.db.execute(
                    "INSERT OR REPLACE INTO story_summaries"
                    " (story_id, input_key, sentences, disputes, timeline, made_at, headline)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        r["story_id"], r["input_key"], json.dumps(r["sentences"], ensure_ascii=False),
                        json.dumps(r["disputes"], ensure_ascii=False),
                        json.dumps(r["timeline"], ensure_ascii=False), made,
                        json.dumps(r.get("headline"), ensure_ascii=False),
                    ),
                )

    def drop_orphan_summaries(self) -> int:
        """Remove summaries of stories that no longer exist (stories are reclustered whole)."""
        cur = self.db.execute("DELETE FROM story_summaries WHERE story_id NOT IN (SELECT id FROM stories)")
        return cur.rowcount

    def story_summary(self, story_id: str) -> dict[str, Any] | None:
        """The stored summary of one story, or None when it has none yet.

        {"story_id", "headline": {"text", "cites"} or None,
         "sentences": [{"text", "article_id", "cites": [article ids]}],
         "disputes": [{"what", "note", "cites", "figures": [{"value", "who", "article_id", "quote"}]}],
         "timeline": [{"date": "YYYY-MM-DD", "estimated": bool, "text", "cites", "when"}],
         "made_at"}. `article_id` is where a sentence was copied from; `cites` lists every
        article carrying it or a close paraphrase (stages/summaries.py says how close).
        """
        row = self.db.execute(
            "SELECT story_id, sentences, disputes, timeline, made_at, headline FROM story_summaries"
            " WHERE story_id = ?", (story_id,),
        ).fetchone()
        return None if row is None else _summary(row)

    def all_story_summaries(self) -> dict[str, dict[str, Any]]:
        """story id -> `story_summary(story id)` for every summarized story."""
        return {
            row[0]: _summary(row) for row in self.db.execute(
                "SELECT story_id, sentences, disputes, timeline, made_at, headline FROM story_summaries")
        }

    def storyline_timeline(self, storyline_id: str) -> list[dict[str, Any]]:
        """The dated events of every story of a storyline, in date order, each with its
        `story` id added to the `story_summary` timeline entry."""
        entries = []
        for (sid,) in self.db.execute("SELECT id FROM stories WHERE storyline_id = ?", (storyline_id,)):
            summary = self.story_summary(sid)
            for e in summary["timeline"] if summary else []:
                entries.append({**e, "story": sid})
        return sorted(entries, key=lambda e: (e["date"], e["story"]))


def _summary(row: Sequence[Any]) -> dict[str, Any]:
    sid, sentences, disputes, timeline, made, head = row
    return {
        "story_id": sid, "headline": json.loads(head) if head else None, "sentences": json.loads(sentences),
        "disputes": json.loads(disputes), "timeline": json.loads(timeline), "made_at": made,
    }
