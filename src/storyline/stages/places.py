"""Deprecated path, kept for one release: geocoding now lives in `storyline.geo.places`."""

import warnings

from storyline.geo.places import GeoContext, Place, geocode, geocode_document

warnings.warn(
    "storyline.stages.places moved to storyline.geo.places; the old path goes in the next release",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["GeoContext", "Place", "geocode", "geocode_document"]
