"""The summaries stage: for each story, its cited summary (summarize.py) and its timeline
(timeline.py), stored with the story.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from storyline.stages.base import first_chars
from storyline.stages.summaries.story import StoryInput, summarize_story
from storyline.stages.summaries.summarize import DEFAULT_SENTENCES
from storyline.store import Store


class SummaryStage:
    """Summarizes each story whose members, their texts or reprint groups (or stored events)
    changed since it was last summarized; other stories keep their stored summary."""

    name: ClassVar[str] = "summaries"
    version: ClassVar[int] = 4  # 4: the headline is the story's title
    batch_size: ClassVar[int] = 50

    def __init__(self, max_sentences: int = DEFAULT_SENTENCES):
        self.max_sentences = max_sentences

    def _version(self) -> str:
        return f"{self.version}.{self.max_sentences}"

    def pending(self, store: Store) -> list[str]:
        return store.stale_summaries(self._version())

    def load(self, store: Store, ids: Sequence[str]) -> list[StoryInput]:
        keys = store.summary_input_keys(self._version(), ids)
        members = store.story_member_ids(ids)
        titles = store.story_title_map(list(ids))
        out = []
        for sid in ids:
            arts = first_chars(store.articles_for_grouping(members.get(sid, [])))
            groups = store.reprint_groups_of([a.id for a in arts])
            events = store.stored_events(sid)
            out.append(StoryInput(sid, keys[sid], arts, groups, events, titles.get(sid)))
        return out

    def process(self, batch: list[StoryInput]) -> list[dict]:
        return [summarize_story(item, self.max_sentences) for item in batch]

    def save(self, store: Store, results: list[dict]) -> None:
        store.save_summaries(results)

    def finish(self, store: Store) -> dict:
        removed = store.drop_orphan_summaries()
        return {"orphans_removed": removed} if removed else {}
