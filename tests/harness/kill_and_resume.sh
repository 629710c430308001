#!/usr/bin/env bash
# Kills a real `kdad run` with SIGKILL in the middle of a study, checks that the database passes
# PRAGMA integrity_check and keeps every finished cell, then resumes to completion.
# Usage: kill_and_resume.sh KDAD_WITH_TEST_METHODS_BINARY
set -u
source "$(dirname "$0")/pixel_stats_study.sh"
kdad=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 command not installed (run ci/setup.sh)"; exit 77; }

"$kdad" datasets make-synthetic "$work/data" --size 48 --train 6 --test-good 2 --test-per-defect 1 \
  --categories weave,disc,speckle >/dev/null || fail "make-synthetic"
pixel_stats_study "$work/study.toml" "kill test" db.sqlite "[0, 1]" 150

# The keys a JSON log reports as finished with status ok.
finished_keys() {
  /usr/bin/python3 -c 'import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "cell_finished" and e.get("status") == "ok":
        print(e["key"])' "$1"
}

# Kill three times, each time in the middle of the cell after the first one this attempt finished
# (a cell takes about a second); the later attempts resume, so the grid advances between kills.
for attempt in 1 2 3; do
  resume=()
  [ "$attempt" -gt 1 ] && resume=(--resume)
  "$kdad" run "$work/study.toml" "${resume[@]}" --log-json "$work/events$attempt.jsonl" >"$work/run$attempt.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do
    grep -q '"event":"cell_finished"' "$work/events$attempt.jsonl" 2>/dev/null && break
    sleep 0.1
  done
  sleep 0.3
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  [ -f "$work/db.sqlite" ] || continue
  check=$(sqlite3 "$work/db.sqlite" "PRAGMA integrity_check")
  [ "$check" = "ok" ] || fail "integrity_check after kill $attempt: $check"
  # Every cell the log reported finished before the kill is in the store with status ok.
  reported=0
  for key in $(finished_keys "$work/events$attempt.jsonl"); do
    reported=$((reported + 1))
    status=$(sqlite3 "$work/db.sqlite" "SELECT status FROM cells WHERE key = '$key'")
    [ "$status" = "ok" ] || fail "kill $attempt: cell $key was reported finished but is stored as '$status'"
  done
  [ "$reported" -ge 1 ] || fail "kill $attempt: no cell was reported finished before the kill"
  echo "kill $attempt: $reported cell(s) reported finished, all stored ok"
done
done_before=$(sqlite3 "$work/db.sqlite" "SELECT count(*) FROM cells WHERE status = 'ok'")
[ "$done_before" -ge 1 ] && [ "$done_before" -lt 6 ] || fail "expected a partial study after the kills, found $done_before of 6 cells"

"$kdad" run "$work/study.toml" --resume --log-json "$work/resume.jsonl" >"$work/resume.log" 2>&1 || fail "resume: $(tail -3 "$work/resume.log")"
skipped=$(sed -n 's/.* \([0-9][0-9]*\) skipped (already finished).*/\1/p' "$work/resume.log")
[ "$skipped" = "$done_before" ] || fail "resume skipped '$skipped' cells, expected the $done_before finished before the kills"
skipped_events=$(grep -c '"event":"cell_skipped"' "$work/resume.jsonl")
[ "$skipped_events" -eq "$done_before" ] || fail "the resume log has $skipped_events skip events, expected $done_before"
[ "$(sqlite3 "$work/db.sqlite" "SELECT count(*) FROM cells WHERE status = 'ok'")" -eq 6 ] || fail "resume did not complete the grid"
[ "$(sqlite3 "$work/db.sqlite" "PRAGMA integrity_check")" = "ok" ] || fail "integrity_check after resume"
interrupted=$(sqlite3 "$work/db.sqlite" "SELECT count(*) FROM runs WHERE status = 'interrupted'")
[ "$interrupted" -ge 1 ] || fail "killed runs were not marked interrupted"
[ "$(sqlite3 "$work/db.sqlite" "SELECT status FROM runs ORDER BY id DESC LIMIT 1")" = "ok" ] || fail "last run not ok"
echo "killed 3 times with $done_before of 6 cells stored; integrity ok; resume skipped exactly those and completed the grid; $interrupted run(s) marked interrupted"
