"""Cited extractive story summaries.

Faithful by construction: every summary sentence is a sentence of one of the story's
articles, copied verbatim, and it cites every article that carries it or a close paraphrase
(`paraphrase_similarity` >= PARAPHRASE_SIMILARITY), not only the one it was taken from.

How sentences are chosen:
1. Split each article into sentences and merge near-identical sentences across articles
   into one *claim* (a reprinted or lightly edited wire sentence is one claim, not five).
2. A claim's *sources* are the distinct texts carrying it: all copies in one reprint group
   count as one source, so syndication does not buy centrality.
3. Score = centrality (mean TF-IDF cosine to the claims of the *other* sources: what the
   coverage agrees on) + a lead bonus (news puts the point first) + cross-source support.
4. Greedy selection by score with redundancy control: a claim too similar to one already
   chosen is skipped, so no sentence (or its paraphrase) appears twice.

Photo captions ("This frame grab from a video released on Nov. 2 ...", "(AP Photo/...)",
"Iraqi soldiers advance toward al-Qaim, ..., on Friday.") are not summary material and are
left out. The story's headline is the most central of its articles' titles.

The weights and lengths were tuned on the NeuS train split (`storyline eval summaries
--split train`) and are reported on val; see evaluation/summaries.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from storyline.records import ArticleForGrouping
from storyline.stages.summaries.summarize import DEFAULT_SENTENCES, disputes, headline, summarize


@dataclass
class StoryInput:
    """What summarizing one story needs: its articles, their reprint groups, stored events."""

    story_id: str
    input_key: str
    articles: list[ArticleForGrouping]
    reprint_group: dict[str, str]
    events: list[dict] | None = None


def summarize_story(item: StoryInput, max_sentences: int = DEFAULT_SENTENCES) -> dict:
    """The stored form of one story's summary, disputes and timeline (see store/summaries.py)."""
    from storyline.stages.summaries.timeline import build_timeline

    lines = summarize(item.articles, item.reprint_group, max_sentences=max_sentences)
    return {
        "story_id": item.story_id,
        "input_key": item.input_key,
        "headline": headline(item.articles),
        "sentences": [asdict(line) for line in lines],
        "disputes": disputes(item.articles),
        "timeline": [asdict(e) for e in build_timeline(item.articles, item.reprint_group, events=item.events)],
    }
