"""Store methods of the cleaning stage."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from storyline.records import ArticleForGrouping, CleanArticle, MetaValue, RemovedLine
from storyline.store.base import StoreBase, chunks


class CleanStore(StoreBase):
    # -- cleaning -------------------------------------------------------------------------

    def pending_clean(self, version: int) -> list[str]:
        rows = self.db.execute(
            "SELECT a.id FROM articles a LEFT JOIN clean_articles c ON c.article_id = a.id"
            " WHERE c.article_id IS NULL OR c.stage_version != ? OR c.source_seq != a.seq"
            " ORDER BY a.seq",
            (version,),
        )
        return [row[0] for row in rows]

    def save_clean(self, articles: Iterable[CleanArticle], version: int) -> None:
        with self.transaction():
            for art in articles:
                self.db.execute(
                    "INSERT OR REPLACE INTO clean_articles (article_id, source_seq, stage_version,"
                    " text, title, outlet, published, language, removed, metadata, outlet_key, furniture_key)"
                    " VALUES (?, (SELECT seq FROM articles WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        art.id, art.id, version, art.text, art.title, art.outlet, art.published,
                        art.language,
                        json.dumps([asdict(r) for r in art.removed], ensure_ascii=False),
                        json.dumps({k: asdict(v) for k, v in art.metadata.items()}, ensure_ascii=False),
                        art.outlet_key, art.furniture_key,
                    ),
                )
                # The article's line shapes, counted under its outlet (replacing an older copy's).
                self.db.execute("DELETE FROM outlet_lines WHERE article_id = ?", (art.id,))
                if art.outlet_key:
                    self.db.executemany(
                        "INSERT OR IGNORE INTO outlet_lines (outlet, shape, article_id, story_key)"
                        " VALUES (?, ?, ?, ?)",
                        [(art.outlet_key, shape, art.id, art.story_key or art.id) for shape in art.line_shapes],
                    )

    def outlet_furniture(self, outlets: Iterable[str], min_articles: int) -> dict[str, frozenset[str]]:
        """outlet -> the line shapes found on at least `min_articles` of its articles.

        Articles that share their longest line (`story_key`: copies of one page at several
        URLs, updates of one story) count once, so their common lines do not become furniture.
        """
        out: dict[str, frozenset[str]] = {}
        for outlet in sorted(set(outlets)):
            rows = self.db.execute(
                "SELECT shape FROM outlet_lines WHERE outlet = ? GROUP BY shape HAVING COUNT(DISTINCT story_key) >= ?",
                (outlet, min_articles),
            )
            shapes = frozenset(row[0] for row in rows)
            if shapes:
                out[outlet] = shapes
        return out

    def furniture_state(self, min_articles: int) -> list[tuple[str, str, list[str]]]:
        """(article id, furniture key it was cleaned with, its shapes that are outlet furniture now)
        for every cleaned article counted under an outlet, in arrival order."""
        current: dict[str, list[str]] = {}
        for article_id, shape in self.db.execute(
            "WITH f AS (SELECT outlet, shape FROM outlet_lines GROUP BY outlet, shape"
            " HAVING COUNT(DISTINCT story_key) >= ?)"
            " SELECT o.article_id, o.shape FROM outlet_lines o JOIN f ON f.outlet = o.outlet AND f.shape = o.shape",
            (min_articles,),
        ):
            current.setdefault(article_id, []).append(shape)
        return [
            (article_id, stored, sorted(current.get(article_id, [])))
            for article_id, stored in self.db.execute(
                "SELECT c.article_id, c.furniture_key FROM clean_articles c JOIN articles a ON a.id = c.article_id"
                " WHERE c.outlet_key IS NOT NULL ORDER BY a.seq"
            )
        ]

    def clean_articles(self, ids: Sequence[str]) -> list[CleanArticle]:
        out: dict[str, CleanArticle] = {}
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                "SELECT article_id, text, title, outlet, published, language, removed, metadata"
                f" FROM clean_articles WHERE article_id IN ({marks})",
                tuple(chunk),
            ):
                out[row[0]] = CleanArticle(
                    id=row[0], text=row[1], title=row[2], outlet=row[3], published=row[4],
                    language=row[5],
                    removed=[RemovedLine(**r) for r in json.loads(row[6])],
                    metadata={k: MetaValue(**v) for k, v in json.loads(row[7]).items()},
                )
        return [out[i] for i in ids if i in out]

    def articles_for_grouping(self, ids: Sequence[str] | None = None) -> list[ArticleForGrouping]:
        """Clean text and metadata of the given (default: all cleaned) articles, in arrival order."""
        sql = (
            "SELECT c.article_id, a.seq, c.text, c.title, c.outlet, c.published, c.language"
            " FROM clean_articles c JOIN articles a ON a.id = c.article_id"
        )
        if ids is None:
            rows = self.db.execute(sql + " ORDER BY a.seq").fetchall()
        else:
            rows = []
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                rows += self.db.execute(sql + f" WHERE c.article_id IN ({marks})", tuple(chunk)).fetchall()
            rows.sort(key=lambda r: r[1])
        return [ArticleForGrouping(*row) for row in rows]
