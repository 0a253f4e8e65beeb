"""Backups that are restored: one dated archive (tar.gz, optionally encrypted) holding a consistent copy of the
database and the uploaded files, with a manifest; and the restore of such an archive into an empty database and
media directory. `manage.py desk_backup` and `manage.py desk_restore` call these; /health/ reads the outcome.

- SQLite: Python's online backup API (sqlite3 `Connection.backup`), a consistent snapshot while the desk runs (a
  file copy of a live WAL database is not). PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore`.
- The uploads are added after the database snapshot: a file uploaded in between is kept without its row (harmless).
- Encryption (SCHOOLDESK_BACKUP_PASSPHRASE_FILE): `openssl enc` AES-256-CBC with a PBKDF2 key. It keeps the archive
  confidential, not tamper-proof; the restore checks the database file's SHA-256 from the manifest and gzip checks
  the rest.
- The outcome of the last run is kept in Huey's storage beside the worker's heartbeat (Redis for an LA), so every
  web machine's /health/ sees it.
"""

import fcntl
import gzip
import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import tomllib
import zlib
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, connection
from django.db.utils import ConnectionHandler
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

FORMAT = "schooldesk-backup"
FORMAT_VERSION = 1
PREFIX = "schooldesk-"
SUFFIXES = (".tar.gz", ".tar.gz.enc")
STATUS_KEY = "schooldesk:last-backup"
OPENSSL_CIPHER = ["-aes-256-cbc", "-pbkdf2", "-iter", "200000", "-md", "sha256"]
ENCRYPTED_MAGIC = b"Salted__"  # how every `openssl enc -salt` output begins


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why, for the person running it."""


# --- making a backup ---------------------------------------------------------------------------------------------
def backup_run(*, directory: Path, keep: int, passphrase_file: Path | None = None) -> Path:
    """What the nightly job does: make a backup, record the outcome for /health/ and, when it fails, tell the
    installation's administrators by email. Raises BackupError when it fails."""
    try:
        archive = backup_create(directory=directory, keep=keep, passphrase_file=passphrase_file)
    except Exception as exc:  # whatever fails is reported, then raised again
        error = str(exc) if isinstance(exc, BackupError) else f"{type(exc).__name__}: {exc}"
        _status_record_safely(ok=False, error=error)
        backup_failure_notify(error=error, directory=directory)
        raise BackupError(error) from exc
    _status_record_safely(ok=True, archive=archive)
    return archive


def backup_failure_notify(*, error: str, directory: Path) -> int:
    """Email the administrators (SCHOOLDESK_ADMIN_EMAIL, else the desk's superusers) that the backup failed."""
    recipients = backup_admins()
    if not recipients:
        logger.error("The backup failed and no administrator's address is known (SCHOOLDESK_ADMIN_EMAIL): %s", error)
        return 0
    subject = _("SchoolDesk: the backup failed")
    body = _(
        "The backup of the desk at %(site)s failed at %(time)s.\n\n%(error)s\n\n"
        "Backups are written to %(directory)s. Until a backup succeeds, /health/ reports it as failing. "
        "See README.md, Deployment, for how to run it by hand."
    ) % {
        "site": settings.SCHOOLDESK_SITE_URL,
        "time": date_format(timezone.localtime(), "DATETIME_FORMAT"),
        "error": error,
        "directory": directory,
    }
    try:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # the mail server may be what is down: say so where the job's log is read
        logger.exception("The backup failed and the email to %s could not be sent", ", ".join(recipients))
        return 0


def backup_admins() -> list[str]:
    if settings.SCHOOLDESK_ADMIN_EMAIL:
        return list(settings.SCHOOLDESK_ADMIN_EMAIL)
    from django.contrib.auth import get_user_model

    try:
        superusers = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="")
        return sorted(set(superusers.values_list("email", flat=True)))
    except DatabaseError:  # the database may be what failed
        return []


def _status_record_safely(**outcome) -> None:
    try:
        backup_status_record(**outcome)
    except Exception:  # the queue storage down: /health/ says so itself; the backup's own outcome stands
        logger.exception("The backup's outcome could not be recorded for /health/")


def backup_create(*, directory: Path, keep: int, passphrase_file: Path | None = None, now=None) -> Path:
    """Write one archive into `directory`, keep the newest `keep` archives there, and return the new one's path."""
    if keep < 1:
        raise BackupError("keep at least one backup")
    directory = Path(directory)
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot create the backup directory {directory}: {exc}") from exc
    passphrase = _passphrase_checked(passphrase_file)
    now = now or datetime.now(UTC)
    name = f"{PREFIX}{now:%Y-%m-%dT%H%M%SZ}" + (SUFFIXES[1] if passphrase else SUFFIXES[0])
    final = directory / name
    with _lock(directory), tempfile.TemporaryDirectory(prefix=".schooldesk-backup-", dir=directory) as scratch:
        scratch = Path(scratch)
        database = _database_snapshot(scratch)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": now.isoformat(timespec="seconds"),
            "app_version": app_version(),
            "site_url": settings.SCHOOLDESK_SITE_URL,
            "database": {
                "kind": connection.vendor,
                "file": database.name,
                "bytes": database.stat().st_size,
                "sha256": _sha256(database),
            },
            "migrations": _latest_migrations(),
            "media": _media_summary(Path(settings.MEDIA_ROOT)),
        }
        archive = scratch / "archive.tar.gz"
        with _private_file(archive) as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
            tar.add(database, arcname=database.name)
            if Path(settings.MEDIA_ROOT).is_dir():
                tar.add(settings.MEDIA_ROOT, arcname="media")
        if passphrase:
            encrypted = scratch / "archive.tar.gz.enc"
            _private_file_touch(encrypted)
            _run(
                [
                    "openssl",
                    "enc",
                    "-e",
                    "-salt",
                    *OPENSSL_CIPHER,
                    "-in",
                    str(archive),
                    "-out",
                    str(encrypted),
                    "-pass",
                    f"file:{passphrase}",
                ],
                "openssl enc",
            )
            archive = encrypted
        os.replace(archive, final)  # the archive appears whole or not at all
    backups_prune(directory=directory, keep=keep)
    return final


def backups_prune(*, directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` archives (by the date in their names); other files are left alone."""
    archives = sorted(p for p in Path(directory).iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIXES))
    removed = archives[:-keep] if keep else archives
    for path in removed:
        path.unlink()
    return removed


def _database_snapshot(scratch: Path) -> Path:
    if connection.vendor == "sqlite":
        target = scratch / "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # one step: a consistent snapshot; WAL lets the desk write meanwhile
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError("the copy of the database fails SQLite's integrity check")
        finally:
            copy.close()
        return target
    if connection.vendor == "postgresql":
        target = scratch / "database.pgdump"
        _run(
            ["pg_dump", "--format=custom", "--no-password", f"--file={target}"],
            "pg_dump",
            env=libpq_env(connection.settings_dict),
        )
        return target
    raise BackupError(f"backing up a {connection.vendor} database is not supported")


def _latest_migrations() -> dict[str, str]:
    """The last migration applied in each app: which code the backup belongs to."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        return dict(cursor.fetchall())


def _media_summary(root: Path) -> dict:
    files = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
    tar.addfile(info, fileobj=io.BytesIO(data))


# --- restoring ---------------------------------------------------------------------------------------------------
def backup_restore(
    *, archive: Path, database: dict, media_root: Path, passphrase_file: Path | None = None, force: bool = False
) -> dict:
    """Restore `archive` into `database` (a Django DATABASES entry) and `media_root`. Both must be empty unless
    `force`. Returns the archive's manifest."""
    archive, media_root = Path(archive), Path(media_root)
    if not archive.is_file():
        raise BackupError(f"no such archive: {archive}")
    if not force:
        tables = database_tables(database)
        if tables:
            raise BackupError(
                f"the database {database_label(database)} is not empty ({len(tables)} tables): "
                "restore into an empty one, or pass --force to restore over it"
            )
        if media_root.is_dir() and any(media_root.iterdir()):
            raise BackupError(
                f"the media directory {media_root} is not empty: restore into an empty one, or pass "
                "--force to restore over it"
            )
    with tempfile.TemporaryDirectory(prefix="schooldesk-restore-") as scratch:
        scratch = Path(scratch)
        plain = _decrypted(archive, scratch, passphrase_file)
        try:
            with tarfile.open(plain, mode="r:gz") as tar:
                tar.getmembers()  # the whole archive read, gzip's checksum with it, before anything is restored
                return _restore_from(tar, scratch=scratch, database=database, media_root=media_root, force=force)
        except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
            hint = ", or the passphrase is wrong" if plain != archive else ""
            raise BackupError(f"the archive cannot be read ({exc}): it is damaged{hint}") from exc


def _restore_from(tar: tarfile.TarFile, *, scratch: Path, database: dict, media_root: Path, force: bool) -> dict:
    manifest = _manifest(tar)
    kind, name = manifest["database"]["kind"], manifest["database"]["file"]
    target_kind = _vendor(database)
    if kind != target_kind:
        raise BackupError(f"the archive holds a {kind} database; the target is {target_kind}")
    tar.extract(name, scratch, filter="data")
    if _sha256(scratch / name) != manifest["database"]["sha256"]:
        raise BackupError("the database in the archive does not match its checksum: the archive is damaged")
    if kind == "sqlite":
        _sqlite_restore(scratch / name, Path(database["NAME"]))
    else:
        _postgresql_restore(scratch / name, database, clean=force)
    media_root.mkdir(parents=True, exist_ok=True)
    tar.extractall(media_root, members=_media_members(tar), filter="data")
    return manifest


def _decrypted(archive: Path, scratch: Path, passphrase_file: Path | None) -> Path:
    with archive.open("rb") as raw:
        encrypted = raw.read(len(ENCRYPTED_MAGIC)) == ENCRYPTED_MAGIC
    if not encrypted:
        return archive
    if passphrase_file is None:
        raise BackupError(
            "the archive is encrypted: give the passphrase file (--passphrase-file or "
            "SCHOOLDESK_BACKUP_PASSPHRASE_FILE)"
        )
    passphrase = _passphrase_checked(passphrase_file)
    plain = scratch / "archive.tar.gz"
    _private_file_touch(plain)
    _run(
        [
            "openssl",
            "enc",
            "-d",
            *OPENSSL_CIPHER,
            "-in",
            str(archive),
            "-out",
            str(plain),
            "-pass",
            f"file:{passphrase}",
        ],
        "openssl enc -d (is it the right passphrase?)",
    )
    return plain


def _manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(tar.extractfile("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise BackupError("this is not a SchoolDesk backup: it has no readable manifest.json") from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError("this is not a SchoolDesk backup this version can read")
    return manifest


def _media_members(tar: tarfile.TarFile):
    for member in tar.getmembers():
        if member.name.startswith("media/"):
            member.name = member.name.removeprefix("media/")
            yield member


def _sqlite_restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)  # through SQLite, so a target in WAL mode is replaced whole, its -wal file included
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        src.close()
        dst.close()


def _postgresql_restore(dump: Path, database: dict, *, clean: bool) -> None:
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password"]
    if clean:
        options += ["--clean", "--if-exists"]
    env = libpq_env(database)
    _run(["pg_restore", *options, f"--dbname={env['PGDATABASE']}", str(dump)], "pg_restore", env=env)


# --- the target database -----------------------------------------------------------------------------------------
def database_from(url: str | None) -> dict:
    """The DATABASES entry to restore into: DATABASE_URL-style `url`, else this desk's own database."""
    return dj_database_url.parse(url) if url else dict(settings.DATABASES["default"])


def _vendor(database: dict) -> str:
    engine = database["ENGINE"]
    if "sqlite" in engine:
        return "sqlite"
    if "postgres" in engine:
        return "postgresql"
    return engine


def database_label(database: dict) -> str:
    """A name for messages, without the password."""
    if _vendor(database) == "sqlite":
        return str(database["NAME"])
    return f"{database['NAME']} on {database.get('HOST') or 'localhost'}"


@contextmanager
def database_connection(database: dict):
    """A Django connection to `database` of its own, outside the desk's configured ones."""
    target = ConnectionHandler({"default": dict(database)})["default"]
    try:
        yield target
    finally:
        target.close()


def database_tables(database: dict) -> list[str]:
    if _vendor(database) == "sqlite" and not Path(database["NAME"]).exists():
        return []
    with database_connection(database) as target:
        return target.introspection.table_names()


def libpq_env(database: dict) -> dict:
    """pg_dump's and pg_restore's connection, by environment (never a password on a command line)."""
    env = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    options = database.get("OPTIONS") or {}
    for key, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(key):
            env[variable] = str(options[key])
    return env


# --- the last outcome, for /health/ --------------------------------------------------------------------------------
def backup_status_record(*, ok: bool, archive: Path | None = None, error: str = "", at: float | None = None) -> dict:
    from huey.contrib.djhuey import HUEY

    at = at or time.time()
    status = HUEY.get(STATUS_KEY, peek=True) or {}
    status.update({"attempt_at": at, "ok": ok, "error": error})
    if ok:
        status.update({"success_at": at, "archive": archive.name, "bytes": archive.stat().st_size})
    HUEY.put(STATUS_KEY, status)
    return status


def backup_status() -> dict | None:
    from huey.contrib.djhuey import HUEY

    return HUEY.get(STATUS_KEY, peek=True)


def backup_health() -> dict:
    """/health/'s "backup" check: the last run succeeded and the last success is recent. No path, no message."""
    limit = settings.SCHOOLDESK_BACKUP_MAX_AGE_HOURS * 3600
    status = backup_status()
    if not status:
        return {"ok": False, "error": "no backup yet"}
    check = {"ok": True, "max_age_seconds": limit}
    if status.get("success_at"):
        check["last_backup_age_seconds"] = age = max(0, round(time.time() - status["success_at"]))
        check["last_backup_bytes"] = status["bytes"]
        if age > limit:
            check.update(ok=False, error="the last backup is too old")
    else:
        check.update(ok=False, error="no backup has succeeded yet")
    if not status["ok"]:
        check.update(ok=False, error="the last backup failed")
    return check


# --- helpers -----------------------------------------------------------------------------------------------------
def app_version() -> str:
    try:
        with (settings.BASE_DIR / "pyproject.toml").open("rb") as raw:
            return tomllib.load(raw)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _passphrase_checked(path: Path | None) -> Path | None:
    if not path:
        return None
    path = Path(path)
    try:
        if not path.read_text().strip():
            raise BackupError(f"the passphrase file {path} is empty")
    except OSError as exc:
        raise BackupError(f"cannot read the passphrase file {path}: {exc.strerror}") from exc
    if not shutil.which("openssl"):
        raise BackupError("encryption needs openssl (apt-get install openssl)")
    return path


def _run(command: list[str], what: str, env: dict | None = None) -> None:
    if not shutil.which(command[0]):
        raise BackupError(f"{command[0]} is not installed")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-500:]}")


@contextmanager
def _private_file(path: Path):
    """A new file only its owner can read: the archive holds password hashes and mailbox passwords."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw:
        yield raw


def _private_file_touch(path: Path) -> None:
    """An empty private file for a program (openssl) to write into: it keeps the mode."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))


@contextmanager
def _lock(directory: Path):
    with (directory / ".lock").open("w") as raw:
        try:
            fcntl.flock(raw, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BackupError(f"another backup is writing to {directory}") from exc
        yield


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
