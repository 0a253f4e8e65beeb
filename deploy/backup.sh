#!/usr/bin/env bash
# One backup now: `manage.py desk_backup` with the desk's settings, as the desk's user (deploy/manage). One dated
# archive of the database and the uploads in SCHOOLDESK_BACKUP_DIR (BACKUP_DIR overrides it; without either,
# /var/backups/schooldesk), the newest SCHOOLDESK_BACKUP_KEEP (14) kept. schooldesk-backup.timer runs the same
# command every night; this is for by hand or cron:
#   set -a; . /etc/schooldesk/env; /srv/schooldesk/deploy/backup.sh
# Further arguments go to desk_backup (--keep 30, --passphrase-file FILE).
set -euo pipefail
here=$(dirname "$0")
env_file=${SCHOOLDESK_ENV_FILE:-/etc/schooldesk/env}
dir=${BACKUP_DIR:-$(set -a; . "$env_file"; echo "${SCHOOLDESK_BACKUP_DIR:-/var/backups/schooldesk}")}
exec "$here/manage" desk_backup --dir "$dir" "$@"
