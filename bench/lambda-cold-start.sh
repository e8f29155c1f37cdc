#!/usr/bin/env bash
# Benchmark: the Lambda jars' size and cold init time (JVM start to handler ready), median of RUNS
# fresh JVMs per handler. See bench/README.md.
#
#   bench/lambda-cold-start.sh            # RUNS=7
#   RUNS=11 bench/lambda-cold-start.sh
#
# Needs a JDK 17. Builds the lambda module's jars first if they are missing (not timed).
set -euo pipefail

RUNS="${RUNS:-7}"
# The flags AWS's managed Java runtimes start the JVM with by default (C1 only: faster start).
JVM_FLAGS="${JVM_FLAGS:--XX:+TieredCompilation -XX:TieredStopAtLevel=1 -Xshare:auto}"
MAX_JAR_MB=30
MAX_INIT_S=1.5

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out_dir="$here/out"

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

require_positive RUNS "$RUNS"
command -v java >/dev/null || die "java not found; install a JDK 17"
command -v javac >/dev/null || die "javac not found; install a JDK 17 (not only a JRE)"

recovery_jar="$repo/lambda/target/dbrecover-lambda.jar"
alarm_jar="$repo/lambda/target/dbrecover-lambda-alarm.jar"
if [ ! -f "$recovery_jar" ] || [ ! -f "$alarm_jar" ]; then
  log "building the lambda jars (./mvnw -pl lambda -am package -DskipTests)"
  (cd "$repo" && ./mvnw -q -pl lambda -am package -DskipTests -Dquick) || die "the build failed"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/dbrecover-lambda-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

javac -d "$tmp/probe" -cp "$alarm_jar" "$here/LambdaColdStart.java" || die "the probe did not compile"
events="$repo/lambda/src/test/resources/events"

# run_probe JAR HANDLER EVENT: RUNS fresh JVMs; sets init_median and first_median (seconds).
run_probe() {
  local jar="$1" handler="$2" event="$3" i line inits="" firsts=""
  for i in $(seq 1 "$RUNS"); do
    rm -rf "$tmp/state"
    # shellcheck disable=SC2086
    line="$(env -i PATH="$PATH" HOME="$tmp" AWS_REGION=eu-west-1 \
      DBRECOVER_STATE_DIR="$tmp/state" \
      DBRECOVER_STATE_MACHINE_ARN=arn:aws:states:eu-west-1:123456789012:stateMachine:bench \
      DBRECOVER_ALARM_ROUTES='[{"alarm":"orders-data-corruption","environment":"embedded"}]' \
      java $JVM_FLAGS -cp "$jar:$tmp/probe" LambdaColdStart "$handler" "$event" 2>"$tmp/err" \
      | grep "^init_ms=")" \
      || { cat "$tmp/err" >&2; die "$handler did not start from $(basename "$jar")"; }
    inits="$inits $(echo "$line" | sed 's/.*init_ms=\([0-9]*\).*/\1/')"
    firsts="$firsts $(echo "$line" | sed 's/.*first_ms=\([0-9]*\).*/\1/')"
  done
  init_median="$(echo "$inits" | median | awk '{ printf "%.3f", $1 / 1000 }')"
  first_median="$(echo "$firsts" | median | awk '{ printf "%.3f", $1 / 1000 }')"
  raw="$raw$handler init_ms:$inits first_ms:$firsts"$'\n'
}

raw=""
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1000000 }'; }  # MB = 10^6 bytes
recovery_mb="$(mb "$recovery_jar")"
alarm_mb="$(mb "$alarm_jar")"
at_most() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t ? "ok (<= " t ")" : "OVER the " t " target") }'; }

log "alarm entry from $(basename "$alarm_jar"), $RUNS runs"
run_probe "$alarm_jar" io.dbrecover.lambda.AlarmHandler "$events/sns-alarm-ok.json"
alarm_init="$init_median" alarm_first="$first_median"
log "step entry from $(basename "$recovery_jar"), $RUNS runs"
echo '{"action":"advance","runId":"bench"}' >"$tmp/step.json"
run_probe "$recovery_jar" io.dbrecover.lambda.StepHandler "$tmp/step.json"
step_init="$init_median" step_first="$first_median"
log "snapshot entry from $(basename "$recovery_jar"), $RUNS runs"
echo '{"environment":"bench"}' >"$tmp/snapshot.json"
run_probe "$recovery_jar" io.dbrecover.lambda.SnapshotHandler "$tmp/snapshot.json"
snapshot_init="$init_median" snapshot_first="$first_median"

mkdir -p "$out_dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
report="$out_dir/lambda-cold-start-$stamp.txt"
{
  echo "dbrecover Lambda cold start, $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?'), $stamp"
  echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
  echo "JVM flags: $JVM_FLAGS; medians of $RUNS fresh JVMs; init = JVM start to handler constructed"
  echo
  echo "jar                        size      target"
  printf '%-26s %6s MB  %s\n' dbrecover-lambda.jar "$recovery_mb" "$(at_most "$recovery_mb" $MAX_JAR_MB)"
  printf '%-26s %6s MB  %s\n' dbrecover-lambda-alarm.jar "$alarm_mb" "$(at_most "$alarm_mb" $MAX_JAR_MB)"
  echo
  echo "handler          init (s)  first call (s)  init target"
  printf '%-16s %8s  %14s  %s\n' AlarmHandler "$alarm_init" "$alarm_first" "$(at_most "$alarm_init" $MAX_INIT_S)"
  printf '%-16s %8s  %14s  %s\n' StepHandler "$step_init" "$step_first" "$(at_most "$step_init" $MAX_INIT_S)"
  printf '%-16s %8s  %14s  %s\n' SnapshotHandler "$snapshot_init" "$snapshot_first" "$(at_most "$snapshot_init" $MAX_INIT_S)"
} | tee "$report"
printf '%s' "$raw" >"${report%.txt}.raw"
log "written to $report"
