"""`manage.py desk_backup`: one dated archive of the database and the uploaded files (schooldesk/core/backup.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from schooldesk.core.backup import BackupError, backup_run


class Command(BaseCommand):
    help = (
        "Back up the desk while it runs: a consistent copy of the database (SQLite's online backup, or pg_dump) and "
        "the uploaded files in one dated archive with a manifest, encrypted when a passphrase file is set. Keeps "
        "the newest archives, records the outcome for /health/ and emails the administrators when it fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", type=Path, default=None, help="Where the archives go (default: SCHOOLDESK_BACKUP_DIR)."
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=settings.SCHOOLDESK_BACKUP_KEEP,
            help="How many archives to keep, the newest (default: SCHOOLDESK_BACKUP_KEEP, %(default)s).",
        )
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            default=None,
            help="Encrypt with the passphrase on this file's first line "
            "(default: SCHOOLDESK_BACKUP_PASSPHRASE_FILE; none: not encrypted).",
        )

    def handle(self, *args, dir=None, keep, passphrase_file=None, **options):  # noqa: A002 - the option's name
        directory = dir or settings.SCHOOLDESK_BACKUP_DIR
        if not directory:
            raise CommandError("Say where the backups go: set SCHOOLDESK_BACKUP_DIR or pass --dir.")
        passphrase_file = passphrase_file or settings.SCHOOLDESK_BACKUP_PASSPHRASE_FILE or None
        try:
            archive = backup_run(directory=Path(directory), keep=keep, passphrase_file=passphrase_file)
        except BackupError as exc:
            raise CommandError(f"The backup failed: {exc}") from exc
        size = archive.stat().st_size
        encrypted = "encrypted" if passphrase_file else "not encrypted"
        self.stdout.write(f"Backed up to {archive} ({size / 1e6:.1f} MB, {encrypted}).")
