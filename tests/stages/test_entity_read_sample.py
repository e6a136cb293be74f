"""The AllSides read sample: drawn by article count with a fixed seed; the shipped marks."""

from __future__ import annotations

from storyline.evaluation._read_sample import FIELDS, SAMPLE_SIZE, _precision, draw, marked_sample
from storyline.stages.entities.resolve import Entity


def _entities(n):
    return [Entity(f"E{i:04d}", "person", f"Name {i}", [f"Name {i}"], i + 1,
                   [f"a{j}" for j in range(1 + i % 50)]) for i in range(n)]


def test_draw_is_fixed_and_favours_widely_reported_entities():
    es = _entities(1000)
    first, again = draw(es, 100), draw(list(reversed(es)), 100)
    assert first == again and len(first) == 100 and len({r["name"] for r in first}) == 100
    drawn = sum(int(r["articles"]) for r in first) / 100
    everyone = sum(len(e.articles) for e in es) / len(es)
    assert drawn > 1.15 * everyone  # a chance in proportion to the article count
    assert list(first[0]) == FIELDS and all(r["kind_ok"] == "" for r in first)


def test_shipped_marks_are_complete_and_give_the_precision():
    rows = marked_sample()
    assert rows is not None and len(rows) == SAMPLE_SIZE
    assert {r["kind_ok"] for r in rows} <= {"y", "n"} and {r["merge_ok"] for r in rows} <= {"y", "n"}
    assert all(r["note"] for r in rows if "n" in (r["kind_ok"], r["merge_ok"]))  # a wrong mark says why
    precision, read = _precision(rows, "kind_ok")
    assert read == SAMPLE_SIZE and 0.0 < precision <= 1.0
    assert _precision([{"k": "y"}, {"k": "n"}, {"k": ""}], "k") == (0.5, 2)
