"""The boilerplate line classifier: which lines of a page are furniture, and why.

Two signals. The line itself: patterns for counters, navigation, social and comment
notices, credits, replica-site footers, crawl-date lines, teaser blocks, repeated captions.
And repetition within one outlet: a line *shape* (lower-cased, digits folded, so "read 5712
times" and "read 5713 times" are one shape) found on several articles of the same outlet is
that outlet's furniture. Text shared across different outlets is never counted here: that
is syndication, which the reprints stage needs to see. The outlet's repeated shapes are an
input to `clean_lines`, so the function stays pure; how they are counted incrementally is in
stages/clean/stage.py.
"""

from __future__ import annotations

import re

from storyline.records import RemovedLine
from storyline.text.dates import MONTH_ALTERNATION, WEEKDAYS

_MONTHS = rf"({MONTH_ALTERNATION})[a-z]*\.?"
_DAYS = rf"({'|'.join(w[:3] for w in WEEKDAYS)})[a-z]*\.?"

# Lines that are page furniture wherever they appear, each with the reason shown to users.
BOILERPLATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("view counter", re.compile(r"\b(this (post|story|article|page) has been (read|viewed)|views?:)\s*[\d,.]+\s*(times)?", re.I)),
    ("view counter", re.compile(r"^\s*[\d,.]+[km]?\s+(views|reads|shares|comments)\s*$", re.I)),
    ("rule line", re.compile(r"^[\s\-_=*~.·•|]{3,}$")),
    ("teaser heading", re.compile(r"^(check also|read also|also read|read more|see also|see more|related( articles| stories| posts| news| coverage)?|more from .{1,30}|recommended( for you)?|you may also like|don'?t miss|trending( now)?|most (read|popular)|latest news|more stories)\s*:?\s*$", re.I)),
    # "Read more: <another story's headline>", "Related: ...": a teaser with its headline inline.
    ("teaser link", re.compile(r"^((read more|see more|read also|also read|related|see also|more on this)\s*:|also on [\w.-]+\.[a-z]{2,})\s+\S.{0,140}$(?<![.?!:])", re.I)),
    ("photo credit", re.compile(r"^(photo|image|picture|credit|file photo|photograph)s?\s*:\s*\S.{0,60}$", re.I)),
    ("comment notice", re.compile(r"^(comments (will be|are) moderated|leave a (comment|reply)|be the first to comment|you must be logged in|view comments|post a comment)\b", re.I)),
    ("navigation", re.compile(r"^(top|back to top|home|menu|search|share|tweet|print|email|next|previous|skip to (main )?content|connect with us|advertisement|loading\.*|close|subscribe|comments|tags)(\s+(top|page|article|story))?\s*$", re.I)),
    ("navigation", re.compile(r"\bpage \d+ news list\b", re.I)),
    ("reading time", re.compile(r"^\d+\s+min(ute)?s?\s+read$", re.I)),
    ("section label", re.compile(r"^[A-Z] Section on \d{1,2}/\d{1,2}/\d{2,4}$")),
    ("events label", re.compile(r"^upcoming events$", re.I)),
    ("replica footer", re.compile(r"^[Nn]ewspapers (in|from) [A-Z][\w ]+$")),
    ("social", re.compile(r"^((share (this|on)|follow us|like us on|subscribe to|sign up (for|to)|enter your e-?mail|click here to|tell us what you think)\b|like this (story|article)\?)", re.I)),
    ("social", re.compile(r"^follow\b.{0,60}\bon (facebook|twitter|instagram|youtube)\b", re.I)),
    # "Get the latest updates right in your inbox. Subscribe to our newsletters."
    ("newsletter prompt", re.compile(
        r"^(?=.{0,220}$)((get|sign up|subscribe|receive|join|want|never miss|don'?t miss|stay (informed|up to date)|enter your)\b.*\bnewsletters?\b"
        r"|[\w'’ ]{0,40}\bnewsletter$)", re.I)),
    ("copyright", re.compile(r"^(©|copyright\b|all rights reserved|this copy is for your personal,? non-commercial use)", re.I)),
    ("date line", re.compile(
        rf"^{_DAYS}\s*,?\s*({_MONTHS}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTHS})\s*,?\s*\d{{4}}\b.{{0,30}}$", re.I)),
]
# A teaser heading takes the headline-like lines right after it (the teasers themselves).
TEASER_HEADINGS = {"teaser heading", "teaser link"}
MAX_TEASER_ITEMS = 6
# Only short lines count for the repetition signal: a paragraph an outlet repeats is
# background text of a running story, not furniture.
MAX_SHAPE_CHARS = 120


def classify_line(line: str) -> str | None:
    """The reason `line` is page furniture, or None if it may be article text."""
    stripped = line.strip()
    for reason, pattern in BOILERPLATE_PATTERNS:
        if pattern.search(stripped):
            return reason
    return None


def line_shape(line: str) -> str | None:
    """The shape of a short line (digits folded, case and spacing ignored); None for long ones."""
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_SHAPE_CHARS:
        return None
    if len(stripped.split()) >= 10 and stripped.endswith((".", "?", "”", '"')):
        return None  # a sentence of prose: an outlet's running story may repeat it
    shape = re.sub(r"\d+", "#", stripped.lower())
    shape = re.sub(r"\s+", " ", shape).strip(" .,:;!?|-–—")
    return shape or None


def split_lines(body: str) -> list[tuple[int, str]]:
    """(1-based line number, stripped text) of the non-empty lines of `body`."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [(no, line.strip()) for no, line in enumerate(lines, start=1) if line.strip()]


def _teaser_item(line: str) -> bool:
    """A line that reads like a linked headline: short, no sentence end, or a list bullet."""
    if line.startswith(("::", "•", "»", "- ", "* ")):
        return True
    return len(line.split()) <= 20 and not line.rstrip().endswith((".", "!", "?", '"', "”", ":", ";"))


def clean_lines(
    lines: list[tuple[int, str]], outlet_furniture: frozenset[str] = frozenset(),
) -> tuple[list[str], list[RemovedLine]]:
    """Split numbered lines into kept lines and removed furniture lines (none is lost)."""
    kept: list[str] = []
    removed: list[RemovedLine] = []
    previous = None
    teaser_items = 0  # how many more headline-like lines a teaser heading may take with it
    for line_no, line in lines:
        reason = classify_line(line)
        if reason is None and outlet_furniture and line_shape(line) in outlet_furniture:
            reason = "repeated in outlet"
        if reason is None and teaser_items and _teaser_item(line):
            # The linked headlines under "Check Also" / "Read more:". The first line of prose
            # ends the block: pages go on with the article after it.
            reason = "teaser"
            teaser_items -= 1
        elif reason is None:
            teaser_items = 0
        if reason in TEASER_HEADINGS:
            teaser_items = MAX_TEASER_ITEMS
        if reason is None and kept and line == previous and len(line) > 40:
            # A line printed twice in a row (a photo caption above and below the photo).
            # Repeats further apart are kept: interview questions, recipe steps, refrains.
            reason = "repeated line"
        if reason:
            removed.append(RemovedLine(line_no, line, reason))
            continue
        previous = line
        kept.append(line)
    return kept, removed
