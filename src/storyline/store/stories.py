"""Store methods of the story and storyline stage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storyline.store.base import StoreBase, chunks


class StoryStore(StoreBase):
    # -- online clustering state --------------------------------------------------------------

    def story_inputs(self) -> list[tuple[str, int, str | None]]:
        """(article id, seq, published) of every cleaned article, in arrival order: no text."""
        return self.db.execute(
            "SELECT c.article_id, a.seq, c.published FROM clean_articles c"
            " JOIN articles a ON a.id = c.article_id ORDER BY a.seq"
        ).fetchall()

    def story_assignments(self) -> dict[str, tuple[str, int, int, str]]:
        """article id -> (story id, day, seq, leader) as the online clusterer placed it."""
        rows = self.db.execute("SELECT article_id, story_id, day, seq, leader FROM story_assignments")
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def story_state(self, name: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM story_state WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def clear_story_clustering(self) -> None:
        """Forget every placement, before a replay from the first article."""
        with self.transaction():
            for table in ("story_assignments", "story_state", "story_members", "stories", "storylines"):
                self.db.execute(f"DELETE FROM {table}")

    def story_titles(self, story_ids: Sequence[str]) -> dict[str, list[tuple[str, str | None, str]]]:
        """story id -> [(article id, clean title, first 300 characters of text)] in arrival order."""
        out: dict[str, list[tuple[str, str | None, str]]] = {}
        for chunk in chunks(list(story_ids)):
            marks = ",".join("?" * len(chunk))
            for story, art, title, text in self.db.execute(
                "SELECT m.story_id, m.article_id, c.title, substr(c.text, 1, 300) FROM story_members m"
                " JOIN clean_articles c ON c.article_id = m.article_id JOIN articles a ON a.id = m.article_id"
                f" WHERE m.story_id IN ({marks}) ORDER BY a.seq",
                tuple(chunk),
            ):
                out.setdefault(story, []).append((art, title, text))
        return out

    def save_story_placements(
        self,
        assignments: Sequence[tuple[str, str, int, int, str]],
        stories: Sequence[dict[str, Any]],
        storylines: Sequence[dict[str, Any]],
        dropped_lines: Sequence[str],
        state: dict[str, bytes],
    ) -> None:
        """One run's placements in one transaction. assignments: (article, story, day, seq,
        leader); stories/storylines: the changed ones, whole (they replace stored rows);
        dropped_lines: storylines merged into others."""
        with self.transaction():
            self.db.executemany("DELETE FROM storylines WHERE id = ?", [(x,) for x in dropped_lines])
            self.db.executemany(
                "INSERT OR REPLACE INTO story_assignments (article_id, story_id, day, seq, leader)"
                " VALUES (?, ?, ?, ?, ?)", assignments,
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO story_members (article_id, story_id) VALUES (?, ?)",
                [(a[0], a[1]) for a in assignments],
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO stories (id, title, first_seen, last_seen, storyline_id)"
                " VALUES (?, ?, ?, ?, ?)",
                [(s["id"], s["title"], s["first_seen"], s["last_seen"], s["storyline"]) for s in stories],
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO storylines (id, title, first_seen, last_seen) VALUES (?, ?, ?, ?)",
                [(s["id"], s["title"], s["first_seen"], s["last_seen"]) for s in storylines],
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO story_state (name, value) VALUES (?, ?)", sorted(state.items())
            )

    def story_title_map(self, story_ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in chunks(list(story_ids)):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT id, title FROM stories WHERE id IN ({marks})", tuple(chunk)))
        return out

    def count_stories(self) -> int:
        return self.db.execute("SELECT count(*) FROM stories").fetchone()[0]

    def count_storylines(self) -> int:
        return self.db.execute("SELECT count(*) FROM storylines").fetchone()[0]

    def stories(self) -> list[dict[str, Any]]:
        """Every story with its member article ids (in arrival order), newest first."""
        members: dict[str, list[str]] = {}
        for story_id, article_id in self.db.execute(
            "SELECT m.story_id, m.article_id FROM story_members m JOIN articles a ON a.id = m.article_id"
            " ORDER BY a.seq"
        ):
            members.setdefault(story_id, []).append(article_id)
        rows = self.db.execute(
            "SELECT id, title, first_seen, last_seen, storyline_id FROM stories"
            " ORDER BY last_seen IS NULL, last_seen DESC, id"
        )
        return [
            {"id": r[0], "title": r[1], "articles": members.get(r[0], []), "first_seen": r[2],
             "last_seen": r[3], "storyline": r[4]}
            for r in rows
        ]

    def story_of(self) -> dict[str, tuple[str, str | None]]:
        """article id -> (story id, storyline id)."""
        rows = self.db.execute(
            "SELECT m.article_id, m.story_id, s.storyline_id FROM story_members m"
            " JOIN stories s ON s.id = m.story_id"
        )
        return {a: (s, sl) for a, s, sl in rows}

    def storylines(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT id, title, first_seen, last_seen FROM storylines ORDER BY id")
        return [dict(zip(("id", "title", "first_seen", "last_seen"), r, strict=True)) for r in rows]
