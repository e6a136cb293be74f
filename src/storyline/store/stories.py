"""Store methods of the story and storyline stage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storyline.store.base import StoreBase, chunks

# The date the story stage sees: the publication day, else a month-only publication date
# ('2016-07', from the URL or the feed), which the clean stage keeps in the metadata only.
_DATE = "coalesce(c.published, json_extract(c.metadata, '$.published.value'))"


# An article that cleans to nothing (no text and no title: all of it page furniture) is in
# no story: it would be one of its own, untitled and empty. `storyline show` still shows it.
_HAS_CONTENT = "(trim(c.text) != '' OR trim(COALESCE(c.title, '')) != '')"


class StoryStore(StoreBase):
    def replace_stories(
        self,
        stories: Sequence[dict[str, Any]],
        storylines: Sequence[dict[str, Any]],
    ) -> None:
        """Replace every story and storyline (tests and tools that set stories by hand).
        stories: {id, title, first_seen, last_seen, storyline, articles}; storylines: {id, title,
        first_seen, last_seen}. The online clustering state is dropped with them."""
        with self.transaction():
            for table in ("story_assignments", "story_state", "story_members", "stories", "storylines"):
                self.db.execute(f"DELETE FROM {table}")
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

    # -- per-article features (the map step) ------------------------------------------------

    def pending_story_features(self, settings: int) -> list[str]:
        rows = self.db.execute(
            "SELECT c.article_id FROM clean_articles c JOIN articles a ON a.id = c.article_id"
            " LEFT JOIN story_features f ON f.article_id = c.article_id"
            " WHERE f.article_id IS NULL OR f.source_rev != c.rowid OR f.settings != ? ORDER BY a.seq",
            (settings,),
        )
        return [r[0] for r in rows]

    def story_feature_inputs(self, ids: Sequence[str]) -> list[tuple[str, int, str | None, str]]:
        """(article id, clean row revision, title, text) of the given articles."""
        out = []
        for chunk in chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            out += self.db.execute(
                f"SELECT article_id, rowid, title, text FROM clean_articles WHERE article_id IN ({marks})",
                tuple(chunk),
            ).fetchall()
        return out

    def save_story_features(
        self, rows: Sequence[tuple[str, int, int, bytes, bytes, bytes | None, bytes | None]]
    ) -> None:
        """rows: (article id, source rev, settings, ids, weights, embedding, text key). A placed
        article whose features change invalidates the clustering state, so the next run
        replays from the first."""
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO story_features"
                " (article_id, source_rev, settings, ids, weights, embedding, text_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)", rows,
            )
            for chunk in chunks([r[0] for r in rows]):
                marks = ",".join("?" * len(chunk))
                if self.db.execute(
                    f"SELECT 1 FROM story_assignments WHERE article_id IN ({marks}) LIMIT 1", tuple(chunk)
                ).fetchone():
                    self.db.execute("DELETE FROM story_state WHERE name = 'state'")
                    break

    def embeddings_by_text_key(self, keys: Sequence[bytes]) -> dict[bytes, bytes]:
        """text key -> a stored embedding made from that text (see stages/stories/embeddings.text_key)."""
        out: dict[bytes, bytes] = {}
        for chunk in chunks(list(dict.fromkeys(keys))):
            marks = ",".join("?" * len(chunk))
            for key, blob in self.db.execute(
                f"SELECT text_key, embedding FROM story_features WHERE text_key IN ({marks})"
                " AND embedding IS NOT NULL", tuple(chunk),
            ):
                out[key] = blob
        return out

    def save_story_embeddings(self, rows: Sequence[tuple[bytes, bytes, str]]) -> None:
        """rows: (embedding, text key, article id): embeddings made after the article's term
        vector (the stories stage embeds only the articles its placement uses)."""
        with self.transaction():
            self.db.executemany("UPDATE story_features SET embedding = ?, text_key = ? WHERE article_id = ?", rows)

    def story_features_full(self, ids: Sequence[str]) -> dict[str, tuple[bytes, bytes, bytes | None]]:
        """article -> (term ids, term weights, embedding or None) blobs."""
        out: dict[str, tuple[bytes, bytes, bytes | None]] = {}
        for chunk in chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            for art, ids_blob, w_blob, emb in self.db.execute(
                f"SELECT article_id, ids, weights, embedding FROM story_features WHERE article_id IN ({marks})",
                tuple(chunk),
            ):
                out[art] = (ids_blob, w_blob, emb)
        return out

    def story_briefs(self, ids: Sequence[str]) -> list:
        """ArticleForGrouping of the given articles with only the first 300 characters of text
        (what titles need), in arrival order; `published` may be a month ('2016-07')."""
        from storyline.records import ArticleForGrouping

        rows = []
        for chunk in chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            rows += self.db.execute(
                "SELECT c.article_id, a.seq, substr(c.text, 1, 300), c.title, c.outlet, " + _DATE + ", c.language"
                f" FROM clean_articles c JOIN articles a ON a.id = c.article_id WHERE c.article_id IN ({marks})",
                tuple(chunk),
            ).fetchall()
        rows.sort(key=lambda r: r[1])
        return [ArticleForGrouping(*r) for r in rows]

    # -- online clustering state --------------------------------------------------------------

    def story_inputs(self) -> list[tuple[str, int, str | None]]:
        """(article id, seq, published or month) of every cleaned article, in arrival order: no text."""
        return self.db.execute(
            "SELECT c.article_id, a.seq, " + _DATE + " FROM clean_articles c"
            " JOIN articles a ON a.id = c.article_id WHERE " + _HAS_CONTENT + " ORDER BY a.seq"
        ).fetchall()

    def unplaced_story_inputs(self) -> list[tuple[str, int, str | None]]:
        """(article id, seq, published or month) of the cleaned articles not placed yet, in arrival order."""
        return self.db.execute(
            "SELECT c.article_id, a.seq, " + _DATE + " FROM clean_articles c"
            " JOIN articles a ON a.id = c.article_id"
            " WHERE NOT EXISTS (SELECT 1 FROM story_assignments s WHERE s.article_id = c.article_id)"
            " AND " + _HAS_CONTENT + " ORDER BY a.seq"
        ).fetchall()

    def count_story_assignments(self) -> int:
        return self.db.execute("SELECT count(*) FROM story_assignments").fetchone()[0]

    def placed_in_groups(self, group_ids: set[str]) -> dict[str, str]:
        """article -> story of the placed members of the given reprint groups."""
        out: dict[str, str] = {}
        for chunk in chunks(sorted(group_ids)):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(
                "SELECT g.article_id, s.story_id FROM reprint_groups g"
                f" JOIN story_assignments s ON s.article_id = g.article_id WHERE g.group_id IN ({marks})",
                tuple(chunk),
            ))
        return out

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
        state: dict[str, bytes],
    ) -> None:
        """One run's placements in one transaction. assignments: (article, story, day, seq,
        leader); stories/storylines: the changed ones, whole (they replace stored rows)."""
        with self.transaction():
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
        return self.values_by_id("stories", "id", "title", story_ids)

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
