#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on loopback, exported as TEST_DATABASE_URL.
# Where no server binary is installed, say so plainly and succeed: the SQLite run already passed.
set -euo pipefail
find_bin() {
  local name=$1 dir
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/$name" ]; then echo "$dir/$name"; return; fi
  done
}
INITDB=$(find_bin initdb || true)
PG_CTL=$(find_bin pg_ctl || true)
if [ -z "$INITDB" ] || [ -z "$PG_CTL" ]; then
  echo "PostgreSQL server not found (no initdb/pg_ctl): the PostgreSQL run is skipped."
  echo "Install it (Debian: apt-get install postgresql) to run the suite on PostgreSQL too."
  exit 0
fi
DATA=$(mktemp -d /tmp/exemplar-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
RUN_AS=()
if [ "$(id -u)" = "0" ]; then
  # PostgreSQL refuses to run as root: use the postgres (or nobody) account for the cluster.
  OWNER=$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody)
  chown "$OWNER" "$DATA"
  RUN_AS=(runuser -u "$OWNER" --)
fi
cleanup() {
  "${RUN_AS[@]}" "$PG_CTL" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT
"${RUN_AS[@]}" "$INITDB" -D "$DATA" -U exemplar --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PG_CTL" -D "$DATA" -w -l "$DATA/server.log" \
  -o "-h 127.0.0.1 -p $PORT -k $DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
echo "PostgreSQL $("$PG_CTL" --version | awk '{print $3}') started on 127.0.0.1:$PORT for the tests."
export TEST_DATABASE_URL="postgresql+asyncpg://exemplar@127.0.0.1:$PORT/postgres"
"$@"
