"""Store methods of the reprint stage."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from storyline.store.base import StoreBase, chunks


class ReprintStore(StoreBase):
    # -- reprints -------------------------------------------------------------------------

    def pending_signatures(self, version: int) -> list[str]:
        rows = self.db.execute(
            "SELECT c.article_id FROM clean_articles c"
            " LEFT JOIN reprint_signatures s ON s.article_id = c.article_id"
            " JOIN articles a ON a.id = c.article_id"
            " WHERE s.article_id IS NULL OR s.stage_version != ? OR s.source_rev != c.rowid"
            " ORDER BY a.seq",
            (version,),
        )
        return [row[0] for row in rows]

    def save_signatures(
        self, rows: Iterable[tuple[str, int, bytes, list[int]]], version: int
    ) -> None:
        """rows: (article_id, number of shingles, minhash bytes, one bucket per LSH band)."""
        with self.transaction():
            for article_id, n_shingles, minhash, buckets in rows:
                self.db.execute("DELETE FROM lsh_buckets WHERE article_id = ?", (article_id,))
                self.db.execute(
                    "INSERT OR REPLACE INTO reprint_signatures"
                    " (article_id, source_rev, stage_version, shingles, minhash)"
                    " VALUES (?, (SELECT rowid FROM clean_articles WHERE article_id = ?), ?, ?, ?)",
                    (article_id, article_id, version, n_shingles, minhash),
                )
                self.db.executemany(
                    "INSERT OR IGNORE INTO lsh_buckets (band, bucket, article_id) VALUES (?, ?, ?)",
                    [(band, bucket, article_id) for band, bucket in enumerate(buckets)],
                )

    def unlinked_articles(self) -> list[str]:
        rows = self.db.execute(
            "SELECT s.article_id FROM reprint_signatures s JOIN articles a ON a.id = s.article_id"
            " WHERE s.linked = 0 ORDER BY a.seq"
        )
        return [row[0] for row in rows]

    def clean_texts(self, ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(
                f"SELECT article_id, text FROM clean_articles WHERE article_id IN ({marks})", tuple(chunk)
            ))
        return out

    def lsh_candidates(self, article_id: str) -> list[str]:
        """Articles sharing at least one LSH bucket with `article_id`."""
        rows = self.db.execute(
            "SELECT DISTINCT o.article_id FROM lsh_buckets m"
            " JOIN lsh_buckets o ON o.band = m.band AND o.bucket = m.bucket"
            " WHERE m.article_id = ? AND o.article_id != ?",
            (article_id, article_id),
        )
        return [row[0] for row in rows]

    def save_reprint_links(self, article_id: str, links: Iterable[tuple[str, float, float, bool]]) -> None:
        """Replace every link touching `article_id` with `links` (other id, containment, jaccard, is_reprint)
        and mark the article linked, in one transaction."""
        with self.transaction():
            self.db.execute("UPDATE reprint_signatures SET linked = 1 WHERE article_id = ?", (article_id,))
            self.db.execute("DELETE FROM reprint_links WHERE a = ? OR b = ?", (article_id, article_id))
            self.db.executemany(
                "INSERT OR REPLACE INTO reprint_links (a, b, containment, jaccard, is_reprint)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (min(article_id, other), max(article_id, other), cont, jac, int(rep))
                    for other, cont, jac, rep in links
                ],
            )

    def reprint_links(self, article_id: str | None = None) -> list[tuple[str, str, float, float, bool]]:
        sql = "SELECT a, b, containment, jaccard, is_reprint FROM reprint_links"
        if article_id is None:
            rows = self.db.execute(sql + " ORDER BY a, b")
        else:
            rows = self.db.execute(sql + " WHERE a = ? OR b = ? ORDER BY a, b", (article_id, article_id))
        return [(a, b, c, j, bool(r)) for a, b, c, j, r in rows]

    def replace_reprint_groups(self, groups: dict[str, str]) -> None:
        """groups: article id -> group id, for articles in a group of two or more."""
        with self.transaction():
            self.db.execute("DELETE FROM reprint_groups")
            self.db.executemany(
                "INSERT INTO reprint_groups (article_id, group_id) VALUES (?, ?)", sorted(groups.items())
            )

    def reprint_groups(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT article_id, group_id FROM reprint_groups"))
