"""Entity kinds from the span and its context (kinds.py), and cross-document resolution
(resolve.py): one person one entity, never two people merged on a shared surname alone."""

from __future__ import annotations

from storyline.records import CleanArticle, EntityMention
from storyline.stages.entities.extract import extract
from storyline.stages.entities.kinds import (
    context_kind,
    cut_before_non_entity,
    facility,
    not_an_entity,
    personal_name,
)
from storyline.stages.entities.resolve import entity_id, resolve


def _m(article, n, text, kind, key, label=None, place=None):
    label = label or {"person": "PERSON", "org": "ORG", "place": "GPE"}[kind]
    return EntityMention(article, n, 0, len(text), text, label, kind, key, place)


def test_diseases_laws_and_events_are_no_entities():
    for text in ["COVID-19", "Omicron", "Affordable Care Act", "Hurricane Ida", "Tokyo Olympics",
                 "Court", "Order", "Build Back Better Plan"]:
        assert not_an_entity(text), text
    for text in ["Pfizer", "Joe Biden", "Supreme Court of India", "Texas"]:
        assert not not_an_entity(text), text
    assert "Pfizer COVID-19"[: cut_before_non_entity("Pfizer COVID-19")] == "Pfizer"
    assert cut_before_non_entity("Moderna") == len("Moderna")


def test_facilities_given_names_and_context_cues():
    assert facility("Stade de Suisse") and facility("San Jose Mine") and facility("Suez Canal")
    assert facility("Betty Ford Center", {"ford"}) and not facility("Betty Ford Center")
    assert not facility("Mine")  # one word is no facility name
    assert personal_name("Bettie Page") and personal_name("Paul Lee")
    assert not personal_name("Morgan Stanley Capital") and not personal_name("Georgia Tech")
    assert not personal_name("Al Bu Kamal")  # "Al" begins place names, it is no given name here
    assert context_kind("shares of ", " rose 3%") == "org"
    assert context_kind("", "'s chief executive said") == "org"
    assert context_kind("Sen. ", " said") == "person"
    assert context_kind("", ", 45, was arrested") == "person"
    assert context_kind("she checked into ", " on Monday") == "place"
    assert context_kind("the report says ", " won") is None


def test_extract_reads_kinds_in_context():
    text = ("Shares of Pfizer rose on Monday after Pfizer COVID-19 vaccine data came out. "
            "Bettie Page, 85, died in Los Angeles. Lindsay Lohan checked into Betty Ford on Friday; "
            "the Betty Ford Center would not comment.")
    (ents,) = extract([CleanArticle(id="x", text=text)])
    kinds = {}
    for m in ents.mentions:
        kinds.setdefault(m.text, set()).add(m.kind)
    assert "COVID-19" not in kinds and "Pfizer COVID-19" not in kinds
    assert kinds.get("Pfizer") == {"org"}
    assert kinds.get("Bettie Page") == {"person"}
    assert kinds.get("Betty Ford") == {"place"} and kinds.get("Betty Ford Center") == {"place"}


def test_a_person_s_name_is_not_another_spelling_of_a_town():
    # "Paul Lee" folds to an alternate name of Pauri (India); a given name says it is a person.
    (ents,) = extract([CleanArticle(id="x", text="Paul Lee told reporters that Paul Lee would appeal.")])
    assert {m.kind for m in ents.mentions if m.text == "Paul Lee"} == {"person"}
    assert all(m.place is None for m in ents.mentions)


def test_one_person_many_names_is_one_entity():
    mentions = [
        _m("a", 0, "Joe Biden", "person", "person:joebiden"),
        _m("a", 1, "Biden", "person", "person:biden"),
        _m("b", 0, "President Biden", "person", "person:biden"),
        _m("c", 0, "Joseph R. Biden Jr.", "person", "person:josephrbiden"),
        _m("d", 0, "Biden", "org", "org:biden", "ORG"),  # the NER's slip, outvoted corpus-wide
        _m("e", 0, "Donald J. Trump", "person", "person:donaldjtrump"),
        _m("f", 0, "Donald Trump", "person", "person:donaldtrump"),
    ]
    entities, links = resolve(mentions)
    biden = {links[("a", 0)], links[("a", 1)], links[("b", 0)], links[("c", 0)], links[("d", 0)]}
    assert len(biden) == 1
    (e,) = [e for e in entities if e.id in biden]
    assert e.kind == "person" and e.name in {"Joe Biden", "Joseph R. Biden Jr."}
    assert links[("e", 0)] == links[("f", 0)]
    # Stable ids: the same mentions, in another order, give the same ids.
    again, links2 = resolve(list(reversed(mentions)))
    assert links2 == links and {x.id for x in again} == {x.id for x in entities}
    assert e.id.startswith("E") and e.id != entity_id("person", "biden")


def test_two_people_sharing_a_surname_are_not_merged_without_evidence():
    mentions = [
        _m("a", 0, "George W. Bush", "person", "person:georgewbush"),
        _m("b", 0, "George H. W. Bush", "person", "person:georgehwbush"),
        _m("c", 0, "Reggie Bush", "person", "person:regiebush"),
        _m("c", 1, "Bush", "person", "person:bush"),  # same article as Reggie Bush: him
        _m("d", 0, "Bush", "person", "person:bush"),  # alone, three candidates: stays apart
    ]
    entities, links = resolve(mentions)
    ids = {k: links[k] for k in [("a", 0), ("b", 0), ("c", 0)]}
    assert len(set(ids.values())) == 3
    assert links[("c", 1)] == links[("c", 0)]
    assert links[("d", 0)] not in ids.values()


def test_corpus_vote_makes_one_name_one_kind():
    mentions = [_m(a, 0, "Pfizer", "org", "org:pfizer") for a in "abcd"]
    mentions.append(_m("e", 0, "Pfizer", "person", "person:pfizer"))
    entities, links = resolve(mentions)
    assert len(entities) == 1 and entities[0].kind == "org" and entities[0].mentions == 5


def test_no_english_ner_on_other_languages():
    # spaCy's English model reads Spanish "el que" as a place; the neutral path does not.
    es = CleanArticle(id="es", language="es", text=(
        "El presidente Sebastián Piñera dijo el que los mineros de la mina San José en Chile "
        "serán rescatados. Con la ayuda de Brasil y de Londres, el rescate sigue."))
    en = CleanArticle(id="en", language="en", text="Chilean President Sebastian Pinera visited the mine.")
    ents = extract([es, en])
    es_mentions = {m.text: (m.label, m.kind) for m in ents[0].mentions}
    assert es_mentions["Chile"][1] == "place" and es_mentions["Brasil"][1] == "place"
    assert es_mentions["Londres"][1] == "place"
    assert "el que" not in es_mentions and "Con" not in es_mentions
    assert es_mentions["Sebastián Piñera"][0] == "NAME"  # a candidate, for resolve to confirm
    entities, links = resolve([m for e in ents for m in e.mentions])
    pinera = {links[(m.article_id, m.n)] for e in ents for m in e.mentions if "Pi" in m.text}
    assert len(pinera) == 1  # the Spanish mention joins the person the English NER found
    # An unconfirmed candidate name is no entity.
    (alone,) = extract([CleanArticle(id="x", language="es", text="Lo dijo Juan Nadie ayer en Madrid.")])
    entities, links = resolve(alone.mentions)
    assert [e.name for e in entities] == ["Madrid"]


def test_an_english_text_tagged_in_another_language_is_read_in_english():
    art = CleanArticle(id="x", language="ar", text=(
        "Iraqi forces said on Friday that they had retaken the town of al-Qaim from the Islamic "
        "State group, and that Prime Minister Haider al-Abadi would visit the troops there soon."))
    (ents,) = extract([art])
    assert all(m.label != "NAME" for m in ents.mentions)
    assert any(m.kind == "person" and "Abadi" in m.text for m in ents.mentions)


def test_a_demonym_in_another_language_is_no_place():
    (ents,) = extract([CleanArticle(id="x", language="no", text="Syrian styrker angrep Albu Kamal i Syria.")])
    assert "Syrian" not in {m.text for m in ents.mentions}
    assert {m.text for m in ents.mentions if m.kind == "place"} >= {"Syria"}
