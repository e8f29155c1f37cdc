#!/usr/bin/env bash
# Takes a labelled snapshot through the snapshot entry before a deploy, and fails the job unless
# the snapshot was taken. Needs the AWS CLI v2 and jq, and credentials allowed to invoke the
# function (lambda:InvokeFunction on the recovery module's snapshot_function_arn output).
#
#   pre-deploy-snapshot.sh <snapshot-function-arn> <environment> [<migration about to be applied>]
#
# The commit is GITHUB_SHA / CI_COMMIT_SHA, else `git rev-parse HEAD`. The backup's label is
# pre-deploy-<first 12 digits of the commit>.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 <snapshot-function-arn> <environment> [<migration>]" >&2; exit 1; }
function_arn="$1"
environment="$2"
migration="${3:-}"
sha="${GITHUB_SHA:-${CI_COMMIT_SHA:-$(git rev-parse HEAD)}}"

payload="$(jq -cn --arg env "$environment" --arg sha "$sha" --arg migration "$migration" \
  '{environment: $env, label: "pre-deploy", git_sha: $sha} + (if $migration == "" then {} else {migration: $migration} end)')"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

# A synchronous invocation: the job waits for the backup (at most the function's timeout).
aws lambda invoke \
  --function-name "$function_arn" \
  --cli-binary-format raw-in-base64-out \
  --cli-read-timeout 960 \
  --payload "$payload" \
  "$out" >/dev/null

status="$(jq -r '.status // "unknown"' "$out")"
if [ "$status" != "done" ]; then
  echo "pre-deploy snapshot of $environment failed ($status):" >&2
  jq . "$out" >&2
  exit 1
fi
echo "snapshot $(jq -r .backupId "$out") of $environment taken at $(jq -r .migrations "$out")"
if [ "$(jq -r '.migrationMatches // true' "$out")" = "false" ]; then
  echo "warning: the database is not at migration $migration; check before deploying" >&2
fi
