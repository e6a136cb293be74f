"""Store methods of the events-and-figures stage: per-article extractions, events, disputes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from storyline.records import ArticleExtraction, ArticleForEvents
from storyline.store.base import StoreBase, chunks


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def figure_value(low: float, high: float, qualifier: str) -> str:
    """A figure as a reader says it: "about 1,500", "between 2,500 and 3,500"."""
    def fmt(x: float) -> str:
        return f"{x:,.0f}" if x == int(x) else f"{x:,}"

    if low == high:
        return f"{qualifier} {fmt(low)}".strip()
    return f"between {fmt(low)} and {fmt(high)}"


class EventStore(StoreBase):
    def pending_extractions(self, version: int) -> list[str]:
        """Cleaned articles with no extraction, or one made from an older text or stage."""
        rows = self.db.execute(
            "SELECT c.article_id FROM clean_articles c JOIN articles a ON a.id = c.article_id"
            " LEFT JOIN article_extractions x ON x.article_id = c.article_id"
            " WHERE x.article_id IS NULL OR x.stage_version != ? OR x.source_rev != c.rowid ORDER BY a.seq",
            (version,),
        )
        return [r[0] for r in rows]

    def articles_for_events(self, ids: Sequence[str]) -> list[ArticleForEvents]:
        out: dict[str, ArticleForEvents] = {}
        for chunk in chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(
                f"SELECT article_id, text, published, outlet FROM clean_articles WHERE article_id IN ({marks})",
                tuple(chunk),
            ):
                out[r[0]] = ArticleForEvents(r[0], r[1], r[2], r[3])
        return [out[i] for i in ids if i in out]

    def save_extractions(self, rows: Iterable[ArticleExtraction], version: int) -> None:
        with self.transaction():
            for x in rows:
                self.db.execute(
                    "INSERT OR REPLACE INTO article_extractions (article_id, source_rev, stage_version,"
                    " anchor, anchor_source, anchor_estimate, dates, mentions, figures) VALUES"
                    " (?, (SELECT rowid FROM clean_articles WHERE article_id = ?), ?, ?, ?, ?, ?, ?, ?)",
                    (
                        x.article_id, x.article_id, version, x.anchor, x.anchor_source,
                        _json(x.anchor_estimate), _json([asdict(d) for d in x.dates]),
                        _json([asdict(m) for m in x.mentions]), _json([asdict(f) for f in x.figures]),
                    ),
                )

    def extractions(self) -> dict[str, dict[str, Any]]:
        """article id -> {anchor, anchor_source, anchor_estimate, dates, mentions, figures} as JSON values."""
        out = {}
        for r in self.db.execute(
            "SELECT article_id, anchor, anchor_source, anchor_estimate, dates, mentions, figures"
            " FROM article_extractions"
        ):
            out[r[0]] = {
                "anchor": r[1], "anchor_source": r[2], "anchor_estimate": json.loads(r[3]),
                "dates": json.loads(r[4]), "mentions": json.loads(r[5]), "figures": json.loads(r[6]),
            }
        return out

    def event_context(self) -> dict[str, dict[str, Any]]:
        """article id -> {story, storyline, published, group_earliest (the date of its reprint
        group's earliest copy)} for every cleaned article."""
        rows = self.db.execute(
            "SELECT c.article_id, m.story_id, s.storyline_id, c.published, e.published, c.outlet"
            " FROM clean_articles c LEFT JOIN story_members m ON m.article_id = c.article_id"
            " LEFT JOIN stories s ON s.id = m.story_id"
            " LEFT JOIN reprint_groups g ON g.article_id = c.article_id"
            " LEFT JOIN reprint_group_info i ON i.group_id = g.group_id"
            " LEFT JOIN clean_articles e ON e.article_id = i.earliest"
        )
        return {
            r[0]: {"story": r[1], "storyline": r[2], "published": r[3], "group_earliest": r[4], "outlet": r[5]}
            for r in rows
        }

    def replace_events(
        self, events: Sequence[dict[str, Any]], disputes: Sequence[dict[str, Any]],
        estimated: Iterable[ArticleExtraction], version: int,
    ) -> None:
        """The corpus step's whole output, in one transaction: every event and dispute, and
        the re-resolved extractions of undated articles."""
        with self.transaction():
            self.save_extractions(estimated, version)
            self.db.execute("DELETE FROM events")
            self.db.execute("DELETE FROM figure_disputes")
            self.db.executemany(
                "INSERT INTO events (id, story_id, type, family, date_start, date_end, estimated,"
                " confidence, place, place_key, lat, lon, country, actors, sources, mentions)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (e["id"], e["story_id"], e["type"], e["family"], e["date_start"], e["date_end"],
                     int(e["estimated"]), e["confidence"], e["place"], e["place_key"], e.get("lat"),
                     e.get("lon"), e.get("country"), _json(e["actors"]), _json(e["sources"]),
                     _json(e["mentions"]))
                    for e in events
                ],
            )
            self.db.executemany(
                "INSERT INTO figure_disputes (id, what, note, figures) VALUES (?, ?, ?, ?)",
                [(d["id"], d["what"], d["note"], _json(d["figures"])) for d in disputes],
            )

    def events(self, story_id: str | None = None) -> list[dict[str, Any]]:
        """Events in date order, with their story and storyline; one story's with `story_id`."""
        sql = (
            "SELECT e.id, e.story_id, s.storyline_id, e.type, e.family, e.date_start, e.date_end, e.estimated,"
            " e.confidence, e.place, e.place_key, e.lat, e.lon, e.country, e.actors, e.sources, e.mentions"
            " FROM events e"
            " LEFT JOIN stories s ON s.id = e.story_id"
        )
        params: tuple[Any, ...] = ()
        if story_id is not None:
            sql += " WHERE e.story_id = ?"
            params = (story_id,)
        sql += " ORDER BY e.date_start IS NULL, e.date_start, e.date_end, e.id"
        keys = ("id", "story", "storyline", "type", "family", "date_start", "date_end", "estimated",
                "confidence", "place", "place_key", "lat", "lon", "country", "actors", "sources", "mentions")
        out = []
        for r in self.db.execute(sql, params):
            row = dict(zip(keys, r, strict=True))
            row["estimated"] = bool(row["estimated"])
            for k in ("actors", "sources", "mentions"):
                row[k] = json.loads(row[k])
            out.append(row)
        return out

    def has_story(self, story_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone() is not None

    def disputes(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT id, what, note, figures FROM figure_disputes ORDER BY what, id")
        return [{"id": r[0], "what": r[1], "note": r[2], "figures": json.loads(r[3])} for r in rows]

    def _extracted_figures(self, article_ids: Sequence[str]) -> dict[tuple[str, int], dict[str, Any]]:
        """(article id, start) -> the stored figure, for the figures of `article_ids`."""
        out = {}
        for article_id, figures in self.db.execute(
            "SELECT article_id, figures FROM article_extractions WHERE article_id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(set(article_ids))),),
        ):
            for f in json.loads(figures):
                out[(article_id, f["start"])] = f
        return out

    def stored_disputes_of(self, article_ids: Sequence[str] | None) -> list[dict[str, Any]]:
        """The stored disputes with a figure in one of `article_ids` (every dispute when None)."""
        if article_ids is None:
            return self.disputes()
        rows = self.db.execute(
            "SELECT id, what, note, figures FROM figure_disputes d WHERE EXISTS (SELECT 1 FROM json_each(d.figures) f"
            " WHERE json_extract(f.value, '$.article_id') IN (SELECT value FROM json_each(?))) ORDER BY what, id",
            (json.dumps(sorted(set(article_ids))),),
        )
        return [{"id": r[0], "what": r[1], "note": r[2], "figures": json.loads(r[3])} for r in rows]

    def article_disputes(self, article_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The events stage's disputes that a figure of `article_ids` is part of, each with all
        its figures (also those other articles report), as a reader sees them:
        [{"what", "note", "cites": [article ids], "figures": [{"value", "who", "article_id", "quote"}]}].
        `value` reads "about 1,500", "between 2,500 and 3,500"."""
        return [d for _, d in self._reader_disputes(self.stored_disputes_of(article_ids))]

    def story_disputes(self, story_id: str) -> list[dict[str, Any]]:
        """`article_disputes` of the story's articles: what `storyline story` and the web show."""
        members = [r[0] for r in self.db.execute("SELECT article_id FROM story_members WHERE story_id = ?", (story_id,))]
        return self.article_disputes(members)

    def disputes_by_story(self) -> dict[str, list[dict[str, Any]]]:
        """story id -> `story_disputes(story id)`, for every story some dispute touches."""
        story_of = dict(self.db.execute("SELECT article_id, story_id FROM story_members"))
        out: dict[str, list[dict[str, Any]]] = {}
        for stored, d in self._reader_disputes(self.disputes()):
            for story in sorted({story_of[f["article_id"]] for f in stored["figures"] if f["article_id"] in story_of}):
                out.setdefault(story, []).append(d)
        return out

    def _reader_disputes(self, stored: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        figures = self._extracted_figures([f["article_id"] for d in stored for f in d["figures"]])
        out = []
        for d in stored:
            seen, items = set(), []
            for ref in d["figures"]:
                f = figures.get((ref["article_id"], ref["start"]))
                if f is None:
                    continue
                value = figure_value(f["value_low"], f["value_high"], f["qualifier"])
                if (value, f["attributed_to"], ref["article_id"]) in seen:
                    continue
                seen.add((value, f["attributed_to"], ref["article_id"]))
                items.append({"value": value, "who": f["attributed_to"], "article_id": ref["article_id"],
                              "quote": f["quote"]})
            out.append((d, {"what": d["what"], "note": d["note"],
                            "cites": sorted({f["article_id"] for f in d["figures"]}), "figures": items}))
        return out

    def claims(self, disputed_only: bool = False) -> list[dict[str, Any]]:
        """Every figure as a claim: value, what it counts, who said it, where, and the dispute
        it is part of (None when no other source contradicts it)."""
        context = self.event_context()
        in_dispute = {
            (f["article_id"], f["start"]): d["id"] for d in self.disputes() for f in d["figures"]
        }
        rows = []
        for article_id, x in sorted(self.extractions().items()):
            ctx = context.get(article_id, {})
            for f in x["figures"]:
                dispute = in_dispute.get((article_id, f["start"]))
                if disputed_only and dispute is None:
                    continue
                rows.append({
                    "article_id": article_id, "outlet": ctx.get("outlet"), "story": ctx.get("story"),
                    "storyline": ctx.get("storyline"), "article_date": x["anchor"],
                    "article_date_source": x["anchor_source"], "value_low": f["value_low"],
                    "value_high": f["value_high"], "qualifier": f["qualifier"],
                    "approximate": f["approximate"], "what": f["what"], "key": f["key"],
                    "attributed_to": f["attributed_to"], "quote": f["quote"], "start": f["start"],
                    "end": f["end"], "dispute": dispute,
                })
        return rows
