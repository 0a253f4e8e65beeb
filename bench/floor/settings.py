"""The bench's settings: the product's own, plus the bare "floor" views (bench/floor/urls.py) and their template
engine. Used only by `make bench` and `make profile`; the product never loads this module. Every product page is
served exactly as under config.settings (the floor's URL configuration includes the product's, the product's
template engines come first and unchanged).

The floor's engine ("floor") reads only bench/floor/templates and runs only the request and auth context
processors: a floor view renders with `using="floor"`, so it pays for none of the product's context processors
(the menu, messages, outages), which are part of what the floor is there to measure."""

from pathlib import Path

from config.settings import *  # noqa: F403 - the product's settings, unchanged
from config.settings import TEMPLATES

ROOT_URLCONF = "bench.floor.urls"
TEMPLATES = [
    *TEMPLATES,
    {
        "NAME": "floor",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
]
