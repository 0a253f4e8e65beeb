"""`manage.py desk_restore ARCHIVE`: a backup from desk_backup into an empty database and media directory."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from schooldesk.core.backup import BackupError, backup_restore, database_from, database_label


class Command(BaseCommand):
    help = (
        "Restore an archive made by desk_backup into this desk's database and media directory (or the ones given), "
        "which must be empty unless --force. Stop the web and worker units first; run migrate afterwards when the "
        "code is newer than the backup."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The archive (schooldesk-....tar.gz or .tar.gz.enc).")
        parser.add_argument(
            "--database-url",
            default=None,
            help="Restore into this database instead (e.g. a scratch one for a restore drill): "
            "sqlite:////path/file.sqlite3 or postgres://user:pass@host/name.",
        )
        parser.add_argument(
            "--media-root", type=Path, default=None, help="Restore the uploaded files here instead of MEDIA_ROOT."
        )
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            default=None,
            help="For an encrypted archive (default: SCHOOLDESK_BACKUP_PASSPHRASE_FILE).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Restore over a database and media directory that are not empty."
        )

    def handle(self, *args, archive, database_url=None, media_root=None, passphrase_file=None, force=False, **options):
        database = database_from(database_url)
        media_root = media_root or Path(settings.MEDIA_ROOT)
        passphrase_file = passphrase_file or settings.SCHOOLDESK_BACKUP_PASSPHRASE_FILE or None
        try:
            manifest = backup_restore(
                archive=archive, database=database, media_root=media_root, passphrase_file=passphrase_file, force=force
            )
        except BackupError as exc:
            raise CommandError(f"The restore failed: {exc}") from exc
        media = manifest["media"]
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} (SchoolDesk {manifest['app_version']}): the "
            f"{manifest['database']['kind']} database into {database_label(database)}, {media['files']} uploaded "
            f"files into {media_root}. Run manage.py migrate if this code is newer than the backup."
        )
