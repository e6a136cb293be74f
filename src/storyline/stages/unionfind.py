"""Disjoint sets (union-find), for the stages that group records by pairwise links: reprint
groups, the events of a story, the articles whose figures are compared.

It lives in the stages layer (storyline.stages in the import layers), beside the stages that
use it: it imports nothing of storyline, and nothing below the stages needs it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any


class UnionFind:
    """Sets of hashable, mutually comparable items. `union` makes the smaller root the root of
    both, so a set's root is its smallest member whatever order the links came in."""

    def __init__(self, items: Iterable[Hashable] = ()) -> None:
        self.parent: dict[Any, Any] = {x: x for x in items}

    def find(self, x: Any) -> Any:
        """The root of x's set; an item not seen before becomes a set of its own."""
        parent = self.parent
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> dict[Any, list[Any]]:
        """root -> members, both in the order the items were first seen."""
        out: dict[Any, list[Any]] = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return out
