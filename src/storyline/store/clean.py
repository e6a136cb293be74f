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
                    " text, title, outlet, published, language, removed, metadata)"
                    " VALUES (?, (SELECT seq FROM articles WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        art.id, art.id, version, art.text, art.title, art.outlet, art.published,
                        art.language,
                        json.dumps([asdict(r) for r in art.removed], ensure_ascii=False),
                        json.dumps({k: asdict(v) for k, v in art.metadata.items()}, ensure_ascii=False),
                    ),
                )

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
