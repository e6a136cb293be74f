"""What kind a name is from its own words and its context, before the gazetteer is asked.

spaCy's small English model calls "Pfizer" a person, "COVID-19" an organisation and "Betty
Ford Center" an organisation; news names diseases, products, laws and events that are none
of person, organisation or place. These rules read the span and the words around it:

- `not_an_entity`: diseases and variants, laws and bills, events (wars, games, riots),
  generic office words ("State", "Court", "Order") alone: no mention at all.
- `cut_before_non_entity`: "Pfizer COVID-19 vaccine" -> "Pfizer".
- `facility`: a span ending in a facility word (Center after Treatment/Medical/..., Theatre,
  Stadium, Airport, Prison, Mine, Canal ...) is a place, even when the NER says ORG.
- `context_kind`: "Mr." / "Sen." before, ", 45," after: a person; "shares of", "Inc." /
  "the company" next to it: an organisation; "checked into" before: a place (a clinic).
- `personal_name`: two or three capitalized words, the first a given name of the US Census
  list (data/first_names.txt), the last no organisation word: "Bettie Page" tagged ORG.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

from storyline.geo.places import geocode as _geocode
from storyline.records import Place
from storyline.text.names import name_key

_DISEASES = (
    r"covid(?:-?19)?|coronavirus(?:es)?|sars-cov-2|sars|mers|ebola|hiv|aids|zika|influenza|flu|polio|"
    r"measles|monkeypox|mpox|cholera|malaria|tuberculosis|omicron|delta variant|alpha variant|long covid"
)
_DISEASE = re.compile(rf"(?<![\w-])(?:{_DISEASES})(?![\w-])", re.I)
# The last word of a law, an event or a document: such a span is none of our kinds.
_NOT_ENTITY_LAST = re.compile(
    r"\b(?:Act|Bill|Amendment|Law|Treaty|Accords?|Plan|Program|Programme|Initiative|Doctrine|"
    r"War|Olympics|Games|Cup|Championships?|Series|Bowl|Open|Summit|Election|Primary|Riots?|Attack|"
    r"Massacre|Bombing|Shooting|Day|Week|Month|Festival|Awards?|Prize|Variant|Vaccine|Pandemic|"
    r"Storm|Index|Rule|Order)$"
)
_EVENT_FIRST = re.compile(r"^(?:Hurricane|Tropical Storm|Typhoon|Cyclone|Operation)\s")
_GENERIC_ALONE = {
    "state", "court", "order", "staff", "department", "committee", "government", "administration",
    "office", "agency", "council", "commission", "ministry", "board", "bureau", "covid", "vaccine", "vaccines", "omicron",
    "delta", "internet", "web", "god", "lord", "bible", "quran", "christmas", "easter", "ramadan",
    "thanksgiving", "twitter account", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "mr", "ms", "mrs", "dr", "covid-19", "sars-cov-2", "the", "a", "an",
}
_FACILITY = re.compile(
    r"(?:^Stade\b.*|\b(?:(?:Treatment|Recovery|Medical|Rehabilitation|Detention|Convention|Shopping|Trade|Space|"
    r"Correctional|Cultural|Community|Training) Cent(?:er|re)|Clinic|Theat(?:re|er)|Stadium|"
    r"Arena|Hotel|Courthouse|Airport|Prison|Jail|Penitentiary|Mine|Canal|Bridge|Dam|Cathedral|Church|"
    r"Mosque|Synagogue|Temple|Palace|Square|Station|Base|Port|Harbou?r|Mall|Tower|Towers|Plant|"
    r"Refinery|Reactor|Hospital|Rehab)$)"
)
_NAMED_CENTER = re.compile(r"^((?:[A-Z][\w'’.-]+\s+){1,3})Cent(?:er|re)$")  # "Betty Ford Center"
_PLACE_BEFORE = re.compile(r"\b(?:check(?:ed|s|ing)?|admitted|enter(?:ed|s|ing)?)\s+(?:into|in at|in to)\s+$", re.I)
_ORG_WORD = re.compile(
    r"\b(?:Inc|Corp|Co|Ltd|LLC|Group|Company|Corporation|Holdings|Partners|Capital|Bank|Fund|Trust|"
    r"Foundation|Institute|Center|Centre|University|College|School|Party|Union|Association|Society|"
    r"Council|Committee|Club|Network|News|Times|Post|Journal|Media|Press|Records|Studios?|Pictures|"
    r"Entertainment|Airlines?|Airways|Motors?|Energy|Oil|Pharma|Health|Labs?|Systems|Technologies|"
    r"Tech|Software|Games|Sports|FC|United|City|Hospital|Church|Ministries|Agency|Department|Office|"
    r"Court|Police|Army|Force|Guard|Fire|Team|Band|Brothers|Bros|Sisters|& \w+)\b\.?"
)
_PERSON_BEFORE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Lt|Sgt|Col|Gen|Adm|Capt|Prof|Rev)\.?|\b(?:Sir|Dame|Lady|Lord|"
    r"President|Senator|Governor|Mayor|Judge|Justice|Speaker|actor|actress|singer|rapper|player|"
    r"coach|pastor|lawmaker|Congressman|Congresswoman|Chancellor|Secretary|spokesman|spokeswoman|"
    r"Vice President|CEO|founder|director|son|daughter|wife|husband|mother|father))\s+$"
)
_PERSON_AFTER = re.compile(r"^(?:,\s*\d{1,3},|\s*\(\s*[RDI]\s*-\s*[A-Z][a-z.]*\s*\)|,\s*who\b|\s+(?:himself|herself)\b)")
_ORG_BEFORE = re.compile(
    r"(?:\b(?:shares of|stock of|stake in|drugmaker|company|firm|maker|giant|retailer|carrier|"
    r"startup|network|newspaper|outlet|platform|automaker|bank|lender|insurer|airline|chipmaker)"
    r"|['’]s rival)\s+$", re.I,
)
_ORG_AFTER = re.compile(
    r"^(?:\s*(?:Inc|Corp|Co|Ltd|LLC|plc|AG|SA|GmbH)\b\.?|['’]s\s+(?:shares|stock|CEO|chief executive|"
    r"board|revenue|profits?|earnings|vaccine|spokesperson|spokesman|spokeswoman|platform|app|"
    r"website|headquarters|employees|workers|subsidiary)\b|,\s+(?:the|a|an)\s+(?:\w+\s+)?(?:company|"
    r"firm|giant|maker|platform|network|group|agency|organization|organisation)\b|\s+(?:shares|stock)\b)"
)


@lru_cache(maxsize=65536)
def geocode(name: str) -> Place | None:
    """places.geocode without context, memoized: extraction asks about one name several times
    per article and in many articles, and without context the answer depends on the name alone."""
    return _geocode(name)


def not_an_entity(text: str) -> bool:
    """A disease, law, event, product or lone office word: none of person, org, place."""
    t = text.strip()
    if t.lower() in _GENERIC_ALONE or _DISEASE.fullmatch(t):
        return True
    return bool(_NOT_ENTITY_LAST.search(t) or _EVENT_FIRST.match(t))


def cut_before_non_entity(text: str) -> int:
    """Length of the part of `text` before a disease word ("Pfizer COVID-19" -> 6), else len."""
    m = _DISEASE.search(text)
    if m is None or m.start() == 0:
        return len(text)
    return len(text[: m.start()].rstrip(" -'’s"))


def facility(text: str, person_surnames: set[str] = frozenset()) -> bool:
    """A building or site: "Stade de Suisse", "San Jose Mine"; "<person> Center" when the
    article names that person ("Betty Ford Center" beside "Betty Ford")."""
    if bool(_FACILITY.search(text)) and len(text.split()) > 1:
        return True
    m = _NAMED_CENTER.match(text)
    return bool(m and name_key(m.group(1).split()[-1]) in person_surnames)


@cache
def _first_names() -> frozenset[str]:
    data = resources.files("storyline.data").joinpath("first_names.txt").read_text(encoding="utf-8")
    return frozenset(line for line in data.split("\n") if line and not line.startswith("#"))


def given_name(word: str) -> bool:
    return word.lower() in _first_names()


def personal_name(text: str) -> bool:
    """Two or three capitalized words, a given name first, no organisation word: a person."""
    words = text.split()
    if not 2 <= len(words) <= 3 or _ORG_WORD.search(text) or text.isupper():
        return False
    if not all(w[0].isupper() and w[1:].replace("-", "").replace("'", "").isalpha() for w in words):
        return False
    return words[0].lower() in _first_names()


def context_kind(before: str, after: str) -> str | None:
    """"person", "org", "place" or None from the 40 characters before and after a span."""
    if _PLACE_BEFORE.search(before) and not after.startswith(("'s", "’s")):
        return "place"
    if _PERSON_BEFORE.search(before) or _PERSON_AFTER.match(after):
        return "person"
    if _ORG_BEFORE.search(before) or _ORG_AFTER.match(after):
        return "org"
    return None
