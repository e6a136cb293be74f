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

from collections.abc import Sequence
from typing import ClassVar

from storyline.stages.summaries.story import StoryInput, summarize_story
from storyline.stages.summaries.summarize import DEFAULT_SENTENCES
from storyline.store import Store


class SummaryStage:
    """Summarizes each story whose members, their texts or reprint groups (or stored events)
    changed since it was last summarized; other stories keep their stored summary."""

    name: ClassVar[str] = "summaries"
    version: ClassVar[int] = 3  # 3: caption events left off the timeline
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
        out = []
        for sid in ids:
            arts = store.articles_for_grouping(members.get(sid, []))
            groups = store.reprint_groups_of([a.id for a in arts])
            events = store.stored_events(sid)
            out.append(StoryInput(sid, keys[sid], arts, groups, events))
        return out

    def process(self, batch: list[StoryInput]) -> list[dict]:
        return [summarize_story(item, self.max_sentences) for item in batch]

    def save(self, store: Store, results: list[dict]) -> None:
        store.save_summaries(results)

    def finish(self, store: Store) -> dict:
        removed = store.drop_orphan_summaries()
        return {"orphans_removed": removed} if removed else {}
