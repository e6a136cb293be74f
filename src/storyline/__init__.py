"""storyline: turn overlapping news coverage into stories a person can trust."""

__version__ = "0.1.0"
