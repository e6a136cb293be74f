"""The routes of `storyline serve`: api.py (the JSON API under /api/) and pages.py (the HTML
pages and their `.json` twins)."""
