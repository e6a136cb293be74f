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

from storyline.store.base import StoreBase


class SummaryStore(StoreBase):
    # -- summaries and timelines ----------------------------------------------------------

    def summary_input_keys(self, version: int) -> dict[str, str]:
        """story id -> a key that changes when the story's members, their clean text or their
        reprint groups change (or the stage version does): what makes a summary stale."""
        rows = self.db.execute(
            "SELECT m.story_id, m.article_id, c.rowid, g.group_id FROM story_members m"
            " LEFT JOIN clean_articles c ON c.article_id = m.article_id"
            " LEFT JOIN reprint_groups g ON g.article_id = m.article_id"
            " ORDER BY m.story_id, m.article_id"
        )
        parts: dict[str, list[str]] = {}
        for story_id, article_id, rev, group in rows:
            parts.setdefault(story_id, []).append(f"{article_id}:{rev}:{group}")
        return {
            sid: f"{version}:" + hashlib.sha1("\n".join(p).encode()).hexdigest()
            for sid, p in parts.items()
        }

    def stale_summaries(self, version: int) -> list[str]:
        """Ids of stories with no summary, or one made from other inputs."""
        stored = dict(self.db.execute("SELECT story_id, input_key FROM story_summaries"))
        return sorted(sid for sid, key in self.summary_input_keys(version).items() if stored.get(sid) != key)

    def save_summaries(self, rows: Sequence[dict[str, Any]]) -> None:
        """rows: {story_id, input_key, sentences, disputes, timeline} (lists of dicts), one transaction."""
        made = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction():
            for r in rows:
                self.db.execute(
                    "INSERT OR REPLACE INTO story_summaries"
                    " (story_id, input_key, sentences, disputes, timeline, made_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        r["story_id"], r["input_key"], json.dumps(r["sentences"], ensure_ascii=False),
                        json.dumps(r["disputes"], ensure_ascii=False),
                        json.dumps(r["timeline"], ensure_ascii=False), made,
                    ),
                )

    def drop_orphan_summaries(self) -> int:
        """Remove summaries of stories that no longer exist (stories are reclustered whole)."""
        cur = self.db.execute("DELETE FROM story_summaries WHERE story_id NOT IN (SELECT id FROM stories)")
        return cur.rowcount

    def story_summary(self, story_id: str) -> dict[str, Any] | None:
        """The stored summary of one story, or None when it has none yet.

        {"story_id", "sentences": [{"text", "article_id", "cites": [article ids]}],
         "disputes": [{"what", "note", "cites"}],
         "timeline": [{"date": "YYYY-MM-DD", "estimated": bool, "text", "cites"}],
         "made_at"}. `article_id` is where a sentence was copied from; `cites` lists every
        article carrying it or a close paraphrase (stages/summaries.py says how close).
        """
        row = self.db.execute(
            "SELECT sentences, disputes, timeline, made_at FROM story_summaries WHERE story_id = ?",
            (story_id,),
        ).fetchone()
        if row is None:
            return None
        return {
            "story_id": story_id, "sentences": json.loads(row[0]), "disputes": json.loads(row[1]),
            "timeline": json.loads(row[2]), "made_at": row[3],
        }

    def all_story_summaries(self) -> dict[str, dict[str, Any]]:
        """story id -> `story_summary(story id)` for every summarized story."""
        out = {}
        for sid, sentences, disputes, timeline, made in self.db.execute(
            "SELECT story_id, sentences, disputes, timeline, made_at FROM story_summaries"
        ):
            out[sid] = {
                "story_id": sid, "sentences": json.loads(sentences), "disputes": json.loads(disputes),
                "timeline": json.loads(timeline), "made_at": made,
            }
        return out

    def storyline_timeline(self, storyline_id: str) -> list[dict[str, Any]]:
        """The dated events of every story of a storyline, in date order, each with its
        `story` id added to the `story_summary` timeline entry."""
        entries = []
        for (sid,) in self.db.execute("SELECT id FROM stories WHERE storyline_id = ?", (storyline_id,)):
            summary = self.story_summary(sid)
            for e in summary["timeline"] if summary else []:
                entries.append({**e, "story": sid})
        return sorted(entries, key=lambda e: (e["date"], e["story"]))
