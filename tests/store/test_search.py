"""Search that knows the entities' aliases (store/search.py) on the seeds, pipeline run."""

from __future__ import annotations

import re

import pytest

from storyline.store import Store
from storyline.store.search import QueryError, parse_query, to_fts


@pytest.fixture(scope="module")
def seeds_store(seeded_db):
    with Store(seeded_db) as s:
        yield s


def found(store: Store, q: str) -> set[str]:
    return {a["id"] for g in store.web_search(q, limit=100)["groups"] for a in g["articles"]}


def naming(store: Store, pattern: str) -> set[str]:
    rx = re.compile(pattern, re.I)
    return {r[0] for r in store.db.execute("SELECT article_id, text FROM clean_articles") if rx.search(r[1] or "")}


def test_an_alias_finds_the_entitys_other_names(seeds_store):
    every = {r[0] for r in seeds_store.db.execute("SELECT article_id FROM clean_articles")}
    group = naming(seeds_store, r"\b(Daesh|ISIS|Islamic State)\b")
    town = naming(seeds_store, r"\b(Boukamal|A?l? ?Bu Kamal|Abu Kamal)\b")
    assert len(group) == 5 and len(town) >= 4  # all five name the group; the town in any spelling
    assert found(seeds_store, "Daesh") == group
    assert found(seeds_store, "Boukamal") == town
    assert found(seeds_store, "ISIS OR Daesh") == group
    assert found(seeds_store, '"Abu Kamal"') == town
    assert found(seeds_store, "Abu Kamal") == town  # two unquoted words read as one name
    # As typed, without the aliases, "Boukamal" is in fewer articles: the expansion did it.
    plain = {r[0] for r in seeds_store.db.execute(
        "SELECT c.article_id FROM article_fts f JOIN clean_articles c ON c.rowid = f.rowid"
        " WHERE article_fts MATCH '\"Boukamal\"'")}
    assert plain < town <= every


def test_results_are_grouped_by_story_and_say_which_names_were_added(seeds_store):
    r = seeds_store.web_search("Daesh")
    stories = {st["id"]: set(st["articles"]) for st in seeds_store.stories()}
    assert r["total_stories"] == len(r["groups"]) == 2
    for g in r["groups"]:
        assert {a["id"] for a in g["articles"]} <= stories[g["story"]["id"]]
        assert g["matched"] == len(g["articles"])
    names = r["names"][0]
    assert names["term"] == "Daesh" and "Islamic State" in names["also"]
    assert any(p["hit"] for g in r["groups"] for a in g["articles"] for p in a["snippet"])


def test_not_phrases_and_prefixes(seeds_store):
    assert found(seeds_store, "Kataeb*") == naming(seeds_store, r"\bKataeb")
    assert found(seeds_store, '"Popular Mobilization Forces" NOT Taipei') <= naming(
        seeds_store, r"Popular Mobili[sz]ation|PMF|Hashed")
    with_hiri = naming(seeds_store, r"\bHiri\b")
    assert with_hiri and found(seeds_store, "Qaim NOT Hiri") == naming(seeds_store, r"\bQaim\b") - with_hiri


@pytest.mark.parametrize("q, says", [
    ('"Abu Kamal', "unclosed quote"),
    ("ISIS OR", "OR needs a word"),
    ("NOT ISIS", "NOT needs a word before"),
    ("(ISIS", "without its )"),
    ("ISIS)", "without its ("),
    ("()", "empty parentheses"),
    ("--- ...", "no word"),
])
def test_a_bad_query_says_what_is_wrong(q, says):
    with pytest.raises(QueryError, match=re.escape(says)):
        parse_query(q)


def test_typed_operators_never_reach_fts5_as_syntax():
    # Words are quoted: a column filter or a NEAR typed as text is searched as words
    # ("title:ISIS" as the phrase the tokenizer would make of it).
    assert to_fts(parse_query("title:ISIS NEAR(a b)")) == '("title ISIS" AND "NEAR" AND ("a" AND "b"))'
