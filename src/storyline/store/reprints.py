"""Store methods of the reprint stage.

Query methods for views, the CLI and the web UI (all read-only, all return plain dicts and
lists ready for JSON):

- `reprint_group_of(article_id)`: the article's group (id, members, fullest, earliest) or None.
- `reprint_group(group_id)`: one group with, per member, outlet, date, size and what it
  removed, changed and added against the group's fullest copy (`member_changes`).
- `reuse_links_of(article_id)`: partial reuse with articles that are not its reprints.
- `alignment_between(a, b)`: the stored alignment of two articles (either order), with
  passages, edits and removed/added spans; None when the pair was not aligned.
- `alignments_of(article_id)`: every stored alignment the article takes part in.

Spans are character offsets into each article's clean text (`clean_texts`). An edit is
[op, before, after] with op "replace", "delete" (reference words the copy left out) or
"insert" (words the copy added inside a shared passage).
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from storyline.store.base import StoreBase, chunks


class ReprintStore(StoreBase):
    # -- sketches -------------------------------------------------------------------------

    def pending_sketches(self, version: int) -> list[str]:
        rows = self.db.execute(
            "SELECT c.article_id FROM clean_articles c"
            " LEFT JOIN reprint_sketches s ON s.article_id = c.article_id"
            " JOIN articles a ON a.id = c.article_id"
            " WHERE s.article_id IS NULL OR s.stage_version != ? OR s.source_rev != c.rowid"
            " ORDER BY a.seq",
            (version,),
        )
        return [row[0] for row in rows]

    def save_sketches(self, sketches: Iterable[Any], version: int) -> None:
        """sketches: stages.reprints.shingling.Sketch records; each (re)made sketch is unlinked."""
        sketches = list(sketches)
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO reprint_sketches"
                " (article_id, source_rev, stage_version, shingles, sample, hashes)"
                " VALUES (?, (SELECT rowid FROM clean_articles WHERE article_id = ?), ?, ?, ?, ?)",
                [(s.article_id, s.article_id, version, s.shingles, s.sample, s.hashes) for s in sketches],
            )
            self.db.executemany("DELETE FROM reprint_linked WHERE article_id = ?", [(s.article_id,) for s in sketches])

    def sketch_samples(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """(ids, sample keys of every sketch concatenated (uint32), keys per sketch, is
        unlinked), in arrival order. One buffer, not an array per article: at a million
        articles that is about 0.25 GB of keys rather than several GB of small objects."""
        ids: list[str] = []
        keys = bytearray()
        lengths = array("q")
        new = bytearray()
        for article_id, sample, linked in self.db.execute(
            "SELECT s.article_id, s.sample, l.article_id IS NOT NULL FROM reprint_sketches s"
            " JOIN articles a ON a.id = s.article_id LEFT JOIN reprint_linked l ON l.article_id = s.article_id"
            " ORDER BY a.seq"
        ):
            ids.append(article_id)
            keys.extend(sample)
            lengths.append(len(sample) // 4)
            new.append(0 if linked else 1)
        return (ids, np.frombuffer(keys, "<u4"), np.frombuffer(lengths, np.int64).copy(),
                np.frombuffer(new, np.uint8).astype(bool))

    def sketch_hashes(self, ids: Sequence[str]) -> dict[str, bytes]:
        return self.values_by_id("reprint_sketches", "article_id", "hashes", ids)

    def sketch_sizes(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT article_id, shingles FROM reprint_sketches"))

    def published_dates(self, ids: Sequence[str]) -> dict[str, str | None]:
        return self.values_by_id("clean_articles", "article_id", "published", ids)

    def clean_texts(self, ids: Sequence[str]) -> dict[str, str]:
        return self.values_by_id("clean_articles", "article_id", "text", ids)

    # -- links ----------------------------------------------------------------------------

    def replace_links_of(self, article_ids: Sequence[str], links: Iterable[tuple[str, str, float, float, bool]]) -> None:
        """Replace every link and alignment touching `article_ids` with `links` (a, b,
        containment, jaccard, is_reprint) and mark those articles linked, in one transaction."""
        with self.transaction():
            for chunk in chunks(article_ids):
                marks = ",".join("?" * len(chunk))
                args = tuple(chunk)
                self.db.executemany("INSERT OR IGNORE INTO reprint_linked (article_id) VALUES (?)", [(a,) for a in chunk])
                self.db.execute(f"DELETE FROM reprint_links WHERE a IN ({marks}) OR b IN ({marks})", args + args)
                for table in ("reprint_alignments", "reprint_passages"):
                    self.db.execute(f"DELETE FROM {table} WHERE ref IN ({marks}) OR copy IN ({marks})", args + args)
            self.db.executemany(
                "INSERT OR REPLACE INTO reprint_links (a, b, containment, jaccard, is_reprint) VALUES (?, ?, ?, ?, ?)",
                [(min(a, b), max(a, b), c, j, int(r)) for a, b, c, j, r in links],
            )

    def reprint_links(self, article_id: str | None = None, *,
                      reprint: bool | None = None) -> list[tuple[str, str, float, float, bool]]:
        """(a, b, containment, jaccard, is_reprint) ordered by (a, b): every link, those of
        `article_id`, or (`reprint` True / False) only the reprint / only the reuse links."""
        sql = "SELECT a, b, containment, jaccard, is_reprint FROM reprint_links"
        if article_id is None:
            if reprint is None:
                rows = self.db.execute(sql + " ORDER BY a, b")
            else:
                rows = self.db.execute(sql + " WHERE is_reprint = ? ORDER BY a, b", (int(reprint),))
        else:
            rows = self.db.execute(sql + " WHERE a = ? OR b = ? ORDER BY a, b", (article_id, article_id))
        return [(a, b, c, j, bool(r)) for a, b, c, j, r in rows]

    # -- groups ---------------------------------------------------------------------------

    def replace_reprint_groups(self, groups: dict[str, str], infos: Iterable[Any] = ()) -> None:
        """groups: article id -> group id, for articles in a group of two or more; infos:
        records.GroupInfo records (fullest and earliest copy per group)."""
        with self.transaction():
            self.db.execute("DELETE FROM reprint_groups")
            self.db.executemany(
                "INSERT INTO reprint_groups (article_id, group_id) VALUES (?, ?)", sorted(groups.items())
            )
            self.db.execute("DELETE FROM reprint_group_info")
            self.db.executemany(
                "INSERT INTO reprint_group_info (group_id, fullest, earliest, size) VALUES (?, ?, ?, ?)",
                [(g.group_id, g.fullest, g.earliest, len(g.members)) for g in infos],
            )

    def reprint_groups(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT article_id, group_id FROM reprint_groups"))

    def reprint_group_infos(self) -> list[Any]:
        from storyline.records import GroupInfo

        members: dict[str, list[str]] = {}
        for article_id, gid in self.db.execute("SELECT article_id, group_id FROM reprint_groups ORDER BY article_id"):
            members.setdefault(gid, []).append(article_id)
        return [
            GroupInfo(gid, tuple(members.get(gid, ())), fullest, earliest)
            for gid, fullest, earliest in self.db.execute(
                "SELECT group_id, fullest, earliest FROM reprint_group_info ORDER BY group_id")
        ]

    def reprint_group_of(self, article_id: str) -> dict[str, Any] | None:
        """The group of `article_id`: id, members, fullest and earliest copy; None if none."""
        row = self.db.execute(
            "SELECT g.group_id, i.fullest, i.earliest FROM reprint_groups g"
            " LEFT JOIN reprint_group_info i ON i.group_id = g.group_id WHERE g.article_id = ?",
            (article_id,),
        ).fetchone()
        if not row:
            return None
        members = [r[0] for r in self.db.execute(
            "SELECT article_id FROM reprint_groups WHERE group_id = ? ORDER BY article_id", (row[0],))]
        return {"group": row[0], "members": members, "fullest": row[1], "earliest": row[2]}

    def reprint_group(self, group_id: str) -> dict[str, Any] | None:
        """One group: {group, fullest, earliest, members: [{id, outlet, published, shingles,
        fullest, earliest, changes}]}, `changes` as `member_changes` (None for the fullest)."""
        info = self.db.execute(
            "SELECT fullest, earliest FROM reprint_group_info WHERE group_id = ?", (group_id,)).fetchone()
        if not info:
            return None
        fullest, earliest = info
        members = []
        for article_id, outlet, published, shingles in self.db.execute(
            "SELECT g.article_id, COALESCE(c.outlet, a.outlet), c.published, s.shingles"
            " FROM reprint_groups g JOIN articles a ON a.id = g.article_id"
            " LEFT JOIN clean_articles c ON c.article_id = g.article_id"
            " LEFT JOIN reprint_sketches s ON s.article_id = g.article_id"
            " WHERE g.group_id = ? ORDER BY g.article_id", (group_id,),
        ).fetchall():
            members.append({
                "id": article_id, "outlet": outlet, "published": published, "shingles": shingles,
                "fullest": article_id == fullest, "earliest": article_id == earliest,
                "changes": None if article_id == fullest else self.member_changes(fullest, article_id),
            })
        return {"group": group_id, "fullest": fullest, "earliest": earliest, "members": members}

    def member_changes(self, ref: str, copy: str) -> dict[str, Any] | None:
        """What `copy` did to `ref`'s text: {removed: [text], changed: [[op, before, after]],
        added: [text], shared_passages: n}; None when the pair was not aligned."""
        al = self.alignment_between(ref, copy)
        if al is None:
            return None
        texts = self.clean_texts([al["ref"], al["copy"]])
        ref_text, copy_text = texts.get(al["ref"], ""), texts.get(al["copy"], "")
        return {
            "removed": [ref_text[a:b] for a, b in al["removed"]],
            "changed": [e for p in al["passages"] for e in p["edits"]],
            "added": [copy_text[a:b] for a, b in al["added"]],
            "shared_passages": len(al["passages"]),
        }

    def reuse_links_of(self, article_id: str) -> list[dict[str, Any]]:
        """Articles sharing text with `article_id` without being its reprints: [{other,
        containment, jaccard, passages}] (passages: number of aligned shared passages)."""
        out = []
        for a, b, containment, jaccard, reprint in self.reprint_links(article_id):
            if reprint:
                continue
            other = b if a == article_id else a
            al = self.alignment_between(article_id, other)
            out.append({"other": other, "containment": containment, "jaccard": jaccard,
                        "passages": len(al["passages"]) if al else 0})
        return out

    def alignment_between(self, a: str, b: str) -> dict[str, Any] | None:
        """The stored alignment of `a` and `b`, whichever was the reference: {ref, copy,
        removed, added, passages: [{ref_start, ref_end, copy_start, copy_end, similarity,
        edits}]}; None when not aligned (not linked, or the stage has not run)."""
        for ref, copy in ((a, b), (b, a)):
            row = self.db.execute(
                "SELECT removed, added FROM reprint_alignments WHERE ref = ? AND copy = ?", (ref, copy)).fetchone()
            if row:
                return {"ref": ref, "copy": copy, "removed": json.loads(row[0]), "added": json.loads(row[1]),
                        "passages": self._passages(ref, copy)}
        return None

    def _passages(self, ref: str, copy: str) -> list[dict[str, Any]]:
        return [
            {"ref_start": r[0], "ref_end": r[1], "copy_start": r[2], "copy_end": r[3],
             "similarity": r[4], "edits": json.loads(r[5])}
            for r in self.db.execute(
                "SELECT ref_start, ref_end, copy_start, copy_end, similarity, edits FROM reprint_passages"
                " WHERE ref = ? AND copy = ? ORDER BY n", (ref, copy))
        ]

    # -- alignments -----------------------------------------------------------------------

    def aligned_pairs(self) -> set[tuple[str, str]]:
        return set(self.db.execute("SELECT ref, copy FROM reprint_alignments"))

    def drop_alignments(self, pairs: Sequence[tuple[str, str]]) -> None:
        with self.transaction():
            for table in ("reprint_alignments", "reprint_passages"):
                self.db.executemany(f"DELETE FROM {table} WHERE ref = ? AND copy = ?", pairs)

    def save_alignments(self, rows: Iterable[tuple[tuple[str, str], Any]]) -> None:
        """rows: ((reference id, copy id), stages.reprints.alignment.Alignment); one transaction, three
        statements (a pair given twice keeps its last alignment)."""
        latest = dict(rows)
        dumps = json.dumps
        with self.transaction():
            self.db.executemany("DELETE FROM reprint_passages WHERE ref = ? AND copy = ?", list(latest))
            self.db.executemany(
                "INSERT OR REPLACE INTO reprint_alignments (ref, copy, removed, added) VALUES (?, ?, ?, ?)",
                [(ref, copy, dumps(al.ref_unmatched), dumps(al.copy_unmatched)) for (ref, copy), al in latest.items()],
            )
            self.db.executemany(
                "INSERT INTO reprint_passages (ref, copy, n, ref_start, ref_end, copy_start, copy_end,"
                " similarity, edits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (ref, copy, n, p.ref_start, p.ref_end, p.copy_start, p.copy_end, p.similarity,
                     dumps([e.as_list() for e in p.edits], ensure_ascii=False))
                    for (ref, copy), al in latest.items()
                    for n, p in enumerate(al.passages)
                ],
            )

    def alignments_of(self, article_id: str) -> list[dict[str, Any]]:
        """Stored alignments with `article_id` as reference or copy, with their passages."""
        out = []
        for ref, copy, removed, added in self.db.execute(
            "SELECT ref, copy, removed, added FROM reprint_alignments WHERE ref = ? OR copy = ? ORDER BY ref, copy",
            (article_id, article_id),
        ).fetchall():
            out.append({"ref": ref, "copy": copy, "removed": json.loads(removed), "added": json.loads(added),
                        "passages": self._passages(ref, copy)})
        return out
