#!/usr/bin/env bash
# Nightly backup: the database and the uploaded attachments. Keep 14 days.
set -euo pipefail
dest=${BACKUP_DIR:-/var/backups/schooldesk}/$(date +%F)
mkdir -p "$dest"
if [ -n "${DATABASE_URL:-}" ]; then
  pg_dump --format=custom "$DATABASE_URL" > "$dest/schooldesk.dump"
else
  sqlite3 "${SCHOOLDESK_VAR_DIR:-var}/schooldesk.sqlite3" ".backup '$dest/schooldesk.sqlite3'"
fi
tar -czf "$dest/media.tar.gz" -C "${SCHOOLDESK_MEDIA_ROOT:-${SCHOOLDESK_VAR_DIR:-var}/media}" .
find "$(dirname "$dest")" -maxdepth 1 -type d -mtime +14 -exec rm -rf {} +
