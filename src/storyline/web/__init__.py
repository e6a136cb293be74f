"""The web UI and JSON API of `storyline serve` (needs the `web` extra)."""
