"""Backups that are restored: `manage.py desk_backup` then `manage.py desk_restore` into an empty database and media
directory give back every call, attachment and stored secret; a failed or old backup shows on /health/ and is emailed
to the administrators. The round trip runs on the suite's database: SQLite in `make test`, PostgreSQL in
`make test-postgres` (with scratch databases of its own)."""

import shutil
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from schooldesk.core.backup import (
    STATUS_KEY,
    backup_status_record,
    backups_prune,
    database_connection,
    database_from,
)
from schooldesk.core.fields import decrypt_secret
from schooldesk.core.tasks import HEARTBEAT_KEY, worker_heartbeat_task
from schooldesk.incidents.models import Attachment
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.mail.tests.factories import MailboxFactory

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
PDF = b"%PDF-1.7\n" + b"invoice " * 100
MAILBOX_PASSWORD = "imap-Secret-4711"  # noqa: S105


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def no_status():
    for key in (STATUS_KEY, HEARTBEAT_KEY):  # the tests' queue storage lives as long as the process
        HUEY.delete(key)
    yield
    for key in (STATUS_KEY, HEARTBEAT_KEY):
        HUEY.delete(key)


@pytest.fixture
def passphrase(tmp_path) -> Path:
    path = tmp_path / "passphrase"
    path.write_text("correct horse battery staple\n")
    return path


def a_desk(cast) -> None:
    """Calls with attachments (one on a reply), and a mailbox with its stored password."""
    IncidentFactory(
        school=cast.school,
        by=cast.reporter,
        summary="Whiteboard in 4B is blank",
        files=[SimpleUploadedFile("Board.png", PNG, content_type="image/png")],
    )
    IncidentFactory(
        school=cast.school,
        by=cast.spoc,
        summary="Invoice for the new laptops",
        files=[SimpleUploadedFile("invoice.pdf", PDF), SimpleUploadedFile("notes.txt", b"Two of ten\n")],
    )
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Printer jams on A3")
    MailboxFactory(
        school=cast.school, host="imap.example.sch.uk", username="desk@oak.example", password=MAILBOX_PASSWORD
    )


def rows(target, table: str) -> list:
    with target.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {target.ops.quote_name(table)}")  # noqa: S608 - a table name we listed
        return sorted(cursor.fetchall(), key=repr)


def back_up_and_restore(tmp_path, passphrase, database_url: str) -> Path:
    """Back up this desk through the command, restore it through the other into `database_url` and an empty media
    directory, and check that what came back is what there was: every table row for row, every file byte for byte."""
    call_command("desk_backup", "--dir", str(tmp_path / "backups"), "--passphrase-file", str(passphrase))
    [archive] = (tmp_path / "backups").glob("schooldesk-*.tar.gz.enc")
    assert archive.stat().st_mode & 0o077 == 0  # holds password hashes and mailbox passwords: its owner's only
    assert b"Whiteboard" not in archive.read_bytes()  # encrypted
    restored_media = tmp_path / "restored-media"
    (tmp_path / "wrong").write_text("incorrect horse\n")
    with pytest.raises(CommandError, match="The restore failed: .*(bad decrypt|the passphrase is wrong)"):
        call_command(
            "desk_restore",
            str(archive),
            "--database-url",
            database_url,
            "--media-root",
            str(restored_media),
            "--passphrase-file",
            str(tmp_path / "wrong"),
        )
    assert not restored_media.exists()
    call_command(
        "desk_restore",
        str(archive),
        "--database-url",
        database_url,
        "--media-root",
        str(restored_media),
        "--passphrase-file",
        str(passphrase),
    )

    target = database_from(database_url)
    with database_connection(target) as restored:
        tables = connection.introspection.table_names()
        assert tables and restored.introspection.table_names() == tables
        for table in tables:
            assert rows(restored, table) == rows(connection, table), table
        with restored.cursor() as cursor:
            cursor.execute("SELECT summary FROM incidents_incident ORDER BY summary")
            assert [summary for (summary,) in cursor.fetchall()] == [
                "Invoice for the new laptops",
                "Printer jams on A3",
                "Whiteboard in 4B is blank",
            ]
            cursor.execute("SELECT password FROM mail_mailbox")  # stored encrypted; the key gives it back
            assert [decrypt_secret(stored) for (stored,) in cursor.fetchall()] == [MAILBOX_PASSWORD]
    attachments = Attachment.objects.order_by("pk")
    assert attachments.count() == 3
    for attachment in attachments:
        assert (restored_media / attachment.file.name).read_bytes() == Path(attachment.file.path).read_bytes()
    assert {a.size for a in attachments} == {len(PNG), len(PDF), len(b"Two of ten\n")}

    # A second restore into what is now a desk is refused and changes nothing.
    with pytest.raises(CommandError, match="is not empty"):
        call_command(
            "desk_restore",
            str(archive),
            "--database-url",
            database_url,
            "--media-root",
            str(tmp_path / "empty-media"),
            "--passphrase-file",
            str(passphrase),
        )
    assert not (tmp_path / "empty-media").exists()
    return archive


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite run")
@pytest.mark.django_db(transaction=True)
def test_a_sqlite_desk_backed_up_and_restored_into_an_empty_one_is_whole(cast, tmp_path, passphrase):
    a_desk(cast)
    url = f"sqlite:///{tmp_path / 'restored' / 'schooldesk.sqlite3'}"
    archive = back_up_and_restore(tmp_path, passphrase, url)
    # --force restores over it, and the media directory's check is its own.
    (tmp_path / "restored-media" / "stray.txt").write_text("left from before")
    with pytest.raises(CommandError, match="media directory .* is not empty"):
        call_command(
            "desk_restore",
            str(archive),
            "--database-url",
            f"sqlite:///{tmp_path / 'new.sqlite3'}",
            "--media-root",
            str(tmp_path / "restored-media"),
            "--passphrase-file",
            str(passphrase),
        )
    call_command(
        "desk_restore",
        str(archive),
        "--database-url",
        url,
        "--media-root",
        str(tmp_path / "restored-media"),
        "--passphrase-file",
        str(passphrase),
        "--force",
    )


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL run")
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump and pg_restore")
@pytest.mark.django_db(transaction=True)
def test_a_postgresql_desk_backed_up_and_restored_into_an_empty_database_is_whole(cast, tmp_path, passphrase):
    a_desk(cast)
    source = connection.settings_dict
    scratch = f"{source['NAME']}_restored"
    credentials = source["USER"] + (f":{source['PASSWORD']}" if source["PASSWORD"] else "")
    url = f"postgres://{credentials}@{source['HOST'] or 'localhost'}:{source['PORT'] or 5432}/{scratch}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        back_up_and_restore(tmp_path, passphrase, url)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor != "sqlite", reason="one database is enough for the archive's shape")
@pytest.mark.django_db(transaction=True)
def test_an_unencrypted_archive_holds_a_manifest_the_database_and_the_uploads(cast, tmp_path, settings):
    import json
    import tarfile

    a_desk(cast)
    settings.SCHOOLDESK_BACKUP_DIR = str(tmp_path / "backups")
    call_command("desk_backup")
    [archive] = (tmp_path / "backups").glob("schooldesk-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[:2] == ["manifest.json", "database.sqlite3"]
    assert sum(name.startswith("media/attachments/") and "." in name for name in names) == 3
    assert manifest["database"]["kind"] == "sqlite" and manifest["app_version"] == "0.1.0"
    assert manifest["media"] == {"files": 3, "bytes": len(PNG) + len(PDF) + len(b"Two of ten\n")}
    assert manifest["migrations"]["incidents"].startswith("00")

    # A damaged archive (cut short, as by a full disk) is refused before anything is restored.
    damaged = tmp_path / "schooldesk-damaged.tar.gz"
    damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
    with pytest.raises(CommandError, match="cannot be read .*: it is damaged"):
        call_command(
            "desk_restore",
            str(damaged),
            "--database-url",
            f"sqlite:///{tmp_path / 'new.sqlite3'}",
            "--media-root",
            str(tmp_path / "new-media"),
        )
    assert not (tmp_path / "new.sqlite3").exists() and not (tmp_path / "new-media").exists()


def test_only_the_newest_archives_are_kept_and_nothing_else_is_removed(tmp_path):
    names = [f"schooldesk-2026-12-0{day}T013000Z.tar.gz" for day in (3, 1, 4, 2)] + ["notes.txt", "2026-11-30"]
    for name in names:
        (tmp_path / name).write_text("x")
    removed = backups_prune(directory=tmp_path, keep=2)
    assert [p.name for p in removed] == ["schooldesk-2026-12-01T013000Z.tar.gz", "schooldesk-2026-12-02T013000Z.tar.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2026-11-30",
        "notes.txt",
        "schooldesk-2026-12-03T013000Z.tar.gz",
        "schooldesk-2026-12-04T013000Z.tar.gz",
    ]


# --- /health/ and the administrators ----------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_a_failed_backup_fails_health_and_is_emailed_until_one_succeeds(client, settings, tmp_path):
    settings.SCHOOLDESK_ADMIN_EMAIL = ["ict@oak.example"]
    (tmp_path / "disk").write_text("not a directory: as if the backup disk were not mounted")
    settings.SCHOOLDESK_BACKUP_DIR = str(tmp_path / "disk" / "backups")
    worker_heartbeat_task()
    mail.outbox.clear()
    with pytest.raises(CommandError, match="The backup failed: cannot create the backup directory"):
        call_command("desk_backup")
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["backup"]
    assert response.json()["checks"]["backup"] == {
        "ok": False,
        "error": "the last backup failed",
        "max_age_seconds": 26 * 3600,
    }
    [email] = mail.outbox
    assert email.to == ["ict@oak.example"] and "backup failed" in email.subject
    assert "cannot create the backup directory" in email.body and str(tmp_path / "disk") in email.body

    settings.SCHOOLDESK_BACKUP_DIR = str(tmp_path / "backups")
    call_command("desk_backup")
    body = client.get(reverse("health")).json()
    assert body["status"] == "ok" and body["checks"]["backup"]["last_backup_age_seconds"] < 60
    assert len(mail.outbox) == 1

    # A failure after a good backup: the last run counts, not the last success.
    (tmp_path / "passphrase").write_text("")
    settings.SCHOOLDESK_BACKUP_PASSPHRASE_FILE = str(tmp_path / "passphrase")
    with pytest.raises(CommandError, match="passphrase file .* is empty"):
        call_command("desk_backup")
    response = client.get(reverse("health"))
    assert response.status_code == 503 and response.json()["checks"]["backup"]["error"] == "the last backup failed"
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_backup_too_old_fails_health(client, settings, tmp_path):
    settings.SCHOOLDESK_BACKUP_DIR = str(tmp_path)
    settings.SCHOOLDESK_BACKUP_MAX_AGE_HOURS = 26
    worker_heartbeat_task()
    (tmp_path / "schooldesk-x.tar.gz").write_bytes(b"x" * 10)
    backup_status_record(ok=True, archive=tmp_path / "schooldesk-x.tar.gz", at=time.time() - 27 * 3600)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    check = response.json()["checks"]["backup"]
    assert check.pop("last_backup_age_seconds") in {27 * 3600, 27 * 3600 + 1}
    assert check == {
        "ok": False,
        "error": "the last backup is too old",
        "max_age_seconds": 26 * 3600,
        "last_backup_bytes": 10,
    }


@pytest.mark.django_db
def test_without_backups_configured_health_does_not_ask_for_one(client, settings):
    settings.SCHOOLDESK_BACKUP_DIR = ""
    worker_heartbeat_task()
    response = client.get(reverse("health"))
    assert response.status_code == 200 and "backup" not in response.json()["checks"]


@pytest.mark.django_db
def test_without_admins_the_failure_goes_to_the_superusers(cast, settings, tmp_path):
    settings.SCHOOLDESK_ADMIN_EMAIL = []
    cast.owner.is_superuser = True
    cast.owner.save()
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError):
        call_command("desk_backup", "--dir", str(tmp_path / "file" / "backups"))
    assert [m.to for m in mail.outbox] == [[cast.owner.email]]
