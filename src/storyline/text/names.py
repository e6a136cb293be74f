"""Name normalization shared by entities, places and figures.

Two spellings of one name should get the same key: "Boukamal", "Bu Kamal", "Al Bu Kamal" and
"Abu Kamal" all become "bukamal"; "Popular Mobilisation Forces" and "Popular Mobilization
Forces" become one key. The folding rules are the usual Arabic-to-Latin transliteration
variants (ou/u, ei/e, doubled consonants, a final h, the article al-/el-/ez-), plus
British/American -isation/-ization. They are applied to keys only, never to shown names.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

_ARTICLES = {"al", "el", "ez", "ed", "es", "ash", "as", "ad", "ar", "an", "at", "az", "the", "of"}
_FOLDS = [
    (re.compile(r"isation"), "ization"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"ei"), "e"),
    (re.compile(r"ee"), "i"),
    (re.compile(r"aa"), "a"),
    (re.compile(r"q"), "k"),
    (re.compile(r"([bcdfghjklmnpqrstvwxz])\1"), r"\1"),
    (re.compile(r"(?<=[aeiou])h\b"), ""),
]


def fold(text: str) -> str:
    """Lower case, no diacritics, apostrophes and hyphens as spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[’'`ʿʾ]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def name_key(name: str, *, drop_abu: bool = False) -> str:
    """A spelling-insensitive key: articles dropped, transliteration variants folded, no spaces.

    `drop_abu` also drops a leading "abu"/"bu" so "Abu Kamal" meets "Al Bu Kamal"; that is
    right for place names (the "Abu" of a town name is often dropped or split) and wrong for
    person names (Abu Bakr), so only places ask for it.
    """
    words = [w for w in fold(name).split() if w not in _ARTICLES]
    if drop_abu and len(words) > 1 and words[0] in {"abu", "bu", "abou", "bou"}:
        words = words[1:]
    key = "".join(words)
    if drop_abu and key.startswith(("abu", "bu")) and len(key) > 6:
        key = key[3:] if key.startswith("abu") else key[2:]
    for pattern, repl in _FOLDS:
        key = pattern.sub(repl, key)
    return key


@dataclass(frozen=True)
class Organisation:
    name: str
    short: str
    aliases: tuple[str, ...]


@cache
def organisations() -> tuple[Organisation, ...]:
    """The curated alias table of frequent organisations (data/org_aliases.json)."""
    raw = json.loads(resources.files("storyline.data").joinpath("org_aliases.json").read_text("utf-8"))
    return tuple(
        Organisation(o["name"], o["short"], tuple(o["aliases"])) for o in raw["organisations"]
    )


@cache
def _org_index() -> tuple[dict[str, Organisation], dict[str, Organisation]]:
    """(exact acronym -> org, name key -> org). Acronyms match case-sensitively: "IS" not "is"."""
    acronyms: dict[str, Organisation] = {}
    keys: dict[str, Organisation] = {}
    for org in organisations():
        for alias in (org.name, org.short, *org.aliases):
            if re.fullmatch(r"[A-Z][A-Z.\-]{0,6}s?", alias):
                acronyms[alias] = org
            else:
                keys.setdefault(name_key(alias), org)
    return acronyms, keys


def known_organisation(name: str) -> Organisation | None:
    """The curated organisation `name` refers to, if it is one ("Daesh" -> Islamic State)."""
    name = name.strip()
    name = re.sub(r"^(?:the|a|an)\s+", "", name, flags=re.I)
    acronyms, keys = _org_index()
    if name in acronyms:
        return acronyms[name]
    key = name_key(name)
    if key in keys:
        return keys[key]
    # "Islamic State group", "Islamic State militants": a trailing generic noun.
    stripped = re.sub(r"\s+(?:group|organi[sz]ation|movement|militia|forces?)$", "", name, flags=re.I)
    if stripped != name:
        return known_organisation(stripped)
    return None


def organisation_mentions(text: str) -> list[tuple[int, int, Organisation]]:
    """Every mention of a curated organisation in `text`: (start, end, organisation)."""
    found: list[tuple[int, int, Organisation]] = []
    # One alternation per case mode (longest alias first), not one search per alias: the
    # same leftmost-longest mentions, found in one pass.
    for pattern, orgs in _mention_patterns():
        for m in pattern.finditer(text):
            found.append((m.start(), m.end(), orgs[m.lastgroup]))
    # Longest first, then drop mentions inside an already kept one.
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, Organisation]] = []
    for item in found:
        if kept and item[0] < kept[-1][1]:
            continue
        kept.append(item)
    return kept


@cache
def _mention_patterns() -> tuple[tuple[re.Pattern[str], dict[str, Organisation]], ...]:
    acronyms, _ = _org_index()
    insensitive: list[tuple[int, str, Organisation, str]] = []
    sensitive: list[tuple[int, str, Organisation, str]] = []
    for org in organisations():
        names = {a for a in (org.name, *org.aliases) if a not in acronyms and len(a) > 3}
        for alias in names:
            # Hyphens and spaces interchangeable, s/z interchangeable in -isation.
            body = re.escape(alias).replace(r"\-", "[- ]").replace(r"\ ", "[- ]")
            body = body.replace("isation", "i[sz]ation").replace("ization", "i[sz]ation")
            (insensitive if alias[0].islower() else sensitive).append((len(alias), body, org, alias[0]))
    out = []
    for items, flags in ((insensitive, re.I), (sensitive, 0)):
        items.sort(key=lambda x: -x[0])
        orgs = {f"o{i}": org for i, (_, _, org, _) in enumerate(items)}
        alternation = "|".join(f"(?P<o{i}>{body})" for i, (_, body, _, _) in enumerate(items))
        # The lookahead on the first letter fails fast at most positions of a text (the
        # alternation alone is tried in full at each one).
        first = "".join(sorted({c for *_, c in items} | ({c.swapcase() for *_, c in items} if flags else set())))
        out.append((re.compile(rf"(?<!\w)(?=[{re.escape(first)}])(?:{alternation})(?!\w)", flags), orgs))
    acronym_items = sorted(acronyms.items(), key=lambda x: -len(x[0]))
    orgs = {f"a{i}": org for i, (_, org) in enumerate(acronym_items)}
    alternation = "|".join(f"(?P<a{i}>{re.escape(a)})" for i, (a, _) in enumerate(acronym_items))
    out.append((re.compile(rf"(?<![\w.])(?=[A-Z])(?:{alternation})(?![\w])"), orgs))
    return tuple(out)
