"""The parts of docs/benchmarks.md that `make profile` (bench/profile.py) writes, each between two HTML comments,
so that `make bench` (bench/run.py), which writes the rest of the file anew, keeps them, and `make profile`
replaces only its own. A part may carry a label (`--label before`, `--label after`): each label is a part of its
own, so a profile taken before a change and one taken after it stand side by side."""

from __future__ import annotations

import re

ANCHOR = "\n## Data set\n"  # the parts go above this heading (the tables above, how they were made below)
PART = re.compile(r"<!-- profile(?P<label> [\w.-]+)?: .*? -->.*?<!-- /profile(?P=label)? -->", re.S)


def begin(label: str = "") -> str:
    name = f" {label}" if label else ""
    return f"<!-- profile{name}: written by bench/profile.py (make profile); make bench keeps it -->"


def end(label: str = "") -> str:
    return f"<!-- /profile{' ' + label if label else ''} -->"


def parts(text: str) -> dict[str, str]:
    """The marked parts of `text`, markers included, by label ("" for none), in the order they appear."""
    return {(match.group("label") or "").strip(): match.group(0) for match in PART.finditer(text)}


def replace(text: str, section: str) -> str:
    """`text` with the part of `section`'s label replaced by `section`; a new label's part goes below the last part
    there is, or above "## Data set" (at the end where there is no such heading)."""
    section = section.strip()
    label = next(iter(parts(section)), "")
    found = parts(text)
    if label in found:
        return text.replace(found[label], section)
    if found:
        last = list(found.values())[-1]
        return text.replace(last, f"{last}\n\n{section}")
    at = text.find(ANCHOR)
    if at < 0:
        return f"{text.rstrip()}\n\n{section}\n"
    return f"{text[:at].rstrip()}\n\n{section}\n{text[at:]}"


def keep(old: str, new: str) -> str:
    """`new` (a report written anew) with every part `old` had, as they were."""
    for section in parts(old).values():
        new = replace(new, section)
    return new
