"""Names in a language we have no NER model for: only what does not depend on the language.

The one NER model installed is English (en_core_web_sm); run on Spanish it reads "el que" as
a Chinese city. So an article whose language is known and not English gets no NER: its spans
are runs of capitalized words (with the particles names carry inside: "de", "da", "von",
"al-"), read against the gazetteer and later against the corpus:

- a run that the gazetteer knows as a country (by any of its names: "Brasil"), a state of a
  million people or a city of 100,000 by its own name ("São Paulo", "Marseille"), or a city
  of a million by another ("Londres") is a place (label GPE); a single word at the start of
  a sentence only when it is a country;
- any other run of two to four words is a candidate name (label NAME): resolve.py keeps it
  only when the same name is a person or organisation the English articles of the corpus
  found, and gives it that kind; else it is dropped.
Curated organisations (data/org_aliases.json) are found in every language by extract.py.
"""

from __future__ import annotations

import re

from storyline.stages.entities.kinds import geocode
from storyline.text.names import fold

BIG_CITY = 100_000
_PARTICLE = re.compile(r"(?:de|da|do|dos|das|del|della|di|du|des|la|le|von|van|der|den|al|el|bin|ibn)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;«»\"“”]\s*|\n\s*)$")


def _capital(word: str) -> bool:
    return word[:1].isupper()


def _place_like(text: str, sentence_start: bool) -> bool:
    """A country by any of its names; a state or city by its own name when big (a state of a
    million people, a city of 100,000), by another name only when huge ("Londres")."""
    place = geocode(text)
    if place is None or len(text) < 4 or place.method == "demonym":  # "Syrian" names no place
        return False  # "Con", "Más": abbreviations of US states, not Spanish words' meaning
    own = fold(place.name) == fold(text)
    if place.kind in ("country", "continent"):
        return True
    if sentence_start and " " not in text:
        return False
    if place.kind in ("admin1", "region"):
        return own and place.population >= 10 * BIG_CITY
    return place.kind == "city" and (
        (own and place.population >= BIG_CITY) or (len(text) >= 5 and place.population >= 10 * BIG_CITY))


def neutral_spans(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, text, label) of the place (GPE) and candidate name (NAME) spans."""
    out: list[tuple[int, int, str, str]] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        while run and not _capital(run[-1].group()):
            run.pop()  # a run ends on a capitalized word, not on "de"
        if run:
            out.extend(_spans_of_run(text, run[0].start(), run[-1].end()))
        run.clear()

    for w in re.finditer(r"[^\W\d_][\w'’.-]*", text):
        gap = text[run[-1].end() : w.start()] if run else ""
        if run and (not gap.isspace() or "\n" in gap or run[-1].group().endswith(".")):
            close()  # punctuation or a line break ends a run
        word = w.group()
        if _capital(word) or (run and _PARTICLE.fullmatch(word)):
            run.append(w)
        else:
            close()
    close()
    return out


def _spans_of_run(text: str, start: int, end: int) -> list[tuple[int, int, str, str]]:
    span = text[start:end].rstrip(".,;:'’")
    end = start + len(span)
    at_start = bool(_SENTENCE_START.search(text[max(0, start - 3) : start])) or start == 0
    if len(span) < 3:
        return []
    if _place_like(span, at_start):
        return [(start, end, span, "GPE")]
    words = span.split()
    if len(words) == 1:
        return []
    found = []
    # A longer run may hold a place: "Gobierno de España" -> "España".
    for w in re.finditer(r"\S+", span):
        token = w.group().rstrip(".,;:'’")
        first = w.start() == 0 and at_start
        if len(token) >= 3 and _capital(token) and _place_like(token, first):
            found.append((start + w.start(), start + w.start() + len(token), token, "GPE"))
    if not found and 2 <= len(words) <= 4:
        if at_start and len(words) == 2:  # "El Gobierno": an article and a noun, not a name
            head = words[0]
            if len(head) <= 3:
                return []
        found.append((start, end, span, "NAME"))
    return found
