"""Cross-document resolution: mentions become entities with aliases, corpus-wide.

In order:
0. Candidate names of articles in other languages (label NAME) stay only where the corpus's
   English NER found the same name as a person or organisation (neutral.py says why).
1. Kinds by corpus vote: one name is one kind across the corpus unless the gazetteer or the
   curated table says otherwise. "Biden" tagged ORG in one article is the person "Biden"
   tagged PERSON in a hundred; a one-word name that is the surname of full names in many
   articles ("Obama") is a person, not the Japanese town of that name; a name that is a place
   in most of its mentions ("Perth" tagged ORG) is that place, with that place's coordinates.
2. Full-name variants: "Joe Biden" = "Joseph R. Biden" = "Joseph Biden Jr." (first names
   folded through a short nickname table, middle initials and suffixes dropped), unless two
   different middle names/initials share the first and last name (George W. / George H. W.).
3. Acronyms: "PMF" joins the organisation whose initials it is (co-occurring one first).
4. Short names, per article: "Biden" joins the full name with that surname in the same
   article; else the one full name in the corpus with that surname; else, when several
   people share it, the one whose articles share the most (rare) other entities with this
   article, if it clearly leads; else the one named in five times more articles than any
   other of that surname (and in ten at least). A first name alone ("Ellen") joins only a full name of the
   same article. An organisation's short form ("Saints", "Red Sox") joins the longer name it
   ends ("New Orleans Saints") in the same article only.
Two people who share a surname are never merged without one of these pieces of evidence; an
unresolved short name stays an entity of its own. Entity ids hash (kind, root key): stable
across runs on the same mentions.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from storyline.records import EntityMention
from storyline.stages.entities.extract import _SUFFIX, _TITLES, person_key
from storyline.text.names import fold, known_organisation, name_key

_STOP_INITIALS = {"of", "the", "and", "for", "in", "on", "de", "la", "al", "el"}
_NICKNAMES = {
    "joe": "joseph", "bill": "william", "will": "william", "billy": "william", "bob": "robert",
    "rob": "robert", "bobby": "robert", "mike": "michael", "jim": "james", "jimmy": "james",
    "tom": "thomas", "tommy": "thomas", "chuck": "charles", "charlie": "charles", "dick": "richard",
    "rick": "richard", "ted": "edward", "ed": "edward", "liz": "elizabeth", "beth": "elizabeth",
    "kate": "katherine", "kathy": "katherine", "andy": "andrew", "tony": "anthony", "don": "donald",
    "ron": "ronald", "dan": "daniel", "danny": "daniel", "dave": "david", "steve": "steven",
    "stephen": "steven", "matt": "matthew", "chris": "christopher", "nick": "nicholas", "pete": "peter",
    "sam": "samuel", "ben": "benjamin", "alex": "alexander", "greg": "gregory", "jeff": "jeffrey",
    "jon": "jonathan", "larry": "lawrence", "jerry": "gerald", "pat": "patrick", "ken": "kenneth",
    "fred": "frederick", "hank": "henry", "jack": "john", "johnny": "john", "mo": "maurice",
    "wladimir": "vladimir", "sasha": "alexander", "nate": "nathan", "josh": "joshua", "zach": "zachary",
}
_NICKNAME_KEYS = {name_key(k): name_key(v) for k, v in _NICKNAMES.items() if name_key(k)}
_BIG_PLACE_KINDS = {"country", "admin1", "continent"}
CONTEXT_LEAD = 1.5  # the best candidate's context score over the second's, to join by context
CONTEXT_MIN = 3.0  # and at least this much shared (idf-weighted) context
DOMINANT_RATIO = 5.0  # else a lone surname joins the full name in this many times more articles
DOMINANT_MIN = 10  # than the next with that surname, when it is in at least this many


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


def _name_tokens(text: str) -> list[str]:
    """Folded words of a person's name without titles or suffix, nicknames spelled out."""
    prev = None
    while prev != text:
        prev, text = text, _SUFFIX.sub("", _TITLES.sub("", text.strip()))
    words = [w for w in (name_key(w) for w in fold(text).split()) if w]
    return [_NICKNAME_KEYS.get(w, w) if i == 0 else w for i, w in enumerate(words)]


def _vote_key(text: str) -> str:
    """The name's folded words without titles, spaces kept: "Mr Whitehouse" is not "White House"."""
    prev = None
    while prev != text:
        prev, text = text, _SUFFIX.sub("", _TITLES.sub("", text.strip()))
    return " ".join(w for w in (name_key(w) for w in fold(text).split()) if w)


def _curated(m: EntityMention) -> bool:
    return m.label == "ALIAS" or (m.kind == "org" and known_organisation(m.text) is not None)


def confirm_names(mentions: list[EntityMention]) -> list[EntityMention]:
    """Candidate names of articles in other languages (label NAME, see neutral.py) that the
    corpus's NER found as a person or organisation, with that kind; the others dropped."""
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    place_of: dict[str, EntityMention] = {}
    for m in mentions:
        if m.label != "NAME":
            kinds[person_key(m.text)][m.kind] += 1
            if m.kind == "place" and m.place:
                place_of.setdefault(person_key(m.text), m)
    out = []
    for m in mentions:
        if m.label != "NAME":
            out.append(m)
            continue
        seen = kinds.get(person_key(m.text))
        if not seen:
            continue
        kind = seen.most_common(1)[0][0]
        if kind == "place":  # "Albu Kamal" in a Norwegian article: the town English ones name
            like = place_of.get(person_key(m.text))
            if like is not None:
                out.append(replace(m, kind="place", key=like.key, place=like.place))
            continue
        key = "person:" + person_key(m.text) if kind == "person" else "org:" + name_key(m.text)
        out.append(replace(m, kind=kind, key=key))
    return out


def vote_kinds(mentions: list[EntityMention]) -> list[EntityMention]:
    """The mentions with kinds (and keys, places) made consistent corpus-wide (step 1)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    places: dict[str, Counter[str]] = defaultdict(Counter)
    place_of: dict[str, dict[str, Any] | None] = {}
    surname_articles: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        nk = _vote_key(m.text)
        counts[nk][m.kind] += 3 if _curated(m) else 1
        if m.kind == "place":
            places[nk][m.key] += 1
            place_of.setdefault(m.key, m.place)
        elif m.kind == "person":
            words = _name_tokens(m.text)
            if len(words) > 1:
                surname_articles[words[-1]].add(m.article_id)
    out = []
    for m in mentions:
        if _curated(m):
            out.append(m)
            continue
        nk = _vote_key(m.text)
        c = counts[nk]
        person = c["person"] + (2 * len(surname_articles.get(nk, ())) if " " not in m.text.strip() else 0)
        org, place = c["org"], c["place"]
        kind = m.kind
        if m.kind == "place":
            big = m.place is not None and (m.place.get("kind") in _BIG_PLACE_KINDS
                                           or (m.place.get("population") or 0) >= 1_000_000)
            if m.label == "PERSON" and person > place and not big:
                kind = "person"
            elif m.label != "PERSON" and person > 2 * place and not big:
                kind = "person"
        elif place > person + org and places[nk]:
            kind = "place"
        elif m.kind == "org" and person > org:
            kind = "person"
        elif m.kind == "person" and org > person:
            kind = "org"
        if kind == m.kind:
            out.append(m)
        elif kind == "place":
            key = places[nk].most_common(1)[0][0]
            out.append(replace(m, kind="place", key=key, place=place_of[key]))
        elif kind == "person":
            out.append(replace(m, kind="person", key="person:" + person_key(m.text), place=None))
        else:
            out.append(replace(m, kind="org", key="org:" + name_key(m.text), place=None))
    return out


def resolve(mentions: Iterable[EntityMention]) -> tuple[list[Entity], dict[tuple[str, int], str]]:
    """Entities with their aliases, and (article_id, n) -> entity id for every mention."""
    mentions = vote_kinds(confirm_names(list(mentions)))
    groups: dict[str, list[EntityMention]] = defaultdict(list)
    for m in mentions:
        groups[m.key].append(m)
    alias_of: dict[str, str] = {}  # key -> the key it joins, for all its mentions
    _join_acronyms(groups, alias_of)
    _join_name_variants(groups, alias_of)

    def root(k: str) -> str:
        while k in alias_of:
            k = alias_of[k]
        return k

    in_article: dict[tuple[str, str], str] = _join_short_names(groups, root)
    merged: dict[str, list[EntityMention]] = defaultdict(list)
    for m in mentions:
        merged[root(in_article.get((m.article_id, m.key), m.key))].append(m)

    entities: list[Entity] = []
    links: dict[tuple[str, int], str] = {}
    for key, ms in sorted(merged.items()):
        kind = ms[0].kind
        surface = Counter(m.text for m in ms)
        name = _display_name(kind, key, surface)
        eid = entity_id(kind, key)
        place = next((m.place for m in ms if m.place and m.place.get("method") != "context"), None)
        entities.append(Entity(
            eid, kind, name, sorted(surface, key=lambda s: (-surface[s], s)), len(ms),
            sorted({m.article_id for m in ms}), place, {m.key for m in ms},
        ))
        for m in ms:
            links[(m.article_id, m.n)] = eid
    entities.sort(key=lambda e: (-len(e.articles), -e.mentions, e.name))
    return entities, links


def _join_acronyms(groups: dict[str, list[EntityMention]], alias_of: dict[str, str]) -> None:
    org_keys = [k for k in groups if k.startswith("org:")]
    by_initials: dict[str, list[str]] = defaultdict(list)
    for k in org_keys:
        for name in Counter(m.text for m in groups[k]):
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


def _join_name_variants(groups: dict[str, list[EntityMention]], alias_of: dict[str, str]) -> None:
    """Step 2: full names with one first name (nicknames folded) and surname become one."""
    by_name: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # -> (key, middle)
    for k, ms in groups.items():
        if not k.startswith("person:") or k in alias_of:
            continue
        words = _name_tokens(Counter(m.text for m in ms).most_common(1)[0][0])
        if len(words) < 2:
            continue
        middle = "".join(w[0] for w in words[1:-1])
        by_name[(words[0], words[-1])].append((k, middle))
    for members in by_name.values():
        if len(members) < 2:
            continue
        middles = {mid for _, mid in members if mid}
        if len(middles) > 1:  # George W. Bush and George H. W. Bush: join only equal middles
            parts = [[k for k, mid in members if mid == x] for x in middles]
        else:
            parts = [[k for k, _ in members]]
        for part in parts:
            head = max(part, key=lambda k: (len({m.article_id for m in groups[k]}), len(groups[k]), k))
            for k in part:
                if k != head:
                    alias_of[k] = head


def _join_short_names(groups: dict[str, list[EntityMention]], root) -> dict[tuple[str, str], str]:
    """Step 4: (article, short key) -> the key of the full name it stands for there."""
    arts_of: dict[str, set[str]] = {}
    words_of: dict[str, list[str]] = {}
    keys_in: dict[str, set[str]] = defaultdict(set)  # article -> root keys
    for k, ms in groups.items():
        arts_of[k] = {m.article_id for m in ms}
        text = Counter(m.text for m in ms).most_common(1)[0][0]
        words_of[k] = _name_tokens(text) if k.startswith("person:") else [name_key(w) for w in fold(text).split()]
        for a in arts_of[k]:
            keys_in[a].add(root(k))
    df = Counter(r for rs in keys_in.values() for r in rs)
    n_articles = max(1, len(keys_in))
    full_by_last: dict[str, list[str]] = defaultdict(list)  # surname -> root keys of full names
    for k in groups:
        if k.startswith("person:") and len(words_of[k]) > 1:
            full_by_last[words_of[k][-1]].append(root(k))
    for last in full_by_last:
        full_by_last[last] = list(dict.fromkeys(full_by_last[last]))
    firsts_of: dict[str, dict[str, None]] = defaultdict(dict)  # first name -> root keys (ordered set)
    for k in groups:
        if k.startswith("person:") and len(words_of[k]) > 1:
            firsts_of[words_of[k][0]][root(k)] = None
    by_first = {w: list(rs) for w, rs in firsts_of.items()}
    org_by_end: dict[tuple[str, ...], list[str]] = defaultdict(list)  # last words -> longer org names
    for k in groups:
        if k.startswith("org:"):
            for n in range(1, len(words_of[k])):
                org_by_end[tuple(words_of[k][-n:])].append(k)
    context_of: dict[str, set[str]] = {}
    arts_of_root: dict[str, set[str]] = defaultdict(set)  # once, not a scan of all keys per root
    for k in groups:
        arts_of_root[root(k)] |= arts_of[k]

    def context(r: str) -> set[str]:
        if r not in context_of:
            context_of[r] = {x for a in arts_of_root.get(r, ()) for x in keys_in[a]}
        return context_of[r]

    out: dict[tuple[str, str], str] = {}
    for k in groups:
        words = words_of[k]
        if not words or root(k) != k:
            continue
        if k.startswith("person:"):
            cands = [r for r in full_by_last.get(words[-1], ()) if r != k and _ends_with(words_of[r], words)]
            firsts = by_first.get(words[0], []) if len(words) == 1 else []
            for a in arts_of[k]:
                near = [r for r in cands if r in keys_in[a]] or [r for r in firsts if r in keys_in[a]]
                pick = _longest(near, words_of)
                if pick is None and not near:
                    pick = cands[0] if len(cands) == 1 else _by_context(
                        cands, keys_in[a] - {k}, context, df, n_articles) or _dominant(cands, df)
                if pick is not None:
                    out[(a, k)] = pick
        elif k.startswith("org:"):
            cands = [t for t in org_by_end.get(tuple(words), ()) if t != k]
            for a in arts_of[k]:
                pick = _longest([root(t) for t in cands if a in arts_of[t]], words_of)
                if pick is not None:
                    out[(a, k)] = pick
    return out


def _dominant(cands: list[str], df: Counter[str]) -> str | None:
    """The full name that the corpus names far more often than any other with that surname
    ("Biden" alone is Joe Biden, not Hunter or Jill, in a corpus of 2021 news)."""
    ranked = sorted(((df[c], c) for c in dict.fromkeys(cands)), reverse=True)
    if len(ranked) > 1 and ranked[0][0] >= DOMINANT_MIN and ranked[0][0] >= DOMINANT_RATIO * ranked[1][0]:
        return ranked[0][1]
    return None


def _ends_with(full: list[str], short: list[str]) -> bool:
    return len(full) > len(short) and full[-len(short):] == short


def _longest(keys: list[str], words_of: dict[str, list[str]]) -> str | None:
    keys = list(dict.fromkeys(keys))
    longest = max((len(words_of.get(k, ())) for k in keys), default=0)
    keys = [k for k in keys if len(words_of.get(k, ())) == longest]
    return keys[0] if len(keys) == 1 else None


def _by_context(cands: list[str], here: set[str], context, df: Counter[str], n: int) -> str | None:
    """The candidate whose articles share the most rare entities with this article, if it
    leads clearly (CONTEXT_LEAD, CONTEXT_MIN)."""
    if not cands:
        return None
    scores = sorted(((sum(math.log(n / df[x]) for x in here & context(c) if x != c), c) for c in cands),
                    reverse=True)
    best = scores[0][0]
    second = scores[1][0] if len(scores) > 1 else 0.0
    if best >= CONTEXT_MIN and best >= CONTEXT_LEAD * second:
        return scores[0][1]
    return None


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
        return max((s for s, _ in candidates), key=lambda s: (min(2, len(_TITLES.sub("", s).split())), surface[s]))
    return candidates[0][0]
