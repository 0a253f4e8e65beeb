"""Drop-down option lists read once and kept in Django's cache (issue 23): a list page's filters (rooms,
categories, asset types, suppliers, technicians, schools) were a fifth of its time, most of it making model
instances of the same rows on every request.

What makes a list safe to share between requests is its key: the exact SQL and parameters of the drop-down's
query (so the school ids, the person's role and whatever else decides who sees what are in it, as they are in the
query), the language, and a version for every table the SQL names. A list is cached only when every table it
reads is one of `WATCHED` below; a save or delete of a row of those tables (signals, connected in
`CoreConfig.ready`) gives the table a new version, at once and again when the transaction commits, so the next
request reads the rows again. Services that write those tables in bulk (no signals) call `forget_choices`.
A version is a fresh random token, never a counter: a version the cache has dropped cannot come back as an old one.
`CHOICES_SECONDS` bounds what anything else could miss (a migration, a shell).
"""

import hashlib
import re
import secrets
from functools import cache as once

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

#: the models whose rows fill the desk's drop-downs (as "app_label.Model": core imports no domain app)
WATCHED = (
    "schools.School",
    "schools.Organisation",
    "locations.Location",
    "incidents.Category",
    "assets.AssetType",
    "suppliers.Supplier",
    "accounts.User",
    "accounts.Membership",
)
#: fields saved on their own that no option list shows
UNSEEN_FIELDS = frozenset({"last_login"})
CHOICES_SECONDS = 10 * 60
VERSION_KEY = "choices:version:{table}"
QUOTED = re.compile(r'"([^"]+)"')


@once
def watched_tables() -> frozenset[str]:
    return frozenset(apps.get_model(label)._meta.db_table for label in WATCHED)


@once
def model_tables() -> frozenset[str]:
    return frozenset(model._meta.db_table for model in apps.get_models(include_auto_created=True))


def _new_versions(tables) -> None:
    cache.set_many({VERSION_KEY.format(table=table): secrets.token_hex(8) for table in tables}, None)


def forget_choices(*models) -> None:
    """The option lists that read these models' tables are read again (for writes that send no signal)."""
    tables = [model._meta.db_table for model in models]
    _new_versions(tables)
    transaction.on_commit(lambda: _new_versions(tables))  # and not refilled from before the commit


def _changed(sender, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= UNSEEN_FIELDS:
        return  # signing in: no drop-down shows it
    if sender._meta.db_table in watched_tables():
        forget_choices(sender)


def _m2m_changed(sender, action, **kwargs) -> None:
    if action.startswith("post_") and sender._meta.db_table in watched_tables():
        forget_choices(sender)


def connect() -> None:
    """Listen for changes to the watched tables (`CoreConfig.ready`: every web and worker process)."""
    post_save.connect(_changed, dispatch_uid="choice_cache.saved")
    post_delete.connect(_changed, dispatch_uid="choice_cache.deleted")
    m2m_changed.connect(_m2m_changed, dispatch_uid="choice_cache.m2m")


def _versions(tables: list[str]) -> list[str]:
    keys = [VERSION_KEY.format(table=table) for table in tables]
    found = cache.get_many(keys)
    missing = [table for table, key in zip(tables, keys, strict=True) if key not in found]
    if missing:
        _new_versions(missing)
        found = cache.get_many(keys)
    return [str(found.get(key, "")) for key in keys]


def cached_rows(queryset, build, *, kind: str) -> list:
    """`build(queryset)` (a list of plain values: (value, label) pairs), from the cache when the same query over
    the same versions of its tables was built before. `kind` names what `build` makes of the rows (two builders
    over one query keep two lists). A query that reads a table nobody watches is built every time."""
    return cached_rows_and_key(queryset, build, kind=kind)[0]


def cached_rows_and_key(queryset, build, *, kind: str) -> tuple[list, str | None]:
    """`cached_rows`, and the key the rows are kept under (None when they are not): the same key, the same rows,
    in the same language; what is drawn from them alone may be kept under it too."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # `pk__in=[]`: nothing to read
        return build(queryset), None
    named = set(QUOTED.findall(sql))
    tables = sorted(named & model_tables())
    if not tables or not set(tables) <= watched_tables():
        return build(queryset), None
    versions = _versions(tables)
    if not all(versions):
        return build(queryset), None
    digest = hashlib.sha256(repr((kind, queryset.db, sql, params, get_language())).encode()).hexdigest()
    key = f"choices:{digest}:{hashlib.sha256(':'.join(versions).encode()).hexdigest()[:16]}"
    rows = cache.get(key)
    if rows is None:
        rows = build(queryset)
        cache.set(key, rows, CHOICES_SECONDS)
    return rows, key
