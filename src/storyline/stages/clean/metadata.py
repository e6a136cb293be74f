"""Article metadata read from the text: dateline, wire credits, authors, masthead, language.

Each finder returns MetaValues (value, source, confidence) or None; the cleaning stage
decides which source wins. All are plain functions over strings.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

from storyline.records import MetaValue
from storyline.text.dates import MONTH_NAMES, DateFound, dates_in

# Agencies: canonical name -> the ways a page credits it.
AGENCIES: dict[str, list[str]] = {
    "AP": [r"\bAP\b", r"\bAssociated Press\b"],
    "AFP": [r"\bAFP\b", r"\bAgence France[- ]Presse\b"],
    "Reuters": [r"\bReuters\b"],
    "UPI": [r"\bUPI\b", r"\bUnited Press International\b"],
    "dpa": [r"\bdpa\b", r"\bDeutsche Presse-Agentur\b"],
    "EFE": [r"\bEFE\b"],
    "ANSA": [r"\bANSA\b"],
    "Xinhua": [r"\bXinhua\b"],
    "Yonhap": [r"\bYonhap\b"],
    "Kyodo": [r"\bKyodo\b"],
    "PTI": [r"\bPTI\b", r"\bPress Trust of India\b"],
    "IANS": [r"\bIANS\b"],
    "NTB": [r"\bNTB\b"],
    "TASS": [r"\bTASS\b"],
    "Anadolu": [r"\bAnadolu Agency\b"],
    "WAM": [r"\bWAM\b"],
    "KUNA": [r"\bKUNA\b"],
    "CNN": [r"^\(CNN\)"],
}
_AGENCY_RES = {name: re.compile("|".join(forms)) for name, forms in AGENCIES.items()}
# One pass to find the lines that credit any agency at all; most lines credit none.
_ANY_AGENCY = re.compile("|".join(f for forms in AGENCIES.values() for f in forms))
_PAREN_AGENCY = re.compile(r"\((" + "|".join(["AP", "AFP", "Reuters", "UPI", "dpa", "EFE", "ANSA", "Xinhua",
                                               "Yonhap", "Kyodo", "PTI", "IANS", "NTB", "CNN", "KUNA", "WAM"]) + r")\)")
_CREDIT_LINE = re.compile(
    r"^(information for this article was contributed by|(compiled|written|reported) by|\(?(reporting|editing|writing) by|"
    r"(photos?|image|credit|photographs?)\s*:|copyright\b|©|additional reporting by|with (reporting|inputs?) from)"
    r"|\b(contributed to this report|of the associated press)\b|[-–—]\s*(AP|AFP|Reuters)\s*$", re.I,
)

# "BEIRUT, Nov 4, (AP):", "BEIRUT --", "BEIRUT:", "COPIAPO, Chile, Aug. 22 (UPI) --",
# "MAE SAI, Thailand, July 10, 2018 (AFP) :", "PRETORIA –", "Marignane (AFP)".
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’/\- ]{1,40}?|[A-Z][a-zà-ÿ]+(?: [A-Z][a-zà-ÿ]+)?(?=(?:, [A-Z][a-zà-ÿ]+(?: [A-Z][a-zà-ÿ]+)?)? \())"
    rf"(?:,\s*(?!(?:{'|'.join(m[:3].title() for m in MONTH_NAMES)})[a-z]*\.?\s+\d)(?P<region>[A-Z][\w.'’ ]{{1,30}}?))?"
    r"(?:,?\s*(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,?\s*(?:19|20)\d\d)?))?"
    r",?\s*(?:\((?P<agency>[A-Za-z]{2,10})\))?"
    r"\s*(?P<sep>--|—|–|:|-(?= )|(?<=\))(?= ))\s*(?=\S)"
)


def dateline(first_lines: list[str]) -> tuple[MetaValue | None, DateFound | None, str | None]:
    """(place, date, agency) of the dateline opening one of the first paragraphs."""
    for line in first_lines:
        m = _DATELINE.match(line)
        if not m or len(line) < 60:
            continue
        place = m["place"].strip(" .,")
        if not place or len(place) < 3 or (place.isupper() and len(place.split()) > 4):
            continue
        if not place.isupper() and not m["agency"]:
            continue  # "Mixed Case:" openings are usually headings, not datelines
        value = place.title() if place.isupper() else place
        if m["region"]:
            value = f"{value}, {m['region'].strip()}"
        when = None
        if m["date"]:
            found = dates_in(m["date"])
            when = found[0] if found else None
        return MetaValue(value, "dateline", 0.9), when, _canonical_agency(m["agency"])
    return None, None, None


def _canonical_agency(token: str | None) -> str | None:
    if not token:
        return None
    for name, pattern in _AGENCY_RES.items():
        if pattern.fullmatch(token) or pattern.search(token):
            return name
    return "CNN" if token == "CNN" else None  # its form is "(CNN)" only, never a bare mention


def wire_credits(lines: list[str], dateline_agency: str | None, photo_credits: list[str] = ()) -> list[dict]:
    """Agencies the page credits, strongest evidence first: dateline, credit line, mention.

    `photo_credits` are the page's photo credit lines ("Photo: AFP"), removed from the text
    as furniture but still evidence that the page carries that agency's material.
    """
    best: dict[str, tuple[float, str]] = {}

    def note(agency: str, confidence: float, evidence: str) -> None:
        if agency not in best or best[agency][0] < confidence:
            best[agency] = (confidence, evidence)

    if dateline_agency:
        note(dateline_agency, 0.95, "dateline")
    for line in photo_credits:
        for agency, pattern in _AGENCY_RES.items():
            if pattern.search(line):
                note(agency, 0.5, "photo credit")
    for line in lines:
        for token in _PAREN_AGENCY.findall(line):
            agency = _canonical_agency(token)
            if agency:
                note(agency, 0.9 if line.index(f"({token})") < 60 else 0.6, "(agency) credit")
        if not _ANY_AGENCY.search(line):
            continue
        credit = _CREDIT_LINE.search(line) is not None and len(line) < 200
        for agency, pattern in _AGENCY_RES.items():
            if pattern.search(line):
                note(agency, 0.8 if credit else 0.4, "credit line" if credit else "mentioned as a source")
    return [
        {"agency": a, "evidence": ev, "confidence": c}
        for a, (c, ev) in sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
    ]


_NAME = r"[A-Z][\w.'’\-]+(?: [A-Z][\w.'’\-]+){1,3}"
# Case matters in the names (a capital starts each word), not in the "By" before them.
_BYLINE = re.compile(rf"^(?i:by|written by|words by|reporting by)\s+({_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)")
_CONTRIBUTED = re.compile(rf"contributed by ({_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)")
_NAME_LIST = re.compile(rf"^({_NAME}(?:\s*(?:,|and|&)\s*{_NAME})+)$")


def authors(lines: list[str], html_author: str | None = None) -> MetaValue | None:
    """Authors from HTML metadata, a byline near the top, or a contributor line."""
    if html_author:
        names = [n.strip() for n in re.split(r";|\s*,\s*|\s+and\s+", html_author) if n.strip()]
        return MetaValue(names, "html metadata", 0.85)
    for line in lines[:8]:
        m = _BYLINE.match(line)
        if m:
            return MetaValue(_split_names(m[1]), "byline", 0.8)
    for line in lines:
        m = _CONTRIBUTED.search(line)
        if m:
            return MetaValue(_split_names(re.sub(r"\s+of (the|The)\b.*$", "", m[1])), "contributor line", 0.7)
    for line in lines[:6]:
        m = _NAME_LIST.match(line)
        if m and len(line) < 80:
            return MetaValue(_split_names(m[1]), "name line", 0.5)
    return None


def _split_names(text: str) -> list[str]:
    names = [n.strip() for n in re.split(r"\s*(?:,|&|\band\b)\s*", text) if n.strip()]
    return [n for n in names if len(n.split()) >= 2]


def masthead(line: str) -> str | None:
    """'Beirut - Egypt Today' -> 'Egypt Today'; 'Gulf News' -> 'Gulf News'; else None."""
    if len(line) > 60 or line.endswith((".", ":", ",", ";", "!", "?")):
        return None
    if " - " in line:
        return line.rsplit(" - ", 1)[1].strip() or None
    words = line.split()
    if 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words):
        return line
    return None


def url_outlet(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


@cache
def _language_identifier():
    # Loaded once per process; it is read-only, so results do not depend on process layout.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def language(text: str) -> MetaValue | None:
    """The text's language (ISO 639-1) by py3langid, with its probability as confidence."""
    sample = text[:1200]  # plenty for identification; the cost grows with the length
    if len(sample.split()) < 5:
        return None
    lang, prob = _language_identifier().classify(sample)
    return MetaValue(lang, "py3langid", round(float(prob), 3))
