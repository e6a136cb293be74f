"""Store methods of story summaries and timelines (written by stages/summaries/summarize.py).

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

from storyline.store.base import chunks
from storyline.store.events import EventStore


class SummaryStore(EventStore):
    # -- summaries and timelines ----------------------------------------------------------

    def summary_input_keys(self, version: str, story_ids: Sequence[str] | None = None) -> dict[str, str]:
        """story id -> a key that changes when the story's members, their clean text, their
        reprint groups, its stored events or its title change (or the stage version/settings
        do): what makes a summary stale."""
        sql = (
            "SELECT m.story_id, m.article_id, c.rowid, g.group_id, s.title FROM story_members m"
            " LEFT JOIN clean_articles c ON c.article_id = m.article_id"
            " LEFT JOIN reprint_groups g ON g.article_id = m.article_id"
            " LEFT JOIN stories s ON s.id = m.story_id"
        )
        if story_ids is None:
            rows = self.db.execute(sql).fetchall()
        else:
            rows = []
            for chunk in chunks(list(story_ids)):
                marks = ",".join("?" * len(chunk))
                rows += self.db.execute(sql + f" WHERE m.story_id IN ({marks})", tuple(chunk)).fetchall()
        event_revs = self._event_revisions()
        parts: dict[str, list[str]] = {}
        for story_id, article_id, rev, group, title in sorted(rows, key=lambda r: (r[0], r[1])):
            parts.setdefault(story_id, [f"events:{event_revs.get(story_id, '')}", f"title:{title}"]).append(
                f"{article_id}:{rev}:{group}")
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
        return self.values_by_id("reprint_groups", "article_id", "group_id", article_ids)

    # -- stored events: the timeline is made of the events stage's events --------------------

    def _event_revisions(self) -> dict[str, str]:
        """story id -> a hash of its events (the events table is rewritten whole, so rowids
        would make every summary look stale)."""
        digests: dict[str, Any] = {}
        for sid, start, est, sources, mentions in self.db.execute(
            "SELECT story_id, date_start, estimated, sources, mentions FROM events ORDER BY story_id, id"
        ):
            digests.setdefault(sid, hashlib.sha1()).update(repr((start, est, sources, mentions)).encode())
        return {sid: d.hexdigest()[:16] for sid, d in digests.items()}

    def stored_events(self, story_id: str) -> list[dict[str, Any]]:
        """The story's stored events as timeline entries [{"date", "date_end", "estimated", "text", "cites"}]
        (text: the first reporting clause)."""
        out = []
        for start, end, est, sources, mentions in self.db.execute(
            "SELECT date_start, date_end, estimated, sources, mentions FROM events WHERE story_id = ?"
            " ORDER BY date_start, id", (story_id,),
        ):
            mentions = json.loads(mentions or "[]")
            text = next((m.get("text") for m in mentions if isinstance(m, dict) and m.get("text")), None)
            if start and text:
                out.append({"date": start, "date_end": end, "estimated": bool(est), "text": text,
                            "cites": sorted(set(json.loads(sources or "[]")))})
        return out

    def save_summaries(self, rows: Sequence[dict[str, Any]]) -> None:
        """rows: {story_id, input_key, headline, sentences, timeline}, one transaction. The
        disputes column stays empty: a story's disputes are the events stage's, which
        `story_summary` reads (`story_disputes`)."""
        made = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction():
            for r in rows:
                self.db.execute(
                    "INSERT OR REPLACE INTO story_summaries"
                    " (story_id, input_key, sentences, disputes, timeline, made_at, headline)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        r["story_id"], r["input_key"], json.dumps(r["sentences"], ensure_ascii=False),
                        "[]",
                        json.dumps(r["timeline"], ensure_ascii=False), made,
                        json.dumps(r.get("headline"), ensure_ascii=False),
                    ),
                )

    def drop_orphan_summaries(self) -> int:
        """Remove summaries of stories that no longer exist (stories are reclustered whole)."""
        cur = self.db.execute("DELETE FROM story_summaries WHERE story_id NOT IN (SELECT id FROM stories)")
        return cur.rowcount

    def story_summary(self, story_id: str) -> dict[str, Any] | None:
        """The stored summary of one story, with the events stage's disputes of its figures
        (`story_disputes`), or None when it has none yet.

        {"story_id", "headline": {"text", "cites"} or None,
         "sentences": [{"text", "article_id", "cites": [article ids]}],
         "disputes": [{"what", "note", "cites", "figures": [{"value", "who", "article_id", "quote"}]}],
         "timeline": [{"date": "YYYY-MM-DD", "estimated": bool, "text", "cites", "when"}],
         "made_at"}. `article_id` is where a sentence was copied from; `cites` lists every
        article carrying it or a close paraphrase (stages/summaries/summarize.py says how close).
        """
        row = self.db.execute(
            "SELECT story_id, sentences, disputes, timeline, made_at, headline FROM story_summaries"
            " WHERE story_id = ?", (story_id,),
        ).fetchone()
        return None if row is None else _summary(row, self.story_disputes(story_id))

    def all_story_summaries(self) -> dict[str, dict[str, Any]]:
        """story id -> `story_summary(story id)` for every summarized story."""
        disputes = self.disputes_by_story()
        return {
            row[0]: _summary(row, disputes.get(row[0], [])) for row in self.db.execute(
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


def _summary(row: Sequence[Any], disputes: list[dict[str, Any]]) -> dict[str, Any]:
    sid, sentences, _unused, timeline, made, head = row
    return {
        "story_id": sid, "headline": json.loads(head) if head else None, "sentences": json.loads(sentences),
        "disputes": disputes, "timeline": json.loads(timeline), "made_at": made,
    }
