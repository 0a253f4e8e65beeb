"""The part of docs/benchmarks.md that `make profile` (bench/profile.py) writes, between two HTML comments, so that
`make bench` (bench/run.py), which writes the rest of the file anew, keeps it, and `make profile` replaces only it."""

from __future__ import annotations

BEGIN = "<!-- profile: written by bench/profile.py (make profile); make bench keeps it -->"
END = "<!-- /profile -->"
ANCHOR = "\n## Data set\n"  # the profile goes above this heading (the tables above, how they were made below)


def extract(text: str) -> str | None:
    """The marked section of `text`, markers included, or None."""
    start = text.find(BEGIN)
    end = text.find(END, start)
    return text[start : end + len(END)] if start >= 0 and end >= 0 else None


def replace(text: str, section: str) -> str:
    """`text` with its marked section replaced by `section`; without one, `section` goes above "## Data set" (at
    the end where there is no such heading)."""
    if (old := extract(text)) is not None:
        return text.replace(old, section.strip())
    at = text.find(ANCHOR)
    if at < 0:
        return f"{text.rstrip()}\n\n{section.strip()}\n"
    return f"{text[:at].rstrip()}\n\n{section.strip()}\n{text[at:]}"
