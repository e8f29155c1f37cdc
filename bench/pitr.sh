#!/usr/bin/env bash
# Benchmark: dbrecover point-in-time restore (`rollback --at`) against a hand-run recovery of the same
# base backup to the same target, on a throwaway PostgreSQL cluster holding at least 1 GB of pgbench
# data and at least 1 GB of WAL after the base backup. See bench/README.md.
#
#   bench/pitr.sh                     # defaults: RUNS=3 SCALE=75, >= 1 GB of data and of WAL
#   RUNS=5 SCALE=150 MIN_WAL_BYTES=3000000000 bench/pitr.sh
#   RUNS=1 SCALE=5 MIN_BYTES=0 MIN_WAL_BYTES=100000000 bench/pitr.sh   # quick check that it runs
#
# Needs a JDK 17 and the PostgreSQL server + client packages (Debian: postgresql-15), i.e. initdb,
# pg_ctl, postgres, pgbench, psql, createdb, pg_basebackup in PG_BINDIR.
set -euo pipefail

RUNS="${RUNS:-3}"
SCALE="${SCALE:-75}"
MIN_BYTES="${MIN_BYTES:-1000000000}"
MIN_WAL_BYTES="${MIN_WAL_BYTES:-1000000000}"
# Seconds of pgbench per WAL-generating round (each round also updates a contiguous tenth of
# pgbench_accounts).
WAL_ROUND_SECONDS="${WAL_ROUND_SECONDS:-15}"
# How often the hand-run recovery asks whether the server has been promoted.
POLL_SECONDS="${POLL_SECONDS:-0.2}"
WARMUP="${WARMUP:-1}"
PG_BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out_dir="$here/out"
dbrecover="$repo/dbrecover"

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

# --- preconditions ------------------------------------------------------------------------------

require_positive RUNS "$RUNS"
require_positive SCALE "$SCALE"
[[ "$MIN_BYTES" =~ ^[0-9]+$ ]] || die "MIN_BYTES must be a whole number of bytes (got '$MIN_BYTES')"
[[ "$MIN_WAL_BYTES" =~ ^[0-9]+$ ]] || die "MIN_WAL_BYTES must be a whole number of bytes (got '$MIN_WAL_BYTES')"
require_positive WAL_ROUND_SECONDS "$WAL_ROUND_SECONDS"
[[ "$WARMUP" =~ ^[01]$ ]] || die "WARMUP must be 0 or 1 (got '$WARMUP')"
[[ "$POLL_SECONDS" =~ ^[0-9]*\.?[0-9]+$ ]] || die "POLL_SECONDS must be a number of seconds (got '$POLL_SECONDS')"
require_tools initdb pg_ctl postgres pgbench psql createdb pg_basebackup

own() { if [ "${#as_server[@]}" -gt 0 ]; then chown -R "$server_user" "$@"; fi; }

# --- throwaway cluster --------------------------------------------------------------------------

tmp="$(mktemp -d "${TMPDIR:-/tmp}/dbrecover-bench.XXXXXX")"
chmod 755 "$tmp"
data="$tmp/data"
sock="$tmp/sock"
archive="$tmp/wal"
state="$tmp/state"
started=0

# Every data directory this script may have left a server running in: the cluster, dbrecover's
# restored servers (<state-dir>/pitr/<run-id>/data, or wherever a run said it put them) and the
# hand-run restores.
restored_dirs() {
  local d
  for d in "$state"/pitr/*/data "$tmp"/handrun-*/data $(cat "$tmp/extra-dirs" 2>/dev/null || true); do
    [ -d "$d" ] && echo "$d"
  done
  return 0
}
stop_server() { # data dir
  if [ -f "$1/postmaster.pid" ]; then
    "${as_server[@]}" "$PG_BINDIR/pg_ctl" -D "$1" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
  fi
}

cleanup() {
  local rc=$? d
  for d in $(restored_dirs); do
    log "stopping the restored server in $d"
    stop_server "$d"
    # Kept for a failed run: the restored servers' logs say why.
    if [ "$rc" -ne 0 ] && [ -f "$(dirname "$d")/server.log" ]; then
      mkdir -p "$out_dir" && cp "$(dirname "$d")/server.log" "$out_dir/pitr-failed-$(basename "$(dirname "$d")").log"
      log "its log: $out_dir/pitr-failed-$(basename "$(dirname "$d")").log"
    fi
  done
  if [ "$started" -eq 1 ]; then
    log "stopping the cluster"
    stop_server "$data"
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db=benchdb

init_cluster
# In postgresql.conf rather than on the command line, so that the base backup carries it and both
# restores replay with the same checkpoint spacing.
echo "max_wal_size = 4GB" >>"$data/postgresql.conf"
"${as_server[@]}" "$PG_BINDIR/pg_ctl" -D "$data" -l "$data/server.log" -w -t 120 \
  -o "-p $port -k $sock -c listen_addresses=127.0.0.1" start >/dev/null \
  || { cat "$data/server.log" >&2 2>/dev/null || true; die "the server did not start"; }
started=1

# --- dbrecover configuration and WAL archiving ---------------------------------------------------

cat >"$tmp/dbrecover.yaml" <<EOF
state-dir: $state
environments:
  bench:
    tier: production
    protection: none
    database:
      provider: postgres
      url: postgresql://bench:\${BENCH_PGPASSWORD}@127.0.0.1:$port/$db
      options:
        wal-archive: $archive
    backup-store: $tmp/backups
    url-target:
      type: dotenv
      path: $tmp/app.env
EOF
env_file="$tmp/app.env"

dbr() { PG_BINDIR="$PG_BINDIR" "$dbrecover" --config "$tmp/dbrecover.yaml" "$@"; }
# As root, dbrecover runs its restored servers as DBRECOVER_EMBEDDED_USER (else postgres, else
# nobody); they must be able to read the archive, whose segments the cluster's user writes 0600.
if [ "${#as_server[@]}" -gt 0 ]; then export DBRECOVER_EMBEDDED_USER="$server_user"; fi

log "building / starting the dbrecover CLI once (not timed)"
"$dbrecover" --version >/dev/null
mkdir -p "$out_dir"
rm -f "$out_dir"/pitr-run-*

"$PG_BINDIR/createdb" "$db"

log "dbrecover pitr enable bench"
dbr pitr enable bench >&2 || die "dbrecover pitr enable failed"
# A server dbrecover does not manage gets ALTER SYSTEM; archive_mode and wal_level need a restart.
log "restarting the cluster for the archiving settings"
"${as_server[@]}" "$PG_BINDIR/pg_ctl" -D "$data" -l "$data/server.log" -w -t 120 -m fast restart >/dev/null \
  || { tail -20 "$data/server.log" >&2; die "the server did not restart"; }
[ "$(psql_q "show archive_mode")" = on ] || die "archive_mode is not on after pitr enable and a restart"
log "dbrecover pitr status bench (no window before the first base backup: exit 2 is expected here)"
dbr pitr status bench >&2 || true

# --- data, base backup, WAL ---------------------------------------------------------------------

log "loading pgbench data (pgbench -i -s $SCALE)"
"$PG_BINDIR/pgbench" -i -q -s "$SCALE" "$db" >"$tmp/pgbench.log" 2>&1 \
  || { cat "$tmp/pgbench.log" >&2; die "pgbench -i failed"; }
db_bytes="$(psql_q "select pg_database_size('$db')")"
db_pretty="$(psql_q "select pg_size_pretty(pg_database_size('$db'))")"
log "database $db: $db_bytes bytes ($db_pretty)"
[ "$db_bytes" -ge "$MIN_BYTES" ] \
  || die "database is only $db_bytes bytes; the benchmark needs >= $MIN_BYTES: raise SCALE (now $SCALE)"


log "dbrecover backup bench --physical (not timed)"
t0="$(date +%s.%N)"
dbr backup bench --physical --output json >"$tmp/backup.json" 2>"$tmp/backup.err" \
  || { cat "$tmp/backup.err" "$tmp/backup.json" >&2; die "dbrecover backup --physical failed"; }
backup_seconds="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
backup_id="$(json_field id <"$tmp/backup.json")"
backup_dir="$(json_field location <"$tmp/backup.json")"
[ -n "$backup_id" ] && [ -d "$backup_dir" ] || die "could not read the backup from: $(cat "$tmp/backup.json")"
base_data="$backup_dir/data"
[ -f "$base_data/PG_VERSION" ] || base_data="$(dirname "$(find "$tmp/backups" -path '*/base-*/data/PG_VERSION' -print -quit)")"
[ -f "$base_data/PG_VERSION" ] || die "no base backup data directory (base-*/data) under $tmp/backups"
stop_lsn="$(cat "$backup_dir"/*.json 2>/dev/null | json_field stopLsn || true)"
[ -n "$stop_lsn" ] || die "could not read the base backup's end LSN (stopLsn) from $backup_dir"
log "base backup $backup_id ($(du -sh "$base_data" | cut -f1), ${backup_seconds}s), ends at $stop_lsn"

wal_since_backup() { psql_q "select pg_wal_lsn_diff(pg_current_wal_lsn(), '$stop_lsn')::bigint"; }
log "generating >= $MIN_WAL_BYTES bytes of WAL (rounds of pgbench -T $WAL_ROUND_SECONDS and an update of a contiguous tenth of pgbench_accounts)"
round=0
while [ "$(wal_since_backup)" -lt "$MIN_WAL_BYTES" ]; do
  "$PG_BINDIR/pgbench" -n -c 2 -j 2 -T "$WAL_ROUND_SECONDS" "$db" >"$tmp/pgbench-run.log" 2>&1 \
    || { cat "$tmp/pgbench-run.log" >&2; die "pgbench failed"; }
  # A contiguous tenth of the table: many row records per page, not mostly full-page images.
  first=$(((round % 10) * SCALE * 10000 + 1))
  "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" \
    -c "update pgbench_accounts set abalance = abalance + 1 where aid between $first and $((first + SCALE * 10000 - 1))" \
    || die "the WAL-generating update failed"
  round=$((round + 1))
  log "round $round: $(wal_since_backup) bytes of WAL since the base backup"
  [ "$round" -lt 1000 ] || die "no $MIN_WAL_BYTES bytes of WAL after 1000 rounds"
done

# The target: the server's clock, near the end of the WAL; then a little more WAL after it.
target="$(psql_q "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")"
target_pg="$(psql_q "select to_char(timestamptz '$target' at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00:00'")"
"$PG_BINDIR/pgbench" -n -c 2 -j 2 -t 200 "$db" >"$tmp/pgbench-run.log" 2>&1 \
  || { cat "$tmp/pgbench-run.log" >&2; die "pgbench failed"; }
wal_bytes="$(wal_since_backup)"
wal_pretty="$(psql_q "select pg_size_pretty($wal_bytes::bigint)")"
log "WAL after the base backup: $wal_bytes bytes ($wal_pretty); target $target"
[ "$wal_bytes" -ge "$MIN_WAL_BYTES" ] || die "only $wal_bytes bytes of WAL; the benchmark needs >= $MIN_WAL_BYTES"
last_seg="$(psql_q "select pg_walfile_name(pg_switch_wal())")"
log "waiting for the archiver to archive $last_seg"
for _ in $(seq 1 1200); do
  [ "$(psql_q "select coalesce(last_archived_wal, '') >= '$last_seg' from pg_stat_archiver")" = t ] && break
  sleep 0.5
done
[ "$(psql_q "select coalesce(last_archived_wal, '') >= '$last_seg' from pg_stat_archiver")" = t ] \
  || die "the archiver did not archive $last_seg within 10 minutes: $(psql_q "select * from pg_stat_archiver")"
dbr pitr status bench >&2 || die "dbrecover pitr status reports a problem (above)"
dbr timeline bench >"$tmp/timeline.txt" 2>&1 || { cat "$tmp/timeline.txt" >&2; die "dbrecover timeline failed"; }
cp "$tmp/timeline.txt" "$out_dir/pitr-timeline.txt"
archive_pretty="$(du -sh "$archive" | cut -f1)"

# --- helpers ------------------------------------------------------------------------------------

settle() { sync; psql_q "checkpoint" >/dev/null; }
# Stops and removes every restored server and resets the dotenv file, so each run does the same work.
drop_restored() {
  local d
  for d in $(restored_dirs); do
    stop_server "$d"
    rm -rf "$(dirname "$d")"
  done
  rm -f "$tmp/extra-dirs"
  rm -f "$env_file" "$env_file".dbrecover-*.bak
}

# The restored servers' logs (replay start, stop point, promotion, with times) go to bench/out.
keep_server_logs() { # name
  local d
  for d in $(restored_dirs); do
    if [ -f "$(dirname "$d")/server.log" ]; then cp "$(dirname "$d")/server.log" "$out_dir/$1-server.log"; fi
  done
}

results="$tmp/results.txt"
: >"$results"
record() { echo "$1 $2 $3" >>"$results"; log "run $2: $1 ${3}s"; }

# The hand-run recovery: what an operator does with the same backup and the recovery settings of
# dbrecover's PointInTimeRestore (postgresql.auto.conf is read last, so these win), keeping the
# default fsync = on (dbrecover replays with fsync off and flushes the copy before it is done).
hand_restore() { # run number
  local dir="$tmp/handrun-$1" hport t
  hport="$(free_port 56432)" || die "no free TCP port in 56432-56532"
  mkdir -p "$dir/socket"
  local c0
  c0="$(now)"
  cp -a "$base_data" "$dir/data"
  echo "hand-run-copy $1 $(elapsed "$c0" "$(now)")" >>"$results"
  rm -f "$dir/data/backup_manifest"
  cat >>"$dir/data/postgresql.auto.conf" <<EOF

# point-in-time restore settings (by hand, as dbrecover writes them)
port = $hport
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/socket'
archive_mode = 'off'
logging_collector = 'off'
hot_standby = 'on'
primary_conninfo = ''
synchronous_standby_names = ''
restore_command = 'cp ''$archive''/%f %p'
recovery_target_action = 'promote'
recovery_target_time = '$target_pg'
EOF
  : >"$dir/data/recovery.signal"
  chmod 700 "$dir/data"
  own "$dir"
  "${as_server[@]}" "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -W start >/dev/null \
    || { cat "$dir/server.log" >&2 2>/dev/null || true; die "the hand-run restore did not start"; }
  local down=0
  while :; do
    t="$(PGPORT="$hport" "$PG_BINDIR/psql" -X -At -d postgres -c "select pg_is_in_recovery()" 2>/dev/null || true)"
    [ "$t" = f ] && break
    if [ -z "$t" ] && ! "${as_server[@]}" "$PG_BINDIR/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      # No postmaster (yet: pg_ctl -W returns before it writes its pid file).
      down=$((down + 1))
      [ "$down" -lt 50 ] || { tail -20 "$dir/server.log" >&2; die "the hand-run restore stopped (log above)"; }
    else
      down=0
    fi
    sleep "$POLL_SECONDS"
  done
}

# --- timed runs: dbrecover rollback --at vs the hand-run recovery, alternating --------------------

run_dbrecover() { # run number
  local i="$1" t0 t1 report
  settle
  t0="$(now)"
  dbr rollback bench --at "$target" --force >"$tmp/rollback-$i.out" 2>"$tmp/rollback-$i.err" \
    || { cat "$tmp/rollback-$i.err" "$tmp/rollback-$i.out" >&2; die "dbrecover rollback --at failed"; }
  t1="$(now)"
  record dbrecover-rollback "$i" "$(elapsed "$t0" "$t1")"
  cp "$tmp/rollback-$i.err" "$out_dir/pitr-run-$i.log"
  cp "$tmp/rollback-$i.out" "$out_dir/pitr-run-$i.out"
  report="$(grep -o '/[^ ]*/report.md' "$tmp/rollback-$i.out" "$tmp/rollback-$i.err" | sed 's/^[^:]*://' | tail -1 || true)"
  if [ -n "$report" ] && [ -f "$report" ]; then
    cp "$report" "$out_dir/pitr-run-$i-report.md"
  fi
  grep -ho 'data in /[^ ,)]*' "$tmp/rollback-$i.out" "$tmp/rollback-$i.err" | sed 's/^data in //' >>"$tmp/extra-dirs" || true
  keep_server_logs "pitr-run-$i"
  grep -q "$target\|point-in-time" "$tmp/rollback-$i.out" \
    || log "warning: the rollback output does not mention point-in-time restore; see $out_dir/pitr-run-$i.out"
  drop_restored
}

run_hand() { # run number
  local t0 t1
  settle
  t0="$(now)"
  hand_restore "$1"
  t1="$(now)"
  record hand-run "$1" "$(elapsed "$t0" "$t1")"
  keep_server_logs "handrun-$1"
  drop_restored
}

# The pair's order alternates (dbrecover first in odd runs, the hand-run in even ones), so that
# neither side always finds the base backup warmer in the page cache. An untimed pair goes first:
# the first recovery after the WAL burst above pays for writing it back, whichever side runs it.
drop_restored
if [ "$WARMUP" -eq 1 ]; then
  log "warm-up pair (not timed)"
  real_results="$results"
  results="$tmp/warmup.txt"
  run_dbrecover 0
  run_hand 0
  results="$real_results"
  rm -f "$out_dir"/pitr-run-0* "$out_dir"/handrun-0*
fi
for i in $(seq 1 "$RUNS"); do
  if [ $((i % 2)) -eq 1 ]; then
    run_dbrecover "$i"
    run_hand "$i"
  else
    run_hand "$i"
    run_dbrecover "$i"
  fi
done

# --- summary ------------------------------------------------------------------------------------

times() { awk -v k="$1" '$1 == k { printf "%s ", $3 }' "$results"; }
m_dr="$(times dbrecover-rollback | median)"
m_hand="$(times hand-run | median)"
r="$(ratio "$m_dr" "$m_hand")"
goal=1.15

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
summary="$out_dir/pitr-$stamp.txt"
{
  echo "dbrecover point-in-time restore benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
  echo "postgres: $("$PG_BINDIR/postgres" --version), pgbench scale $SCALE, database $db_pretty ($db_bytes bytes)"
  echo "base backup: $backup_id ($(du -sh "$base_data" | cut -f1)), ends at $stop_lsn"
  echo "WAL after the base backup: $wal_pretty ($wal_bytes bytes) to the target; archive $archive_pretty"
  echo "target: $target, runs: $RUNS"
  echo
  echo "all runs (seconds):"
  sed 's/^/  /' "$results"
  echo
  printf '%-34s %10s\n' "median (seconds)" ""
  printf '  %-32s %10s\n' "dbrecover rollback --at --force" "$m_dr" "hand-run recovery" "$m_hand" \
    "  of which cp -a of the backup" "$(times hand-run-copy | median)"
  echo
  echo "ratio dbrecover/hand-run: $r  $(verdict "$r" "$goal")"
  echo
  for f in "$out_dir"/pitr-run-*-report.md; do
    [ -f "$f" ] || continue
    echo "steps of $(basename "$f"):"
    grep -E '^\| *(preflight|safety|start|await|verify|data-loss|confirm|swap|report)' "$f" | sed 's/^/  /' || true
  done
  echo
  echo "dbrecover run reports: $out_dir/pitr-run-*-report.md; progress lines: $out_dir/pitr-run-*.log"
} | tee "$summary"
cp "$results" "$out_dir/pitr-$stamp.raw"
log "results in $summary"
