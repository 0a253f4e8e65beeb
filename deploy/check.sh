#!/usr/bin/env bash
# make deploy-check: the production configuration built as README.md's Deployment section builds it, from the
# shipped files (deploy/env.example, the systemd units' commands, gunicorn.conf.py, nginx.conf.example) with
# only names, ports and paths substituted, started for real on loopback ports behind Debian's nginx with a
# throwaway certificate, then checked as a browser meets it (deploy/check.py). Everything lives in a temporary
# directory; what is started is stopped by its PID, whatever happens. It also makes a backup (deploy/backup.sh)
# and restores it into a scratch desk. Needs nginx and openssl (the Makefile installs them when missing). The
# Python packages are a school's server's: requirements/lock.txt, installed by the Makefile's rule into a venv in
# the temporary directory. What differs from a server: no systemd (the units' commands are run as they stand)
# and no user of its own (everything runs as whoever runs the check).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
began=$(date +%s.%N)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/schooldesk-deploy-check.XXXXXX")
chmod 711 "$tmp"  # nginx's workers (nobody or www-data when run as root) reach their temporary files in it
pids=()

stop() {
  local status=$? pid
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    for log in "$tmp"/*.log "$tmp"/nginx/error.log; do
      [ -s "$log" ] && { echo "== last lines of ${log#"$tmp"/}"; tail -n 30 "$log"; }
    done
    echo "deploy-check FAILED after $(elapsed) s"
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap stop EXIT
trap 'exit 130' INT TERM
elapsed() { python3 -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.0f}')" "$began"; }
step() { echo "== [$(elapsed) s] $*"; }

# The shipped units' commands, with this checkout for /srv/schooldesk and the server's venv made below for its .venv.
venv="$tmp/venv"
unit() { sed -n "s/^$2=//p" "deploy/$1" | sed -e "s#/srv/schooldesk/\.venv#$venv#g" -e "s#/srv/schooldesk#$root#g"; }
read -r app_port https_port http_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
base="https://localhost:$https_port"
nginx=$(command -v nginx || echo /usr/sbin/nginx)

step "a school's server install: make install's Python packages (requirements/lock.txt, hashes checked) in a venv of its own"
make --no-print-directory VENV="$venv" "$venv/.installed-lock.txt" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
"$venv/bin/python" -m pip list --format=freeze 2>/dev/null | grep -iq -E '^(pytest|playwright|ruff|psycopg|redis)=' \
  && { echo "a test tool or an LA package is in the school's install"; exit 1; }
echo "   $("$venv/bin/python" -m pip list --format=freeze 2>/dev/null | wc -l) packages, as locked"

step "environment file from deploy/env.example (secret key, host, site URL, var dir, port)"
secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
fernet=$(python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')
sed -e "s#^DJANGO_SECRET_KEY=.*#DJANGO_SECRET_KEY=$secret#" \
    -e "s#^SCHOOLDESK_SECRET_KEYS=.*#SCHOOLDESK_SECRET_KEYS=$fernet#" \
    -e "s#desk\.example\.sch\.uk#localhost#g" \
    -e "s#^SCHOOLDESK_SITE_URL=https://localhost\$#SCHOOLDESK_SITE_URL=$base#" \
    -e "s#^SCHOOLDESK_VAR_DIR=/var/lib/schooldesk\$#SCHOOLDESK_VAR_DIR=$tmp/var#" \
    -e "s#^SCHOOLDESK_WEB_BIND=127\.0\.0\.1:8000\$#SCHOOLDESK_WEB_BIND=127.0.0.1:$app_port#" \
    -e "s#^SCHOOLDESK_BACKUP_DIR=/var/backups/schooldesk\$#SCHOOLDESK_BACKUP_DIR=$tmp/backups#" \
    deploy/env.example > "$tmp/env"
mkdir -m 750 "$tmp/var"
set -a
. "$tmp/env"
set +a

step "the web unit's ExecStartPre: migrate, collectstatic"
while read -r command; do
  (set +u; eval "$command") >> "$tmp/prepare.log" 2>&1
  echo "   [$(elapsed) s] ${command#"$root"/}"
done < <(unit schooldesk-web.service ExecStartPre)
grep -E "static files? copied" "$tmp/prepare.log" || true
test -s "$tmp/var/staticfiles/staticfiles.json"

step "desk_init: the organisation, the school and a person in each role"
head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$tmp/password"
roles=(spoc technician reporter viewer dpo dsl provider)
people=()
for role in "${roles[@]}"; do people+=(--user "check.$role:$role"); done
SCHOOLDESK_ENV_FILE="$tmp/env" SCHOOLDESK_USER=$(id -un) SCHOOLDESK_VENV="$venv" deploy/manage desk_init \
  --organisation "Northbridge Borough Council" --school "Oakfield Primary School" --urn 100001 \
  --username check.owner --email owner@example.sch.uk --password-file "$tmp/password" "${people[@]}" \
  --supplier "Northbridge ICT" \
  > "$tmp/init.log" 2>&1 || { cat "$tmp/init.log"; exit 1; }
tail -n 1 "$tmp/init.log"

step "gunicorn (deploy/gunicorn.conf.py) on 127.0.0.1:$app_port and the worker, as the units start them"
# As systemd does, an unset variable in a command ($SCHOOLDESK_WORKER_ARGS) is no argument.
(set +u; eval "exec $(unit schooldesk-web.service ExecStart)") > "$tmp/web.log" 2>&1 &
pids+=($!)
(set +u; eval "exec $(unit schooldesk-worker.service ExecStart)") > "$tmp/worker.log" 2>&1 &
pids+=($!)
# A second worker as schooldesk-worker@2 starts it: it must not be a second scheduler.
(set +u; eval "exec $(unit schooldesk-worker@.service ExecStart)") > "$tmp/worker2.log" 2>&1 &
pids+=($!)

step "nginx with deploy/nginx.conf.example on 127.0.0.1:$https_port (TLS) and :$http_port, a throwaway certificate"
mkdir -p "$tmp/nginx"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$tmp/nginx/privkey.pem" -out "$tmp/nginx/fullchain.pem" 2> "$tmp/openssl.out" || { cat "$tmp/openssl.out"; exit 1; }
sed -e "s#listen 80;#listen 127.0.0.1:$http_port;#" \
    -e "s#listen 443 #listen 127.0.0.1:$https_port #" \
    -e "s#server 127\.0\.0\.1:8000;#server 127.0.0.1:$app_port;#" \
    -e "s#https://\$host\$request_uri#https://\$host:$https_port\$request_uri#" \
    -e "s#desk\.example\.sch\.uk#localhost#g" \
    -e "s#/etc/ssl/schooldesk/#$tmp/nginx/#g" \
    deploy/nginx.conf.example > "$tmp/nginx/schooldesk.conf"
cat > "$tmp/nginx/nginx.conf" <<EOF
# What Debian's /etc/nginx/nginx.conf gives a site, with this run's own files.
daemon off;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 128; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $tmp/nginx/access.log;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    include $tmp/nginx/schooldesk.conf;
}
EOF
"$nginx" -t -q -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf"
"$nginx" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" &
pids+=($!)

step "the first backup (deploy/backup.sh, what schooldesk-backup.timer runs nightly): /health/ asks for it"
SCHOOLDESK_ENV_FILE="$tmp/env" SCHOOLDESK_USER=$(id -un) deploy/backup.sh > "$tmp/backup.log" 2>&1 \
  || { cat "$tmp/backup.log"; exit 1; }
tail -n 1 "$tmp/backup.log"

step "through nginx, as a browser: every role's pages, static files, a download, headers, /health/"
users=(--user owner=check.owner)
for role in "${roles[@]}"; do users+=(--user "$role=check.$role"); done
.venv/bin/python deploy/check.py --base "$base" --http "http://127.0.0.1:$http_port" \
  --cafile "$tmp/nginx/fullchain.pem" --password-file "$tmp/password" --wait 90 "${users[@]}"
grep -q "Periodic tasks are enabled" "$tmp/worker.log" || { echo "schooldesk-worker is not the scheduler"; exit 1; }
grep -q "Periodic tasks are disabled" "$tmp/worker2.log" || { echo "schooldesk-worker@2 is a scheduler too"; exit 1; }
for log in web worker worker2; do
  if grep -n -E "Traceback|Internal Server Error" "$tmp/$log.log"; then
    echo "the $log process logged an error"; exit 1
  fi
done
step "a restore drill: that backup into an empty database and media directory (README, Backups and restoring)"
archive=$(ls "$tmp"/backups/schooldesk-*.tar.gz)
SCHOOLDESK_ENV_FILE="$tmp/env" SCHOOLDESK_USER=$(id -un) deploy/manage desk_restore "$archive" \
  --database-url "sqlite:///$tmp/drill/schooldesk.sqlite3" --media-root "$tmp/drill/media" > "$tmp/restore.log" 2>&1 \
  || { cat "$tmp/restore.log"; exit 1; }
people=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT count(*) FROM accounts_user").fetchone()[0])' "$tmp/drill/schooldesk.sqlite3")
[ "$people" = $((${#roles[@]} + 1)) ] || { echo "the restored desk has $people people"; exit 1; }
echo "   restored: $people people"
step "deploy-check passed"
