#!/usr/bin/env bash
# make upgrade-check [FROM=v0.1.0]: a desk made by an earlier release, upgraded to this code and used. The release's
# own code (git archive of the tag) migrates a new SQLite database and loads its demo data; this checkout's
# migrate then brings that database up to date, and deploy/upgrade_check.py signs in as every demo login and loads
# its home page and the pages it links to, expecting each to answer 200. Both halves run with this checkout's venv
# (the release's dependencies are the same pins). Everything lives in a temporary directory, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
from=${1:-v0.1.0}
# A clone made without tags still has the release's commit (CHANGELOG.md names it).
if [ "$from" = v0.1.0 ] && ! git rev-parse -q --verify "v0.1.0^{commit}" >/dev/null; then
  from=5e0e708544437b17058b1017a77bb143451bde47
fi
py=${PYTHON:-$root/.venv/bin/python}
began=$(date +%s)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/schooldesk-upgrade-check.XXXXXX")
trap 'status=$?; [ $status -ne 0 ] && echo "upgrade-check FAILED after $(( $(date +%s) - began )) s"; rm -rf "$tmp"; exit $status' EXIT
step() { echo "== [$(( $(date +%s) - began )) s] $*"; }

# One SQLite database and queue for both halves; nothing from this machine's own settings.
unset DATABASE_URL REDIS_URL EMAIL_HOST SCHOOLDESK_PRODUCTION SCHOOLDESK_MEDIA_ROOT DJANGO_ALLOWED_HOSTS PYTEST_VERSION
export SCHOOLDESK_VAR_DIR="$tmp/var" DJANGO_SETTINGS_MODULE=config.settings

step "$from ($(git rev-parse --short "$from^{commit}")): its code from git archive"
mkdir "$tmp/release"
git archive "$from" | tar -x -C "$tmp/release"

step "$from: migrate and demo_seed, as its make run did"
(cd "$tmp/release" && "$py" -c 'import schooldesk, sys; sys.exit(not schooldesk.__file__.startswith(sys.argv[1]))' \
  "$tmp/release/" || { echo "the release's manage.py would import this checkout's code"; exit 1; })
(cd "$tmp/release" && "$py" manage.py migrate --noinput -v0 && "$py" manage.py demo_seed) > "$tmp/release.log" 2>&1 \
  || { tail -n 40 "$tmp/release.log"; exit 1; }
tail -n 1 "$tmp/release.log"

step "this code: migrate the same database"
"$py" manage.py migrate --noinput | grep -E "^  Applying|No migrations" || true

step "this code: every demo login signs in and loads its pages"
"$py" deploy/upgrade_check.py
step "upgrade-check passed: $from to $(git describe --tags --always --dirty)"
