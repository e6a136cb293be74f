"""The few exceptions storyline raises on purpose.

Each surface translates them in one place: the CLI into a message and an exit code
(`cli.main`), the API (web/app.py) into one JSON error shape.
"""


class StorylineError(Exception):
    """Base class: a problem the user can act on. The message names the input and the fix."""

    exit_code = 1


class NotFoundError(StorylineError):
    """A story, article or storyline id that is not in the store."""

    exit_code = 3


class StoreError(StorylineError):
    """The database file cannot be opened or is of a schema this version does not know."""

    exit_code = 4


class BadQuery(StorylineError):
    """A search query over its cost limits (too many words or prefixes, or too slow)."""

    exit_code = 2


class DamagedStoreError(StoreError):
    """The database file is damaged (SQLite finds malformed pages): nothing is written to it."""


class MissingExtraError(StorylineError):
    """An optional dependency is not installed; the message names the extra to install."""

    exit_code = 5
