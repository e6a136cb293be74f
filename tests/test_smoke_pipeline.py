from storyline.store import Store


def test_seed_reprint_group(seeded_db):
    with Store(seeded_db) as store:
        groups = store.reprint_groups()
    by_prefix = {k[:3]: v for k, v in groups.items()}
    assert by_prefix["000"] == by_prefix["001"] == by_prefix["003"]
    assert "002" not in by_prefix and "004" not in by_prefix
