"""The bench's settings: the product's own, plus the bare "floor" views (bench/floor/urls.py). Used only by
`make bench`; the product never loads this module. Every product page is served exactly as under
config.settings, since the floor's URL configuration includes the product's."""

from pathlib import Path

from config.settings import *  # noqa: F403 - the product's settings, unchanged
from config.settings import TEMPLATES

ROOT_URLCONF = "bench.floor.urls"
TEMPLATES = [
    {**TEMPLATES[0], "DIRS": [*TEMPLATES[0].get("DIRS", []), Path(__file__).resolve().parent / "templates"]},
    *TEMPLATES[1:],
]
