"""Clustering and pair metrics shared by the evaluations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from itertools import combinations
from math import comb


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1 over the items of `gold` (Bagga & Baldwin 1998)."""
    items = [i for i in gold if i in predicted]
    if not items:
        return 0.0, 0.0, 0.0
    by_pred: dict[str, set[str]] = {}
    by_gold: dict[str, set[str]] = {}
    for i in items:
        by_pred.setdefault(predicted[i], set()).add(i)
        by_gold.setdefault(gold[i], set()).add(i)
    precision = recall = 0.0
    for i in items:
        same_pred, same_gold = by_pred[predicted[i]], by_gold[gold[i]]
        correct = len(same_pred & same_gold)
        precision += correct / len(same_pred)
        recall += correct / len(same_gold)
    precision /= len(items)
    recall /= len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def adjusted_rand(predicted: Mapping[str, str], gold: Mapping[str, str]) -> float:
    items = [i for i in gold if i in predicted]
    n = len(items)
    if n < 2:
        return 1.0
    pairs = Counter((predicted[i], gold[i]) for i in items)
    a = Counter(predicted[i] for i in items)
    b = Counter(gold[i] for i in items)
    index = sum(comb(c, 2) for c in pairs.values())
    sum_a = sum(comb(c, 2) for c in a.values())
    sum_b = sum(comb(c, 2) for c in b.values())
    expected = sum_a * sum_b / comb(n, 2)
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def group_pairs(groups: Mapping[str, str | None]) -> set[tuple[str, str]]:
    """Unordered pairs of items that share a (non-empty) group."""
    members: dict[str, list[str]] = {}
    for item, group in groups.items():
        if group:
            members.setdefault(group, []).append(item)
    return {tuple(sorted(p)) for m in members.values() for p in combinations(sorted(m), 2)}


def pair_scores(predicted: set[tuple[str, str]], gold: set[tuple[str, str]]) -> tuple[float, float, float]:
    tp = len(predicted & gold)
    precision = tp / len(predicted) if predicted else (1.0 if not gold else 0.0)
    recall = tp / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
