"""Store methods of the story and storyline stage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storyline.store.base import StoreBase


class StoryStore(StoreBase):
    # -- stories and storylines -----------------------------------------------------------

    def replace_stories(
        self,
        stories: Sequence[dict[str, Any]],
        storylines: Sequence[dict[str, Any]],
    ) -> None:
        """stories: {id, title, first_seen, last_seen, storyline, articles}; storylines: {id, title, first_seen, last_seen}."""
        with self.transaction():
            self.db.execute("DELETE FROM story_members")
            self.db.execute("DELETE FROM stories")
            self.db.execute("DELETE FROM storylines")
            self.db.executemany(
                "INSERT INTO storylines (id, title, first_seen, last_seen) VALUES (?, ?, ?, ?)",
                [(s["id"], s["title"], s["first_seen"], s["last_seen"]) for s in storylines],
            )
            for story in stories:
                self.db.execute(
                    "INSERT INTO stories (id, title, first_seen, last_seen, storyline_id) VALUES (?, ?, ?, ?, ?)",
                    (story["id"], story["title"], story["first_seen"], story["last_seen"], story["storyline"]),
                )
                self.db.executemany(
                    "INSERT INTO story_members (article_id, story_id) VALUES (?, ?)",
                    [(a, story["id"]) for a in story["articles"]],
                )

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
