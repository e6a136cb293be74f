"""Dated events: who did what, where and when, per article and merged per story.

An event mention is a clause that (1) the lexicon finds to report an event, typed by the
shipped sub-type model (stages/events/types.py)
and (2) sits in a sentence with a date expression resolved against the article's date
(text/date_mentions.py). Its actors are the organisations and "<nationality> forces" phrases in
the clause, minus whoever the sentence says is speaking (a monitor reporting a clash is not
a party to it); its place is the place phrase in the clause, else the nearest specific place
in the paragraph, else the article's most named place (marked as inferred).

Places are kept as the mention text plus a spelling-insensitive key (the consonant skeleton
of `names.name_key`): enough to merge "Boukamal" with "Al Bu Kamal" inside one story;
the stage adds coordinates from the geocoder (geo/places.py) when it stores the events.

A date said of a statement ("an official said Saturday") dates the report, not the event:
when the sentence has another date that one wins; otherwise the event keeps the report's
date, flagged `reported`, with lower confidence.

Merging: within a story, mentions of one family whose days overlap (one day of slack) and
whose places agree (or one has none) are one event, with every article as a source.

Articles with no date get an estimated anchor (`anchor_candidates`): their reprint group's
earliest date, else their story's dated days, else the days for which their own relative
dates agree with the dates dated articles give the same event (type and place).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from storyline.records import EventMention
from storyline.stages.events.figures import attribution
from storyline.stages.events.types import classify_event
from storyline.stages.unionfind import UnionFind
from storyline.text.date_mentions import DateMention, resolve_dates
from storyline.text.dates import MONTH_NAMES, WEEKDAYS
from storyline.text.names import known_organisation, name_key, organisation_mentions
from storyline.text.sentences import sentences

MIN_SCORE = 2.0  # lexicon score a clause needs to count as an event
_SPEECH_DATE = re.compile(
    r"\b(?:said|says|told|announced|reported|stated|claimed|added|confirmed|declared)\s+(?:on\s+)?$", re.I
)
_MEDIA = re.compile(r"\b(?:Press|News|Agency|Reuters|Agence|TV|Television|Observatory)\b")
_DATELINE_DATE = re.compile(r"^\s*,?\s*\((?:AP|AFP|Reuters|UPI|dpa|Xinhua|KUNA|WAM|IANS|PTI)\)")
_CLAUSE_SPLIT = re.compile(r",\s+while\s+|;\s+|,\s+whereas\s+")
_NOT_PLACES = {
    *WEEKDAYS, *MONTH_NAMES, "the", "a", "president", "prime", "minister", "gen", "col", "islamic",
    "west", "east", "north", "south", "middle", "internet", "parliament", "government",
}
# A capitalised word before these is an adjective ("Iraqi forces"), not a place.
_ROLE_AFTER = re.compile(
    r"^\s+(?:forces|troops|army|military|soldiers|spokes\w+|officials?|paramilitar\w*|government|"
    r"security|president|prime|ministers?|media|militias?|fighters|regime|state|authorities|people)\b", re.I
)
_SPECIFIC = r"(?:town|city|village|border town|border crossing|province|governorate|district|region|area|camp)\s+of\s+"
_PLACE = re.compile(
    r"\b(?P<prep>in|near|at|of|from|into|toward|towards|around|outside|inside|entered|entering|retake|"
    r"retaking|retook|recaptured|recapture|recapturing|seized|seize|seizing|captured|capture|took|"
    r"liberated|liberate|liberation of|reclaimed|reclaiming|control of|fall of|approach|approached)\s+"
    r"(?:the\s+)?(?:(?:long-contested|strategic|eastern|western|northern|southern|central|Syrian|Iraqi|"
    r"holdout|key|last)\s+)*(?P<kind>" + _SPECIFIC + r")?"
    r"(?P<place>(?:(?:al|Al|el|El|ad|ar|as|ash|ez)[- ]\s?|Abu |Bu )?[A-Z][\w'’]+(?:[- ]\s?(?:(?:al|el|Al|ez)[- ]\s?)?[A-Z][\w'’]+){0,3})"
)
_ACTOR = re.compile(
    r"\b(?:(?:[A-Z][\w.-]*|U\.S\.)[- ](?:backed|led|supported)\s+)?(?:[A-Z][a-z]+(?:'s)?\s+){1,2}"
    r"(?:(?:security|government|regime|paramilitary|allied|armed|special|elite)\s+)?"
    r"(?:forces|troops|army|military|soldiers|paramilitaries|paramilitary fighters|militias?|fighters|police|government|navy|air force)\b"
)


@dataclass
class Event:
    """One event as a story reports it, with every article that reports it."""

    id: str
    story_id: str
    type: str
    family: str
    date_start: str | None
    date_end: str | None
    estimated: bool
    confidence: float
    place: str | None
    place_key: str | None
    actors: list[str]
    sources: list[str]  # article ids
    mentions: list[EventMention] = field(default_factory=list)


def place_key(name: str) -> str:
    """Spelling-insensitive key of a place mention: "Al Bu Kamal", "Boukamal" -> "kml"."""
    key = re.sub(r"^a?bu(?=\w{4})", "", name_key(name))  # "Abu Kamal", "Boukamal" -> "kamal"
    return key[:1] + re.sub(r"[aeiouy]", "", key[1:]) if key else ""


def _places(text: str) -> list[tuple[int, str, bool]]:
    """(offset, place, specific?) for each place phrase in `text`."""
    out = []
    for m in _PLACE.finditer(text):
        place = re.sub(r"\s+", " ", m.group("place")).strip(" -")
        place = re.sub(r"(?<=-)\s", "", place)  # "Deir el- Zour" as printed with a break
        first = re.sub(r"['’]s$", "", place.split()[0].lower())
        if first in _NOT_PLACES or known_organisation(place):
            continue
        if place.lower().endswith(("'s", "’s")) or _ROLE_AFTER.match(text[m.end("place"):]):
            continue
        specific = bool(m.group("kind")) or m.group("prep").lower() not in {"in", "of", "from", "into", "inside", "at", "around"}
        out.append((m.start("place"), place, specific))
    return out


def _actors(clause: str, speaker: str | None) -> tuple[str, ...]:
    found: list[str] = []
    for _, _, org in organisation_mentions(clause):
        found.append(org.name)
    for m in _ACTOR.finditer(clause):
        phrase = re.sub(r"^(?:The|A|An)\s+", "", m.group()).strip()
        found.append(phrase)
    out: list[str] = []
    speaker_l = (speaker or "").lower()
    for name in found:
        if speaker_l and (name.lower() in speaker_l or speaker_l in name.lower()):
            continue
        if name.split()[0] in {"Observatory", "Britain-based"} or name in out or _MEDIA.search(name):
            continue
        out.append(name)
    return tuple(out)


def _event_dates(sentence: str, mentions: Sequence[DateMention]) -> tuple[list[DateMention], bool]:
    """The date mentions that date the event, and whether they only date the report."""
    usable = [m for m in mentions if m.value]
    speech = [m for m in usable if _SPEECH_DATE.search(sentence[: m.start])
              or _DATELINE_DATE.match(sentence[m.end:])]
    other = [m for m in usable if m not in speech]
    return (other, False) if other else (speech, bool(speech))


def extract_event_mentions(
    article_id: str, text: str, anchor: str | None, anchor_source: str = "published",
    dates: Sequence[DateMention] | None = None,
) -> list[EventMention]:
    """The dated events `text` reports. `dates`, when given, replaces resolving against
    `anchor` (an estimated anchor resolves with `dates.resolve_estimated`)."""
    all_dates = list(dates) if dates is not None else resolve_dates(text, anchor, anchor_source)
    spans = sentences(text)
    paragraph_places = _paragraph_places(text)
    article_places = Counter(
        place_key(p) for para in paragraph_places.values() for _, p, specific in para if specific
    )
    names_by_key: dict[str, str] = {}
    for para in paragraph_places.values():
        for _, p, _ in para:
            names_by_key.setdefault(place_key(p), p)
    out: list[EventMention] = []
    last_speaker: str | None = None
    for s_start, s_end in spans:
        sentence = text[s_start:s_end]
        in_sentence = [
            DateMention(**{**m.__dict__, "start": m.start - s_start, "end": m.end - s_start})
            for m in all_dates if s_start <= m.start < s_end
        ]
        speaker = attribution(sentence, text[:s_start], last_speaker)
        if speaker:
            last_speaker = speaker
        if not in_sentence:
            continue
        event_dates, reported = _event_dates(sentence, in_sentence)
        if not event_dates:
            continue
        clause_start = 0
        pieces = [*(_CLAUSE_SPLIT.finditer(sentence)), None]
        for cut in pieces:
            clause_end = cut.start() if cut else len(sentence)
            clause = sentence[clause_start:clause_end]
            mention = _mention(
                article_id, text, s_start, clause_start, clause, event_dates, reported,
                speaker, paragraph_places, article_places, names_by_key,
            )
            if mention:
                out.append(mention)
            clause_start = cut.end() if cut else clause_end
    return out


def _paragraph_places(text: str) -> dict[int, list[tuple[int, str, bool]]]:
    out: dict[int, list[tuple[int, str, bool]]] = {}
    pos = 0
    for para in text.split("\n"):
        if para.strip():
            out[pos] = [(pos + off, p, s) for off, p, s in _places(para)]
        pos += len(para) + 1
    return out


# Cues that type a CASE snippet as a natural disaster but, alone, make no dated event of an
# everyday news sentence (an outbreak, epidemic, cholera or Ebola still does).
_PANDEMIC_CUE = re.compile(r"covid\w*|coronavirus|pandemic|cases|virus|infect\w*")


def _mention(
    article_id: str, text: str, s_start: int, clause_start: int, clause: str,
    dates: Sequence[DateMention], reported: bool, speaker: str | None,
    paragraph_places: Mapping[int, list[tuple[int, str, bool]]], article_places: Counter,
    names_by_key: Mapping[str, str],
) -> EventMention | None:
    start = s_start + clause_start
    typing = classify_event(clause, MIN_SCORE)
    if typing is None or (typing.type == "NATURAL_DISASTER" and all(_PANDEMIC_CUE.fullmatch(c) for c in typing.cues)):
        return None  # "vaccinated against COVID-19", "Covid cases remain high": news of a pandemic, no event
    places = _places(clause)
    place, inferred = None, False
    if places:
        # The place nearest after the words that typed the event ("seized Qaim").
        cue = clause.lower().find(typing.cues[0])
        after = cue + len(typing.cues[0]) if cue >= 0 else 0
        place = min(places, key=lambda p: (not p[2], p[0] < after - 1, abs(p[0] - after)))[1]
    else:
        para = max((k for k in paragraph_places if k <= start), default=None)
        near = [p for p in paragraph_places.get(para, []) if p[2]] if para is not None else []
        if near:
            place = min(near, key=lambda p: abs(p[0] - start))[1]
            inferred = True
        elif article_places:
            place = names_by_key.get(article_places.most_common(1)[0][0])
            inferred = True
    # Dates inside this clause win over the sentence's others ("On Friday, X, while Y").
    own = [m for m in dates if clause_start <= m.start < clause_start + len(clause)] or list(dates)
    # Day-precise dates win over vague spans in one clause ("On Friday ... last month").
    own = [m for m in own if _span_days(m) <= 2] or own
    values = sorted({d for m in own for d in (m.value, m.value_end) if d})
    confidence = min(m.confidence for m in own) * (0.6 if reported else 1.0)
    return EventMention(
        article_id=article_id, type=typing.type, family=typing.family,
        start=start, end=start + len(clause), text=clause.strip(),
        date_text="; ".join(m.text for m in own), date_start=values[0], date_end=values[-1],
        date_confidence=round(confidence, 2), anchor=own[0].anchor, anchor_source=own[0].anchor_source,
        estimated=any(m.estimated for m in own), reported=reported,
        place=place, place_key=place_key(place) if place else None, place_inferred=inferred,
        actors=_actors(clause, speaker), cues=typing.cues,
    )


def _span_days(m: DateMention) -> int:
    if not m.value or not m.value_end:
        return 0
    return (date.fromisoformat(m.value_end) - date.fromisoformat(m.value)).days + 1


# -- merging ------------------------------------------------------------------------------


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _overlap(a: EventMention | Event, b: EventMention | Event, slack: int = 1) -> bool:
    a0, a1, b0, b1 = _day(a.date_start), _day(a.date_end), _day(b.date_start), _day(b.date_end)
    if not (a0 and a1 and b0 and b1):
        return False
    return a0 <= b1 + timedelta(days=slack) and b0 <= a1 + timedelta(days=slack)


def _same_event(a: EventMention, b: EventMention) -> bool:
    if a.family != b.family or not _overlap(a, b):
        return False
    if a.place_key and b.place_key and a.place_key != b.place_key:
        # A place guessed from the paragraph or article does not keep reports of the same
        # days apart; with the day of slack it would chain neighbouring events together.
        return (a.place_inferred or b.place_inferred) and _overlap(a, b, slack=0)
    return True


def merge_events(story_id: str, mentions: Sequence[EventMention]) -> list[Event]:
    """One event per group of mentions of the same thing in one story."""
    ordered = sorted(mentions, key=lambda m: (m.date_start or "", m.article_id, m.start))
    sets = UnionFind(range(len(ordered)))
    for i in range(len(ordered)):
        for j in range(i + 1, len(ordered)):
            if _same_event(ordered[i], ordered[j]):
                sets.union(i, j)
    return [_event(story_id, [ordered[i] for i in group]) for group in sets.groups().values()]


def _event(story_id: str, group: list[EventMention]) -> Event:
    # The stated (not inferred), most confident mentions set the event's place and date.
    best = sorted(group, key=lambda m: (m.reported, m.estimated, m.place_inferred, -m.date_confidence))
    types = Counter(m.type for m in group)
    etype = max(types, key=lambda t: (types[t], -[m.type for m in best].index(t)))
    direct = [m for m in group if not m.reported] or group
    starts = Counter(m.date_start for m in direct)
    start = max(starts, key=lambda d: (starts[d], -(sorted(starts).index(d))))
    end = max((m.date_end for m in direct if m.date_start == start and m.date_end), default=start)
    placed = [m for m in group if m.place]
    tier = min(((m.place_inferred, m.reported) for m in placed), default=None)
    place_names = Counter(m.place for m in placed if (m.place_inferred, m.reported) == tier)
    place = place_names.most_common(1)[0][0] if place_names else None
    actors: list[str] = []
    for m in group:
        actors += [a for a in m.actors if a not in actors]
    sources = sorted({m.article_id for m in group})
    estimated = all(m.estimated for m in direct)
    confidence = max(m.date_confidence for m in direct)
    ident = hashlib.sha1(f"{story_id}|{best[0].family}|{start}|{place_key(place) if place else ''}".encode()).hexdigest()[:10]
    return Event(
        id=f"ev-{ident}", story_id=story_id, type=etype, family=best[0].family,
        date_start=start, date_end=end, estimated=estimated, confidence=round(confidence, 2),
        place=place, place_key=place_key(place) if place else None, actors=actors,
        sources=sources, mentions=group,
    )


# -- anchors for undated articles -----------------------------------------------------------


def linked_anchor_candidates(
    text: str, known: Sequence[Event], window: int = 14
) -> tuple[list[str], str | None]:
    """Days that, taken as `text`'s date, make its relative dates agree (one day of slack)
    with the dates that dated reports give the same events (same family and place), and the
    earliest such linked date."""
    dated = sorted(e.date_start for e in known if e.date_start and not e.estimated)
    if not dated:
        return [], None
    linked: list[str] = []
    # Any anchor finds the clauses; each candidate anchor then re-resolves their dates.
    probe = extract_event_mentions("_", text, dated[-1])
    days: set[str] = set()
    for mention in probe:
        if not mention.place_key:
            continue
        for event in known:
            if event.estimated or event.family != mention.family or event.place_key != mention.place_key:
                continue
            known_day = _day(event.date_start)
            if known_day is None:
                continue
            for offset in range(-1, window + 1):
                anchor = (known_day + timedelta(days=offset)).isoformat()
                resolved = [d for part in mention.date_text.split("; ") for d in resolve_dates(part, anchor)]
                if any(d.value and d.anchor_source != "absolute" and _overlap(_span(d), event)
                       for d in resolved):
                    days.add(anchor)
                    linked.append(event.date_start)
    return sorted(days), min(linked, default=None)


def _span(d: DateMention) -> Event:
    return Event("", "", "", "", d.value, d.value_end or d.value, False, 0, None, None, [], [])
