# Shared by the scripts that run a throw-away PostgreSQL cluster (sourced, not run):
#   find_pg_bin TOOL...   the directory holding initdb, pg_ctl, postgres and the TOOLs asked for
#   as_pg DIR CMD         runs CMD as the `postgres` system user when root (PostgreSQL refuses
#                         root; the user is created if missing and DIR made its own), else as is.
find_pg_bin() {
  local d t ok
  for d in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
    ok=1
    for t in initdb pg_ctl postgres "$@"; do [ -x "$d/$t" ] || ok=0; done
    if [ "$ok" = 1 ]; then echo "$d"; return 0; fi
  done
  return 1
}
as_pg() {
  local dir=$1
  shift
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /bin/sh postgres
    chown -R postgres "$dir"
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}
