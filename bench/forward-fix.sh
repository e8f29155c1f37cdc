#!/usr/bin/env bash
# Benchmark: generating a forward-fix (`dbrecover rollback <env> --method forward-fix --dry-run`)
# on a Prisma history of COUNT migrations applied to a throwaway PostgreSQL cluster. See
# bench/README.md.
#
#   bench/forward-fix.sh                      # defaults: COUNT=200 REVERT=3 RUNS=5
#   COUNT=400 REVERT=10 RUNS=7 bench/forward-fix.sh
#
# Needs a JDK 17 and the PostgreSQL 15 server + client packages (Debian: postgresql-15): initdb,
# pg_ctl, postgres, psql in PG_BINDIR.
set -euo pipefail

COUNT="${COUNT:-200}"
REVERT="${REVERT:-3}"
RUNS="${RUNS:-5}"
TARGET_SECONDS="${TARGET_SECONDS:-15}"
PG_BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out_dir="$here/out"
dbrecover="$repo/dbrecover"

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

# --- preconditions ------------------------------------------------------------------------------

require_positive COUNT "$COUNT"
require_positive REVERT "$REVERT"
require_positive RUNS "$RUNS"
[ "$REVERT" -lt "$COUNT" ] || die "REVERT ($REVERT) must be smaller than COUNT ($COUNT)"
require_tools initdb pg_ctl postgres psql

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
init_cluster
"${as_server[@]}" "$PG_BINDIR/pg_ctl" -D "$data" -l "$data/server.log" -w -t 120 \
  -o "-p $port -k $sock -c listen_addresses=127.0.0.1" start >/dev/null \
  || { cat "$data/server.log" >&2 2>/dev/null || true; die "the server did not start"; }
started=1
"$PG_BINDIR/psql" -q -X -d postgres -c "create database $db" >/dev/null

# --- a Prisma history of COUNT migrations --------------------------------------------------------
# Every migration creates a table with a serial key, a NOT NULL column with a default, an index and
# a foreign key to the previous table; every 10th also an enum used by its table, every 5th a view,
# every 20th a function and trigger, every 3rd adds a column to an older table and a comment.

migrations="$tmp/prisma/migrations"
mkdir -p "$migrations"
migration_sql() { # i
  local i="$1" p=$(($1 - 1))
  if [ $((i % 10)) -eq 1 ]; then
    printf 'CREATE TYPE "status_%d" AS ENUM (%s);\n' "$i" "'new', 'active', 'closed'"
  fi
  printf 'CREATE TABLE "t_%d" (\n    "id" SERIAL NOT NULL,\n    "name" VARCHAR(100) NOT NULL,\n' "$i"
  printf '    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    "parent_id" INTEGER,\n'
  if [ $((i % 10)) -eq 1 ]; then printf '    "state" "status_%d" NOT NULL DEFAULT %s,\n' "$i" "'new'"; fi
  printf '    CONSTRAINT "t_%d_pkey" PRIMARY KEY ("id")\n);\n' "$i"
  printf 'CREATE INDEX "t_%d_name_idx" ON "t_%d"("name");\n' "$i" "$i"
  if [ "$i" -gt 1 ]; then
    printf 'ALTER TABLE "t_%d" ADD CONSTRAINT "t_%d_parent_id_fkey" FOREIGN KEY ("parent_id")' "$i" "$i"
    printf ' REFERENCES "t_%d"("id") ON DELETE SET NULL ON UPDATE CASCADE;\n' "$p"
  fi
  if [ $((i % 5)) -eq 0 ]; then
    printf 'CREATE VIEW "v_%d" AS SELECT "id", "name" FROM "t_%d" WHERE "parent_id" IS NOT NULL;\n' "$i" "$i"
  fi
  if [ $((i % 20)) -eq 0 ]; then
    printf 'CREATE FUNCTION "touch_%d"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW."created_at" := now(); RETURN NEW; END; $$;\n' "$i"
    printf 'CREATE TRIGGER "t_%d_touch" BEFORE UPDATE ON "t_%d" FOR EACH ROW EXECUTE FUNCTION "touch_%d"();\n' "$i" "$i" "$i"
  fi
  if [ $((i % 3)) -eq 0 ] && [ "$i" -gt 3 ]; then
    printf 'ALTER TABLE "t_%d" ADD COLUMN "extra_%d" TEXT;\n' $((i - 2)) "$i"
    printf "COMMENT ON TABLE \"t_%d\" IS 'table %d';\n" "$i" "$i"
  fi
}

log "writing and applying $COUNT Prisma migrations"
"$PG_BINDIR/psql" -q -X -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
CREATE TABLE "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
);
SQL
for i in $(seq 1 "$COUNT"); do
  name="$(printf '2024%010d_step_%d' "$i" "$i")"
  mkdir -p "$migrations/$name"
  migration_sql "$i" >"$migrations/$name/migration.sql"
  sum="$(sha256sum "$migrations/$name/migration.sql" | cut -d' ' -f1)"
  { cat "$migrations/$name/migration.sql"
    printf "INSERT INTO \"_prisma_migrations\" VALUES (gen_random_uuid()::text, '%s', clock_timestamp(), '%s', NULL, NULL, clock_timestamp(), 1);\n" "$sum" "$name"
  } | "$PG_BINDIR/psql" -q -X -1 -v ON_ERROR_STOP=1 -d "$db" >/dev/null \
    || die "migration $name failed"
  [ "$i" -eq $((COUNT - REVERT)) ] && target="$name"
done
"$PG_BINDIR/psql" -q -X -d "$db" -c "insert into t_1 (name) select 'row ' || g from generate_series(1, 1000) g" >/dev/null

# --- dbrecover configuration --------------------------------------------------------------------

cat >"$tmp/dbrecover.yaml" <<YAML
state-dir: $tmp/state
environments:
  bench:
    tier: production
    protection: none
    database:
      provider: postgres
      url: postgresql://bench:\${BENCH_PGPASSWORD}@127.0.0.1:$port/$db
    backup-store: $tmp/backups
    migrations: { tool: prisma, dir: $tmp/prisma/migrations }
YAML

dbr() { PG_BINDIR="$PG_BINDIR" "$dbrecover" --config "$tmp/dbrecover.yaml" "$@"; }

log "building / starting the dbrecover CLI once (not timed)"
"$dbrecover" --version >/dev/null
mkdir -p "$out_dir"
stamp="$(date -u +%Y%m%d-%H%M%S)"
results="$out_dir/forward-fix-$stamp.raw"
: >"$results"
record() { echo "$1 $2 $3" >>"$results"; log "run $2: $1 ${3}s"; }

# --- timed runs ---------------------------------------------------------------------------------
# Each run: JVM start, shadow server start, the first COUNT-REVERT migrations applied to a new
# shadow database, both catalogs read, the diff, the data-loss counts on the live database.
# Run 0 also initialises the shadow cluster under the state dir and is reported apart.

for i in $(seq 0 "$RUNS"); do
  t0="$(now)"
  dbr -o json rollback bench --method forward-fix --to "$target" --dry-run \
    >"$tmp/run-$i.json" 2>"$tmp/run-$i.err" \
    || { cat "$tmp/run-$i.err" >&2; die "dbrecover rollback --method forward-fix failed"; }
  t1="$(now)"
  record "$([ "$i" -eq 0 ] && echo first-run || echo forward-fix)" "$i" "$(elapsed "$t0" "$t1")"
done
statements="$(grep -c '"kind" :' "$tmp/run-$RUNS.json" || true)"
[ "$statements" -gt 0 ] || die "the forward-fix has no statements; see $tmp/run-$RUNS.json"

median_s="$(grep '^forward-fix ' "$results" | cut -d' ' -f3 | tr '\n' ' ' | median)"
first_s="$(grep '^first-run ' "$results" | cut -d' ' -f3)"
load="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
summary="$out_dir/forward-fix-$stamp.txt"
{
  echo "forward-fix generation, Prisma history of $COUNT migrations, reverting the newest $REVERT"
  echo "commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "machine: $(nproc) cores, load average before the summary: $load"
  echo "statements generated: $statements"
  echo "first run (initialises the shadow cluster): ${first_s}s"
  echo "median of $RUNS runs: ${median_s}s  $(awk -v m="$median_s" -v t="$TARGET_SECONDS" 'BEGIN { print (m <= t ? "ok (< " t " s)" : "OVER the " t " s target") }')"
} | tee "$summary"
log "raw times in $results"
