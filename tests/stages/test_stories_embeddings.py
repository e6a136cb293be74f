"""Dense multilingual embeddings (the real bundled model, no mock): a report and its
translation are close, unrelated news is not; vectors round-trip through storage."""

from __future__ import annotations

import numpy as np

from storyline.stages.stories import embeddings as emb

EN = ("A giant container ship that blocked the Suez Canal for almost a week was freed on Monday, "
      "and traffic through the waterway resumed.")
ES = ("El gigantesco buque portacontenedores que bloqueó el canal de Suez durante casi una semana "
      "fue liberado el lunes y el tráfico por la vía se reanudó.")
BN = "সুয়েজ খালে প্রায় এক সপ্তাহ আটকে থাকা বিশাল কন্টেইনার জাহাজটি সোমবার মুক্ত হয়েছে।"
OTHER = ("The central bank raised interest rates by a quarter point on Wednesday to curb inflation, "
         "its third increase this year.")


def test_a_translation_is_closer_than_unrelated_news():
    en, es, bn, other = emb.embed([EN, ES, BN, OTHER])
    for vec in (en, es, bn, other):
        assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-4
    assert en @ es > en @ other + 0.05
    assert en @ bn > en @ other + 0.05
    assert es @ bn > es @ other + 0.05


def test_empty_text_is_a_zero_vector_and_repeats_are_identical():
    first = emb.embed(["", EN, "   ", EN])
    assert not first[0].any() and not first[2].any()
    assert np.array_equal(first[1], first[3])
    assert np.array_equal(emb.embed([EN])[0], first[1])  # from the in-process cache: the same numbers


def test_storage_round_trip_and_embedded_text():
    vec = emb.embed([EN])[0]
    back = emb.from_bytes(emb.to_bytes(vec))
    assert back is not None and back.shape == (emb.DIM,)
    assert float(back @ vec) > 0.999
    assert emb.from_bytes(None) is None and emb.from_bytes(b"\x00" * 10) is None
    text = emb.embedding_text("Ship freed", "x" * 5000)
    assert text.startswith("Ship freed\nx") and len(text) == emb.EMBED_CHARS


def test_a_cpu_without_avx2_gets_a_clear_error_not_a_crash(monkeypatch):
    import pytest

    from storyline.errors import StorylineError

    monkeypatch.setattr(emb, "_model", None)
    monkeypatch.setattr(emb, "_cpu_lacks_avx2", lambda: True)
    with pytest.raises(StorylineError, match="STORYLINE_EMBEDDINGS=off"):
        emb.embed(["a text never embedded in this process before: 1f3a9c"])
