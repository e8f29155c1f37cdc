# Shared by the benchmark scripts in bench/ (sourced, not run).

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# require_positive NAME VALUE: a positive whole number, or die naming the variable.
require_positive() {
  [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive whole number (got '$2')"
}

# require_tools TOOL...: each is an executable in PG_BINDIR; also a JDK and the dbrecover launcher.
require_tools() {
  local tool
  for tool in "$@"; do
    [ -x "$PG_BINDIR/$tool" ] \
      || die "$PG_BINDIR/$tool not found; install postgresql-15 (apt) or set PG_BINDIR to a PostgreSQL bin directory"
  done
  command -v java >/dev/null || die "java not found; install a JDK 17"
  [ -x "$dbrecover" ] || die "$dbrecover not found; run this script from a dbrecover checkout"
}

# PostgreSQL refuses to run as root: as root the servers run as BENCH_PG_USER (default nobody), like
# dbrecover's own servers do (runuser -u <user> --). Sets as_server (a command prefix) and server_user.
as_server=()
server_user=""
if [ "$(id -u)" -eq 0 ]; then
  server_user="${BENCH_PG_USER:-nobody}"
  id "$server_user" >/dev/null 2>&1 || die "user '$server_user' does not exist; set BENCH_PG_USER"
  command -v runuser >/dev/null || die "running as root needs runuser (util-linux) to start PostgreSQL as $server_user"
  as_server=(runuser -u "$server_user" --)
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { # the first free TCP port from $1 on, within 100
  local p
  for p in $(seq "$1" $(($1 + 100))); do
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  return 1
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
  if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
verdict() { # ratio target
  awk -v r="$1" -v t="$2" 'BEGIN { printf "%s\n", (r <= t ? "ok (<= " t ")" : "OVER the " t " target") }'
}
# psql_in <database> <statement>...: each statement as its own command, rows unaligned, stops at
# the first error. psql_q <statement>: one statement in the postgres database.
psql_in() {
  local d="$1" a=() c
  shift
  for c in "$@"; do a+=(-c "$c"); done
  "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -At -d "$d" "${a[@]}"
}
psql_q() { psql_in postgres "$1"; }
json_field() { grep -o "\"$1\" *: *\"[^\"]*\"" | head -1 | sed 's/.*: *"\(.*\)"/\1/'; }

# init_cluster: picks a free port, makes up a password (exported as PGPASSWORD and
# BENCH_PGPASSWORD, with PGHOST/PGPORT/PGUSER for the client tools) and runs initdb in $data with
# scram-sha-256 password auth; the caller starts the server. Needs tmp, data and sock set.
init_cluster() {
  port="$(free_port 55432)" || die "no free TCP port in 55432-55532"
  export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=bench
  PGPASSWORD="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  export PGPASSWORD BENCH_PGPASSWORD="$PGPASSWORD"
  mkdir -p "$sock"
  printf '%s\n' "$PGPASSWORD" >"$tmp/pwfile"
  if [ "${#as_server[@]}" -gt 0 ]; then
    mkdir -p "$data"
    chown "$server_user" "$tmp/pwfile" "$sock" "$data"
  fi
  log "initdb in $data (port $port, password auth)"
  "${as_server[@]}" "$PG_BINDIR/initdb" -D "$data" -U bench --pwfile="$tmp/pwfile" \
    --auth=scram-sha-256 -E UTF8 --locale=C >"$tmp/initdb.log" 2>&1 \
    || { cat "$tmp/initdb.log" >&2; die "initdb failed"; }
  rm -f "$tmp/pwfile"
}
