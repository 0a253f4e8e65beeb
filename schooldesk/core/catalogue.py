"""The Welsh catalogue (locale/cy) kept whole: every string the code marks for translation is in it, and the
compiled .mo is the .po's (docs/decisions/0035).

`manage.py catalogue update` writes locale/cy/LC_MESSAGES/django.po from the code (Django's makemessages, always
with the options below) and compiles the .mo; `manage.py catalogue check` (in `make lint`) extracts the strings
from a copy of the code in a temporary folder, so the committed files are never touched, and fails when one is
not in the committed .po or when the .mo is stale. A string may be in the .po untranslated: it shows in English.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess  # noqa: S404 (gettext's own msgfmt, with fixed arguments)
import tempfile
from contextlib import chdir
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

LOCALE = "cy"
#: what is read for strings: the code, its templates and the settings; never the tests, migrations or vendor files
SOURCES = ("schooldesk", "config")
IGNORE = [
    "tests",
    "migrations",
    "static",
    "__pycache__",
    "node_modules",
    "var",
    "locale",
    "bench",
    "deploy",
    "docs",
    "requirements",
    "manage.py",
]
MAKEMESSAGES = {"locale": [LOCALE], "ignore_patterns": IGNORE, "no_location": True, "no_obsolete": True, "verbosity": 0}


def catalogue_path(base: Path | None = None) -> Path:
    return Path(base or settings.BASE_DIR) / "locale" / LOCALE / "LC_MESSAGES" / "django.po"


def msgids(po_text: str) -> set[tuple[str, str]]:
    """The (context, msgid) of every live entry of a .po file (obsolete `#~` entries and the header left out)."""
    found, entry, field = set(), {}, None

    def flush():
        if entry.get("msgid"):
            found.add((entry.get("msgctxt", ""), entry["msgid"]))

    for line in po_text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"'):
            if field:
                entry[field] += ast.literal_eval(line)
            continue
        if keyword in ("msgctxt", "msgid") and (keyword == "msgctxt" or field != "msgctxt"):
            flush()
            entry = {}
        field = keyword if keyword in ("msgctxt", "msgid") else None
        if field:
            entry[field] = ast.literal_eval(rest)
    flush()
    return found


def extract(root: Path, work: Path) -> Path:
    """Run makemessages over a copy of `root`'s sources in `work`; the fresh .po it writes (msgstr all empty)."""
    copy = work / "src"
    for name in SOURCES:
        if (root / name).is_dir():
            shutil.copytree(root / name, copy / name, ignore=shutil.ignore_patterns(*IGNORE, "*.pyc"))
    locale = copy / "locale"
    locale.mkdir(parents=True, exist_ok=True)
    with override_settings(LOCALE_PATHS=[locale]), chdir(copy):
        call_command("makemessages", **MAKEMESSAGES)
    return catalogue_path(copy)


def missing(root: Path, catalogue: Path) -> list[tuple[str, str]]:
    """The strings the code under `root` marks for translation that `catalogue` (a .po file) lacks."""
    with tempfile.TemporaryDirectory(prefix="catalogue-") as work:
        fresh = extract(Path(root), Path(work))
        wanted = msgids(fresh.read_text(encoding="utf-8")) if fresh.exists() else set()
    have = msgids(catalogue.read_text(encoding="utf-8")) if catalogue.exists() else set()
    return sorted(wanted - have)


def _catalog(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def compile_mo(po: Path, mo: Path | None = None) -> Path:
    """msgfmt, as Django's compilemessages runs it."""
    mo = mo or po.with_suffix(".mo")
    subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)  # noqa: S603, S607
    return mo


def mo_is_fresh(catalogue: Path) -> bool:
    """The committed .mo holds what the .po says (compared as translations, not bytes: msgfmt versions differ)."""
    mo = catalogue.with_suffix(".mo")
    if not mo.exists():
        return False
    with tempfile.TemporaryDirectory(prefix="catalogue-") as work:
        return _catalog(compile_mo(catalogue, Path(work) / "django.mo")) == _catalog(mo)


def update(root: Path | None = None) -> Path:
    """The .po again from the code (new strings added untranslated, gone ones dropped), and the .mo compiled."""
    root = Path(root or settings.BASE_DIR)
    with chdir(root):
        call_command("makemessages", **MAKEMESSAGES)
    po = catalogue_path(root)
    # No creation date: it would change on every run and make every branch's catalogue clash at a merge.
    po.write_text(
        re.sub(r'^"POT-Creation-Date: .*\\n"\n', "", po.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8"
    )
    compile_mo(po)
    return po
