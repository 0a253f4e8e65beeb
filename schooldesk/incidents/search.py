"""Words → calls, through the full-text index (FTS5 on SQLite, GIN on PostgreSQL; migrations 0004 and 0006).

Each word matches as a prefix ("proj" finds "projector") and in its other forms, both databases stemming
English words alike (SQLite's Porter tokenizer, PostgreSQL's 'english' configuration): "projectors" finds
"projector", "printing" finds "printer". All words must match; case and accents do not matter. Punctuation
splits words, so "Wi-Fi" matches "wi-fi", "WiFi" needs "wifi"."""

import re

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8
POSTGRES_DOCUMENT = "to_tsvector('english', schooldesk_unaccent(summary || ' ' || description || ' ' || device))"


def search_words(text: str) -> list[str]:
    return WORD.findall(text.lower())[:MAX_WORDS]


def incident_text_filter(text: str) -> Q:
    """A condition on Incident for calls whose summary, description or device hold every word."""
    words = search_words(text)
    if not words:
        return Q()
    if connection.vendor == "postgresql":
        query = " & ".join(f"{word}:*" for word in words)
        condition = f"{POSTGRES_DOCUMENT} @@ to_tsquery('english', schooldesk_unaccent(%s))"
        # Safe: the SQL is built only from constants; the user's words go in as the %s parameter.
        return Q(RawSQL(condition, [query], output_field=BooleanField()))  # noqa: S611
    match = " AND ".join(f'"{word}"*' for word in words)
    return Q(pk__in=RawSQL("SELECT rowid FROM incidents_incident_fts WHERE incidents_incident_fts MATCH %s", [match]))
