"""Figures: the quantities an article reports, what they count, and who said them.

A figure is a number phrase ("between 2,500 and 3,500 remaining Islamic State fighters"),
its value range, the noun phrase it counts, the sentence it came from and the speaker the
sentence attributes it to ("Dillon said ..." resolved to "Col. Ryan Dillon" from earlier in
the article). Page counters, years, dates, clock times and ordinals are not figures.

`find_disputes` groups figures by a normalized key (the organisation they concern plus the
kind of thing counted: "Islamic State|fighters") and flags groups whose value ranges cannot
all be true at once, so a reader sees "about 1,500 (US-led coalition, AFP) vs between 2,500
and 3,500 (Col. Ryan Dillon, AP)". Scope (one story, one storyline) is the caller's choice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from storyline.records import Dispute, Figure
from storyline.text.dates import MONTH_NAMES, MONTHS
from storyline.text.names import known_organisation, organisation_mentions
from storyline.text.sentences import sentences

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULT = r"(?:\s*(?:million|billion|thousand|trillion|mn|bn|m)\b)?"
_VALUE = rf"(?:{_NUM}){_MULT}"
_APPROX = (
    r"about|around|some|roughly|approximately|nearly|almost|close to|an estimated|estimated|"
    r"an approximate|up to|as many as|at least|more than|over|fewer than|less than|under|"
    r"upwards of|in excess of"
)
_FIGURE = re.compile(
    rf"(?:(?P<qual>{_APPROX})\s+)?"
    rf"(?:(?P<between>between|from)\s+(?P<lo>{_VALUE})\s+(?:and|to)\s+(?P<hi>{_VALUE})"
    rf"|(?P<a>{_VALUE})\s*(?:-|–|to)\s*(?P<b>{_VALUE})(?=\s+[a-zA-Z])"
    rf"|(?P<v>{_VALUE}))"
    r"(?P<pct>\s*(?:%|percent\b|per cent\b))?",
    re.I,
)
_MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
# Month abbreviations, then the full names longer than them.
_MONTHS = "|".join([m.title() for m in MONTHS] + [m.title() for m in MONTH_NAMES if m not in MONTHS])
# Things a number next to which is not a reported quantity.
_NOT_BEFORE = re.compile(rf"(?:\b(?:{_MONTHS})\.?\s+|\b(?:No\.?|Page|page)\s*|[#/:.\w-])$")
_NOT_AFTER = re.compile(rf"^(?:[/:]\d|\s*(?:{_MONTHS})\b|\s*(?:times|views)\b|(?:st|nd|rd|th)\b|[\w-])")
_COUNTER = re.compile(r"\b(?:read|viewed|seen|shared|visited)\s+$", re.I)
_OPEN_LOW = {"more than", "over", "at least", "upwards of", "in excess of"}
_OPEN_HIGH = {"up to", "as many as", "fewer than", "less than", "under"}
_HEDGED = {"about", "around", "some", "roughly", "approximately", "nearly", "almost", "close to",
           "an estimated", "estimated", "an approximate"}

# The counted noun phrase: words after the number until a verb, preposition or punctuation.
_STOP_WORDS = {
    "have", "has", "had", "are", "were", "was", "is", "be", "been", "remain", "remained", "remaining_",
    "who", "which", "that", "in", "on", "at", "from", "to", "into", "and", "or", "but", "with",
    "near", "around", "across", "inside", "since", "after", "before", "during", "by", "as", "it",
    "they", "he", "she", "we", "this", "these", "those", "there", "still", "left", "fled",
    "killed", "said", "say", "says", "will", "would", "could", "may", "might", "can", "also",
}
_HEADS = {
    "fighters": "fighters", "militants": "fighters", "jihadists": "fighters", "extremists": "fighters",
    "insurgents": "fighters", "gunmen": "fighters", "rebels": "fighters", "combatants": "fighters",
    "members": "fighters",
    "troops": "troops", "soldiers": "troops", "personnel": "troops",
    "people": "people", "civilians": "people", "residents": "people", "refugees": "people",
    "displaced": "people", "children": "children", "dead": "dead", "deaths": "dead",
    "casualties": "casualties", "wounded": "wounded", "injured": "wounded",
}
_OUTCOMES = {
    "killed": "killed", "dead": "killed", "died": "killed", "wounded": "wounded",
    "injured": "wounded", "captured": "captured", "arrested": "captured", "detained": "captured",
    "surrendered": "captured", "fled": "fled", "displaced": "fled", "evacuated": "fled",
}
_OUTCOME = re.compile(rf"\b({'|'.join(_OUTCOMES)})\b", re.I)
_SPEECH = re.compile(
    r"\b(?:said|says|say|told|estimated|estimates|estimate|reported|reports|stated|announced|"
    r"claimed|claims|believed|believes|put the number|put the figure|counted)\b"
)
_ACCORDING = re.compile(r"\baccording to\s+(?P<who>[^,.;]+)", re.I)
_PRONOUNS = {"he", "she", "they", "it", "we", "i"}
_TITLES = r"(?:Col\.|Colonel|Gen\.|General|Lt\.|Lieut\.|Maj\.|Major|Capt\.|Captain|Dr\.|Mr\.|Mrs\.|Ms\.|Sgt\.|Adm\.|Brig\.|President|Prime Minister|Minister)"


def extract_figures(article_id: str, text: str, published: str | None = None) -> list[Figure]:
    """Every reported quantity in `text`, in order. `published` is accepted for symmetry with
    the other extractors (a figure's date is its article's); it does not change the result."""
    figures: list[Figure] = []
    article_orgs = [org.name for _, _, org in organisation_mentions(text)]
    last_speaker: str | None = None
    for s_start, s_end in sentences(text):
        sentence = text[s_start:s_end]
        speaker = attribution(sentence, text[:s_start], last_speaker)
        for m in _FIGURE.finditer(sentence):
            figure = _figure(article_id, text, sentence, s_start, m, speaker, article_orgs)
            if figure:
                figures.append(figure)
        if speaker and speaker.split()[0].lower() not in _PRONOUNS:
            last_speaker = speaker
    return figures


def _figure(
    article_id: str, text: str, sentence: str, offset: int, m: re.Match[str],
    speaker: str | None, article_orgs: list[str],
) -> Figure | None:
    before, after = sentence[: m.start()], sentence[m.end():]
    first_value = m.group("lo") or m.group("a") or m.group("v")
    value_start = m.start("lo") if m.group("lo") else m.start("a") if m.group("a") else m.start("v")
    if _NOT_BEFORE.search(sentence[:value_start]) or _COUNTER.search(before):
        return None
    if _NOT_AFTER.match(after) and not m.group("pct"):
        return None
    if m.group("v") and not m.group("qual") and not m.group("pct"):
        plain = m.group("v").replace(",", "")
        if re.fullmatch(r"1[89]\d\d|20\d\d", plain):  # a year
            return None
    low = _value(first_value)
    high = _value(m.group("hi") or m.group("b") or first_value)
    if low is None or high is None:
        return None
    qualifier = (m.group("qual") or m.group("between") or "").lower()
    if m.group("pct"):
        what = "percent" + _of_phrase(after)
    else:
        what = _counted(after)
        if not what:
            return None  # a bare number with nothing counted ("in 2014", "Chapter 5")
    key = _key(what, sentence, speaker, article_orgs)
    outcome = _OUTCOME.search(sentence[max(0, m.start() - 40): m.end() + len(what) + 50])
    if key and outcome:  # "50 fighters killed" and "1,500 fighters remain" are different counts
        key += "|" + _OUTCOMES[outcome.group(1).lower()]
    end = m.end() + (len(what) + 1 if what and not m.group("pct") else 0)
    return Figure(
        article_id=article_id, value_low=low, value_high=high, what=what,
        quote=sentence.strip(), attributed_to=speaker,
        start=offset + m.start(), end=offset + min(end, len(sentence)),
        approximate=qualifier in _HEDGED, qualifier=qualifier, key=key,
    )


def _value(raw: str) -> float | None:
    m = re.fullmatch(rf"({_NUM})\s*(\w+)?", raw.strip())
    if not m:
        return None
    number = float(m.group(1).replace(",", ""))
    return number * _MULTIPLIERS.get((m.group(2) or "").lower(), 1.0)


def _counted(after: str) -> str:
    """The noun phrase right after the number: "remaining Islamic State fighters"."""
    words: list[str] = []
    pos = 0
    for token in re.finditer(r"[A-Za-z][\w'’.-]*", after):
        gap = after[pos: token.start()]
        if gap.strip() or (not words and not gap):  # punctuation between, or glued ("30km" ok below)
            if not (not words and not gap and token.group().lower() in {"km", "m", "kg", "mm"}):
                break
        word = token.group().rstrip(".")
        if word.lower() in _STOP_WORDS or len(words) >= 5:
            break
        words.append(word)
        pos = token.end()
        if word.lower() in _HEADS or word.endswith("."):
            break
    return " ".join(words)


def _of_phrase(after: str) -> str:
    m = re.match(r"\s+of\s+((?:the\s+)?(?:[\w-]+\s+){0,3}?[\w-]+?)(?=\s+(?:of|in|it|that|which)\b|[,.;]|$)", after)
    return f" of {m.group(1)}" if m else ""


def _key(what: str, sentence: str, speaker: str | None, article_orgs: list[str]) -> str:
    """"Islamic State|fighters": the organisation concerned and the kind of thing counted."""
    words = what.split()
    head = _HEADS.get(words[-1].lower(), words[-1].lower()) if words else ""
    if head not in set(_HEADS.values()):
        return f"|{what.lower()}" if what.startswith("percent") else ""
    org = known_organisation(" ".join(words[:-1])) if len(words) > 1 else None
    if org is None:
        for i in range(len(words) - 1):  # "remaining Islamic State fighters", "Daesh militants"
            for j in range(len(words) - 1, i, -1):
                org = known_organisation(" ".join(words[i:j]))
                if org:
                    break
            if org:
                break
    if org is None and head == "fighters":
        # "about 1,500 militants remained": the armed group named in the sentence, else the
        # article's most mentioned one; never the speaker's own organisation.
        speaker_org = known_organisation(speaker) if speaker else None
        in_sentence = [o for _, _, o in organisation_mentions(sentence) if o != speaker_org]
        candidates = [o.name for o in in_sentence] or [n for n in article_orgs if not speaker_org or n != speaker_org.name]
        if candidates:
            org_name = max(set(candidates), key=lambda n: (candidates.count(n), -candidates.index(n)))
            return f"{org_name}|{head}"
    return f"{org.name if org else ''}|{head}"


def attribution(sentence: str, preceding: str = "", last_speaker: str | None = None) -> str | None:
    """Who the sentence says said it, as named in the article, or None."""
    # Verbs inside a quotation are the speaker's words, not the attribution: blank them out.
    sentence = re.sub(r"“[^”]*”|\"[^\"]*\"", lambda q: q.group()[0] + " " * (len(q.group()) - 2) + q.group()[-1], sentence)
    m = _ACCORDING.search(sentence)
    if m:
        return _clean_subject(m.group("who"), preceding + sentence, last_speaker)
    for verb in _SPEECH.finditer(sentence):
        head = sentence[: verb.start()].rstrip()
        subject = _subject_before(head)
        if subject:
            return _clean_subject(subject, preceding + sentence[: verb.start()], last_speaker)
        if head.endswith((",", "”", '"', "’")):  # "..., said Army spokesman Gen. Ali Mayhoub"
            tail = re.split(r",|;|\s(?:in|on|at|who|when|after|adding|to)\s", sentence[verb.end():])[0]
            tail = tail.strip().removesuffix(".")
            if tail[:1].isupper() or tail.startswith(("the ", "a ")):
                return _clean_subject(tail, preceding + sentence, last_speaker)
    return None


def _subject_before(head: str) -> str:
    if not head or head.endswith(("”", '"')):
        return ""
    if head.endswith(","):  # "Sonia Khush, Syria director of Save the Children, said"
        inner = head[:-1]
        comma = inner.rfind(",")
        if comma < 0:
            return ""
        head = inner[:comma]
    cut = max(
        (m.end() for m in re.finditer(r"[,;:“\"(]|\b(?:where|that|while|but|and|as|because|after|when)\s", head)),
        default=0,
    )
    return head[cut:].strip()


def _clean_subject(subject: str, context: str, last_speaker: str | None) -> str | None:
    subject = re.sub(r"\s+(?:have|has|had|also|had previously|previously|have also|has also|did)\s*$", "", subject.strip())
    subject = re.sub(r"\s+(?:have|has|had)$", "", subject)
    subject = re.sub(r"^(?:a|an|the)\s+", "", subject, flags=re.I)
    subject = re.sub(r"\s+(?:\w+ing|who|which)\b.*$", "", subject)  # "coalition supporting the effort"
    subject = subject.strip(" ,.")
    if not subject:
        return None
    if subject.lower() in _PRONOUNS:
        return last_speaker or subject
    if re.fullmatch(r"[A-Z][\w'’-]+", subject):  # a surname: the full name from earlier in the text
        full = re.findall(rf"((?:{_TITLES}\s+)?(?:[A-Z][\w'’-]+\s+){{1,3}}){re.escape(subject)}\b", context)
        if full:
            name = full[0].strip() + " " + subject
            return re.sub(r"^(?:Spokesman|Spokeswoman|spokesman|Army spokesman)\s+", "", name)
    if len(subject.split()) > 8:
        return None
    return subject


def _interval(f: Figure) -> tuple[float, float]:
    """What a figure allows: hedged values give 10% either side, "more than" is open above."""
    low, high = f.value_low, f.value_high
    if f.approximate:
        low, high = low * 0.9, high * 1.1
    if f.qualifier in _OPEN_LOW:
        high = float("inf")
    if f.qualifier in _OPEN_HIGH:
        low = 0.0
    return low, high


def find_disputes(figures: Sequence[Figure]) -> list[Dispute]:
    """Groups of figures about the same thing, from different articles, that cannot all hold."""
    by_key: dict[str, list[Figure]] = {}
    for f in figures:
        if f.key and not f.key.startswith("|"):
            by_key.setdefault(f.key, []).append(f)
    disputes = []
    for key, group in sorted(by_key.items()):
        if len({f.article_id for f in group}) < 2:
            continue
        intervals = [_interval(f) for f in group]
        conflicting = any(
            intervals[i][1] < intervals[j][0] or intervals[j][1] < intervals[i][0]
            for i in range(len(group)) for j in range(i + 1, len(group))
            if group[i].article_id != group[j].article_id
        )
        if not conflicting:
            continue
        org, _, head = key.partition("|")
        what = f"{org} {head.replace('|', ' ')}".strip()
        disputes.append(Dispute(what=what, figures=list(group), note=_note(group)))
    return disputes


def _note(group: Sequence[Figure]) -> str:
    parts: dict[str, list[str]] = {}
    for f in group:
        value = f"{f.qualifier} {_fmt(f.value_low)}" if f.value_low == f.value_high else (
            f"between {_fmt(f.value_low)} and {_fmt(f.value_high)}")
        parts.setdefault(value.strip(), []).append(f"{f.attributed_to or 'unattributed'} in {f.article_id}")
    return "sources disagree: " + " vs ".join(f"{v} ({'; '.join(who)})" for v, who in parts.items())


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x == int(x) else f"{x:,}"
