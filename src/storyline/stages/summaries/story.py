"""One story's summary and timeline from its articles (`StoryInput`), a plain function."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from storyline.records import ArticleForGrouping
from storyline.stages.summaries.summarize import DEFAULT_SENTENCES, headline, summarize


@dataclass
class StoryInput:
    """What summarizing one story needs: its articles, their reprint groups, stored events,
    and the title the stories stage gave it (the summary's headline, so that every view shows
    one title)."""

    story_id: str
    input_key: str
    articles: list[ArticleForGrouping]
    reprint_group: dict[str, str]
    events: list[dict] | None = None
    title: str | None = None


def summarize_story(item: StoryInput, max_sentences: int = DEFAULT_SENTENCES) -> dict:
    """The stored form of one story's summary and timeline (see store/summaries.py); its
    disputes are the events stage's, which the store reads with the summary."""
    from storyline.stages.summaries.timeline import build_timeline

    lines = summarize(item.articles, item.reprint_group, max_sentences=max_sentences)
    return {
        "story_id": item.story_id,
        "input_key": item.input_key,
        "headline": headline(item.articles, item.title),
        "sentences": [asdict(line) for line in lines],
        "timeline": [asdict(e) for e in build_timeline(item.articles, item.reprint_group, events=item.events)],
    }
