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


def _clusters(assign: Mapping[str, str], items: list[str]) -> list[set[str]]:
    out: dict[str, set[str]] = {}
    for i in items:
        out.setdefault(assign[i], set()).add(i)
    return list(out.values())


def muc(predicted: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """MUC link precision, recall, F1 (Vilain et al. 1995) over the items of `gold`."""
    items = [i for i in gold if i in predicted]

    def score(keys: list[set[str]], other: Mapping[str, str]) -> float:
        num = sum(len(k) - len({other[i] for i in k}) for k in keys)
        den = sum(len(k) - 1 for k in keys)
        return num / den if den else 0.0

    recall = score(_clusters(gold, items), predicted)
    precision = score(_clusters(predicted, items), gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def ceafe(predicted: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """Entity-based CEAF (Luo 2005): the best one-to-one alignment of clusters by Dice."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    items = [i for i in gold if i in predicted]
    keys, responses = _clusters(gold, items), _clusters(predicted, items)
    if not keys or not responses:
        return 0.0, 0.0, 0.0
    index = {i: n for n, r in enumerate(responses) for i in r}
    sim = np.zeros((len(keys), len(responses)))
    for k_n, k in enumerate(keys):
        for r_n in {index[i] for i in k}:
            r = responses[r_n]
            sim[k_n, r_n] = 2 * len(k & r) / (len(k) + len(r))
    rows, cols = linear_sum_assignment(sim, maximize=True)
    total = float(sim[rows, cols].sum())
    recall, precision = total / len(keys), total / len(responses)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def conll_f1(predicted: Mapping[str, str], gold: Mapping[str, str]) -> float:
    """The CoNLL-2012 score: the mean of the MUC, B-cubed and CEAFe F1."""
    return (muc(predicted, gold)[2] + bcubed(predicted, gold)[2] + ceafe(predicted, gold)[2]) / 3
