#!/usr/bin/env bash
# Kills a real `kdad run` with SIGKILL in the middle of a study, checks that the database passes
# PRAGMA integrity_check and keeps every finished cell, then resumes to completion.
# Usage: kill_and_resume.sh KDAD_WITH_TEST_METHODS_BINARY
set -u
kdad=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 command not installed (run ci/setup.sh)"; exit 77; }

"$kdad" datasets make-synthetic "$work/data" --size 48 --train 6 --test-good 2 --test-per-defect 1 \
  --categories weave,disc,speckle >/dev/null || fail "make-synthetic"
cat >"$work/study.toml" <<TOML
name = "kill test"
database = "db.sqlite"
artifacts = "artifacts"
seeds = [0, 1]
threads = 1
[[method]]
id = "pixel_stats"
preset = "tiny"
options = { sleep_ms = 60 }
[[dataset]]
format = "mvtec_ad"
root = "data"
TOML

for attempt in 1 2 3; do
  "$kdad" run "$work/study.toml" --log-json "$work/events.jsonl" >"$work/run$attempt.log" 2>&1 &
  pid=$!
  sleep "1.$((attempt * 3))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  [ -f "$work/db.sqlite" ] || continue
  check=$(sqlite3 "$work/db.sqlite" "PRAGMA integrity_check")
  [ "$check" = "ok" ] || fail "integrity_check after kill $attempt: $check"
done
done_before=$(sqlite3 "$work/db.sqlite" "SELECT count(*) FROM cells WHERE status = 'ok'")
[ "$done_before" -ge 1 ] && [ "$done_before" -lt 6 ] || fail "expected a partial study after the kills, found $done_before of 6 cells"

"$kdad" run "$work/study.toml" --resume >"$work/resume.log" 2>&1 || fail "resume: $(tail -3 "$work/resume.log")"
grep -q "skipped" "$work/resume.log" || fail "resume did not report skipped cells"
[ "$(sqlite3 "$work/db.sqlite" "SELECT count(*) FROM cells WHERE status = 'ok'")" -eq 6 ] || fail "resume did not complete the grid"
[ "$(sqlite3 "$work/db.sqlite" "PRAGMA integrity_check")" = "ok" ] || fail "integrity_check after resume"
interrupted=$(sqlite3 "$work/db.sqlite" "SELECT count(*) FROM runs WHERE status = 'interrupted'")
[ "$interrupted" -ge 1 ] || fail "killed runs were not marked interrupted"
[ "$(sqlite3 "$work/db.sqlite" "SELECT status FROM runs ORDER BY id DESC LIMIT 1")" = "ok" ] || fail "last run not ok"
echo "killed 3 times with $done_before of 6 cells stored; integrity ok; resume completed the grid; $interrupted run(s) marked interrupted"
