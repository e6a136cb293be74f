"""The shipped place-name index: what a fresh machine unpacks instead of building."""

from __future__ import annotations

import pytest

from storyline.geo import gazetteer as gz


def test_the_shipped_index_is_for_the_installed_versions():
    shipped = gz._shipped(gz._versions())
    assert shipped is not None, "data/gazetteer.pickle.xz is stale: run `python -m storyline.geo.gazetteer`"
    assert len(shipped.entries) > 200_000
    syria = shipped.entries[shipped.country_index["SY"]]
    assert (syria.name, syria.kind) == ("Syria", gz.COUNTRY)


def test_other_versions_do_not_get_the_shipped_index():
    assert gz._shipped(gz._versions() + "-other") is None


def test_a_fresh_cache_is_filled_from_the_shipped_index(monkeypatch, tmp_path):
    monkeypatch.setenv("STORYLINE_CACHE", str(tmp_path))
    monkeypatch.setattr(gz, "build", lambda: pytest.fail("built, though the shipped index is current"))
    gz.gazetteer.cache_clear()
    try:
        gaz = gz.gazetteer()
        assert (tmp_path / "storyline" / f"gazetteer-{gz._versions()}.pickle").is_file()
        assert gaz.by_key and gaz.entries[gaz.by_key[gz.name_key("Deir ez-Zor")][0]].country == "SY"
    finally:
        gz.gazetteer.cache_clear()


@pytest.mark.slow
def test_the_shipped_index_is_what_building_gives():
    assert gz._shipped(gz._versions()) == gz.build()
