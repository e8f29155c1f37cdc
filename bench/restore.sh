#!/usr/bin/env bash
# Benchmark: dbrecover backup / restore against bare pg_dump / pg_restore on a throwaway PostgreSQL
# cluster holding at least 1 GB of pgbench data. See bench/README.md.
#
#   bench/restore.sh                  # defaults: JOBS=2 RUNS=3 SCALE=75
#   JOBS=4 RUNS=5 SCALE=150 bench/restore.sh
#
# Needs a JDK 17 and the PostgreSQL server + client packages (Debian: postgresql-15), i.e. initdb,
# pg_ctl, postgres, pgbench, psql, createdb, dropdb, pg_dump, pg_restore in PG_BINDIR.
set -euo pipefail

JOBS="${JOBS:-2}"
RUNS="${RUNS:-3}"
SCALE="${SCALE:-75}"
MIN_BYTES="${MIN_BYTES:-1000000000}"
PG_BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out_dir="$here/out"
dbrecover="$repo/dbrecover"

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

# --- preconditions ------------------------------------------------------------------------------

require_positive JOBS "$JOBS"
require_positive RUNS "$RUNS"
require_positive SCALE "$SCALE"
require_tools initdb pg_ctl postgres pgbench psql createdb dropdb pg_dump pg_restore

# --- throwaway cluster --------------------------------------------------------------------------

tmp="$(mktemp -d "${TMPDIR:-/tmp}/dbrecover-bench.XXXXXX")"
chmod 755 "$tmp"
data="$tmp/data"
sock="$tmp/sock"
started=0

cleanup() {
  local rc=$?
  if [ "$started" -eq 1 ]; then
    log "stopping the cluster"
    "${as_server[@]}" "$PG_BINDIR/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db=benchdb
bare_db=bench_bare

init_cluster
"${as_server[@]}" "$PG_BINDIR/pg_ctl" -D "$data" -l "$data/server.log" -w -t 120 \
  -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_wal_size=4GB" start >/dev/null \
  || { cat "$data/server.log" >&2 2>/dev/null || true; die "the server did not start"; }
started=1

log "loading pgbench data (pgbench -i -s $SCALE)"
"$PG_BINDIR/createdb" "$db"
"$PG_BINDIR/pgbench" -i -q -s "$SCALE" "$db" >"$tmp/pgbench.log" 2>&1 \
  || { cat "$tmp/pgbench.log" >&2; die "pgbench -i failed"; }
db_bytes="$(psql_q "select pg_database_size('$db')")"
db_pretty="$(psql_q "select pg_size_pretty(pg_database_size('$db'))")"
log "database $db: $db_bytes bytes ($db_pretty)"
[ "$db_bytes" -ge "$MIN_BYTES" ] \
  || die "database is only $db_bytes bytes; the benchmark needs >= $MIN_BYTES: raise SCALE (now $SCALE)"

# --- dbrecover configuration --------------------------------------------------------------------

cat >"$tmp/dbrecover.yaml" <<EOF
state-dir: $tmp/state
environments:
  bench:
    tier: production
    protection: none
    database:
      provider: postgres
      url: postgresql://bench:\${BENCH_PGPASSWORD}@127.0.0.1:$port/$db
    backup-store: $tmp/backups
    url-target:
      type: dotenv
      path: $tmp/app.env
    jobs: $JOBS
EOF
env_file="$tmp/app.env"

dbr() { PG_BINDIR="$PG_BINDIR" "$dbrecover" --config "$tmp/dbrecover.yaml" "$@"; }

log "building / starting the dbrecover CLI once (not timed)"
"$dbrecover" --version >/dev/null
mkdir -p "$out_dir"
rm -f "$out_dir"/backup-run-*.log "$out_dir"/restore-run-*

# --- helpers ------------------------------------------------------------------------------------

settle() { sync; psql_q "checkpoint" >/dev/null; }
drop_restored() {
  local d
  for d in $(psql_q "select datname from pg_database where datname like '${db}\\_rb\\_%' or datname = '$bare_db'"); do
    "$PG_BINDIR/dropdb" "$d"
  done
  rm -f "$env_file" "$env_file".dbrecover-*.bak
}

# What the issue asks beyond the bare tools, done by hand with psql (the "+checks" runs): the same
# reads dbrecover makes, without its JVM, plan, journal, verification bookkeeping and report.
one_core="set max_parallel_workers_per_gather = 0; set jit = off"
count_all=() since_all=()
xmin_now="$(psql_in "$db" "select txid_current() % 4294967296")"
mapfile -t tables < <(psql_in "$db" "select format('%I.%I', schemaname, relname) from pg_stat_user_tables")
for t in "${tables[@]}"; do
  count_all+=("select count(*) from $t")
  since_all+=("select count(*) from $t where age(xmin) <= age('$xmin_now'::xid)")
done
sha256() { find "$1" -type f -exec openssl dgst -sha256 {} + >/dev/null 2>&1 \
  || find "$1" -type f -exec sha256sum {} + >/dev/null; }

results="$tmp/results.txt"
: >"$results"
record() { echo "$1 $2 $3" >>"$results"; log "run $2: $1 ${3}s"; }

# --- baseline: JVM start + CLI parsing, no database work ------------------------------------------

for i in $(seq 1 "$RUNS"); do
  t0="$(now)"
  "$dbrecover" --version >/dev/null
  t1="$(now)"
  record jvm-start "$i" "$(elapsed "$t0" "$t1")"
done

# --- backup: dbrecover backup vs pg_dump -Fd -j N -----------------------------------------------

backup_store="$tmp/backups"
for i in $(seq 1 "$RUNS"); do
  settle
  t0="$(now)"
  dbr backup bench --output json >"$tmp/backup.json" 2>"$tmp/backup.err" \
    || { cat "$tmp/backup.err" >&2; die "dbrecover backup failed"; }
  t1="$(now)"
  record dbrecover-backup "$i" "$(elapsed "$t0" "$t1")"
  mkdir -p "$out_dir"
  cp "$tmp/backup.err" "$out_dir/backup-run-$i.log"
  # Each run does the same work: only the last backup is kept, for the restore benchmark.
  if [ "$i" -lt "$RUNS" ]; then
    rm -rf "$(json_field location <"$tmp/backup.json")"
  fi

  settle
  rm -rf "$tmp/bare-dump"
  t0="$(now)"
  "$PG_BINDIR/pg_dump" -Fd -j "$JOBS" -f "$tmp/bare-dump" -d "$db"
  t1="$(now)"
  record pg_dump "$i" "$(elapsed "$t0" "$t1")"

  # The issue's own checks by hand, no JVM: the exact row count of every table beside pg_dump (one
  # core, as dbrecover reads them), then the dump's checksums.
  settle
  rm -rf "$tmp/bare-dump"
  t0="$(now)"
  psql_in "$db" "$one_core" "${count_all[@]}" >/dev/null &
  counts=$!
  "$PG_BINDIR/pg_dump" -Fd -j "$JOBS" -f "$tmp/bare-dump" -d "$db"
  wait "$counts"
  sha256 "$tmp/bare-dump"
  t1="$(now)"
  record pg_dump+checks "$i" "$(elapsed "$t0" "$t1")"
done
rm -rf "$tmp/bare-dump"

backup_id="$(json_field id <"$tmp/backup.json")"
backup_dir="$(json_field location <"$tmp/backup.json")"
[ -n "$backup_id" ] || die "could not read the backup id from: $(cat "$tmp/backup.json")"
dump_dir="$backup_dir"
[ -f "$dump_dir/toc.dat" ] || dump_dir="$(dirname "$(find "$backup_dir" -name toc.dat -print -quit)")"
[ -f "$dump_dir/toc.dat" ] || die "no pg_dump directory (toc.dat) under $backup_dir"
log "restoring backup $backup_id ($(du -sh "$backup_dir" | cut -f1) in $backup_dir)"
dbr list-backups bench >&2

# --- restore: dbrecover restore --force vs createdb + pg_restore -j N ----------------------------

drop_restored
for i in $(seq 1 "$RUNS"); do
  settle
  t0="$(now)"
  dbr restore bench --from "$backup_id" --force >"$tmp/restore-$i.out" 2>"$tmp/restore-$i.err" \
    || { cat "$tmp/restore-$i.err" "$tmp/restore-$i.out" >&2; die "dbrecover restore failed"; }
  t1="$(now)"
  record dbrecover-restore "$i" "$(elapsed "$t0" "$t1")"
  cp "$tmp/restore-$i.err" "$out_dir/restore-run-$i.log"
  report="$(grep -o '/[^ ]*/report.md' "$tmp/restore-$i.out" | tail -1 || true)"
  if [ -n "$report" ] && [ -f "$report" ]; then
    cp "$report" "$out_dir/restore-run-$i-report.md"
  fi
  drop_restored

  settle
  t0="$(now)"
  "$PG_BINDIR/createdb" "$bare_db"
  "$PG_BINDIR/pg_restore" -j "$JOBS" --exit-on-error -d "$bare_db" "$dump_dir"
  t1="$(now)"
  record bare-restore "$i" "$(elapsed "$t0" "$t1")"
  drop_restored

  # By hand, no JVM: beside the restore, the live side's rows written since the backup (a read of
  # every row's xmin, one core); after it, the exact row count of every restored table.
  settle
  t0="$(now)"
  psql_in "$db" "$one_core" "${since_all[@]}" >/dev/null &
  live=$!
  "$PG_BINDIR/createdb" "$bare_db"
  "$PG_BINDIR/pg_restore" -j "$JOBS" --exit-on-error -d "$bare_db" "$dump_dir"
  psql_in "$bare_db" "set jit = off" "${count_all[@]}" >/dev/null
  wait "$live"
  t1="$(now)"
  record bare-restore+checks "$i" "$(elapsed "$t0" "$t1")"
  drop_restored
done

# --- summary ------------------------------------------------------------------------------------

times() { awk -v k="$1" '$1 == k { printf "%s ", $3 }' "$results"; }
m_db="$(times dbrecover-backup | median)"
m_dump="$(times pg_dump | median)"
m_dr="$(times dbrecover-restore | median)"
m_rest="$(times bare-restore | median)"
m_jvm="$(times jvm-start | median)"
m_dump_c="$(times pg_dump+checks | median)"
m_rest_c="$(times bare-restore+checks | median)"
r_backup="$(ratio "$m_db" "$m_dump")"
r_restore="$(ratio "$m_dr" "$m_rest")"
goal=1.10

mkdir -p "$out_dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
summary="$out_dir/restore-$stamp.txt"
{
  echo "dbrecover restore benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
  echo "postgres: $("$PG_BINDIR/postgres" --version), pgbench scale $SCALE, database $db_pretty ($db_bytes bytes)"
  echo "jobs: $JOBS, runs: $RUNS, backup: $(du -sh "$backup_dir" | cut -f1)"
  echo
  echo "all runs (seconds):"
  sed 's/^/  /' "$results"
  echo
  printf '%-34s %10s\n' "median (seconds)" ""
  printf '  %-32s %10s\n' "dbrecover backup" "$m_db" "pg_dump -Fd -j $JOBS" "$m_dump" \
    "dbrecover restore --force" "$m_dr" "createdb + pg_restore -j $JOBS" "$m_rest" \
    "dbrecover --version (JVM start)" "$m_jvm" \
    "pg_dump + checks by hand" "$m_dump_c" "pg_restore + checks by hand" "$m_rest_c"
  echo
  echo "ratio backup  dbrecover/bare: $r_backup  $(verdict "$r_backup" "$goal")"
  echo "ratio restore dbrecover/bare: $r_restore  $(verdict "$r_restore" "$goal")"
  echo
  echo "the checks alone (by hand, no JVM) / bare: backup $(ratio "$m_dump_c" "$m_dump")," \
    "restore $(ratio "$m_rest_c" "$m_rest")"
  echo "dbrecover / the checks by hand:             backup $(ratio "$m_db" "$m_dump_c")," \
    "restore $(ratio "$m_dr" "$m_rest_c")"
  echo
  echo "per-step durations of the dbrecover restore runs: $out_dir/restore-run-*-report.md"
  echo "progress lines with elapsed times: $out_dir/backup-run-*.log, $out_dir/restore-run-*.log"
} | tee "$summary"
cp "$results" "$out_dir/restore-$stamp.raw"
log "results in $summary"
