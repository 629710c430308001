#!/usr/bin/env bash
# Process-level outcomes of the kdad binary (with the test-only method): exit 1 when a cell fails
# and the rest is stored, exit 3 with one "kdad: internal error:" line on a non-kdad exception,
# --dry-run printing each cell's stored status without touching the database, and the listing
# commands `version`, `methods` and `datasets formats`. Usage: cli_run_outcomes.sh KDAD_BINARY
set -u
kdad=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cd "$work" || exit 1

"$kdad" datasets make-synthetic data --size 48 --train 2 --test-good 2 --test-per-defect 1 \
  --categories disc,weave >/dev/null || { echo "FAIL: make-synthetic"; exit 1; }
cat >study.toml <<'TOML'
name = "outcomes"
database = "results/kdad.sqlite"
artifacts = "results/artifacts"
seeds = [0]

[[method]]
id = "pixel_stats"
preset = "tiny"

[[dataset]]
format = "mvtec_ad"
root = "data"
categories = "all"
TOML

# version: the kdad version, the build and every registered library
"$kdad" version >out 2>err; code=$?
[ $code -eq 0 ] && grep -q '^kdad [0-9]\+\.[0-9]\+\.[0-9]\+ (' out && grep -q '"pixel_stats":"test-1"' out && grep -q '"opencv"' out \
  && [ ! -s err ] || fail "version -> exit $code: $(cat out err)"

# methods: each registered method with its options, defaults and presets
"$kdad" methods >out 2>err; code=$?
[ $code -eq 0 ] && grep -q '^pixel_stats: ' out && grep -Eq '^ +size +integer +32 +16 ' out \
  && grep -Eq '^ +fail_category +text' out || fail "methods -> exit $code: $(cat out err)"

# datasets formats: every reader, one line each
"$kdad" datasets formats >out 2>err; code=$?
for format in mvtec_ad mpdd btad visa visa_prepared ksdd2 mvtec_ad2 mnist fashion_mnist cifar10 folder; do
  grep -q "^$format " out || fail "datasets formats lacks $format"
done
[ $code -eq 0 ] && [ "$(wc -l <out)" -eq 11 ] || fail "datasets formats -> exit $code, $(wc -l <out) lines"

# --dry-run before anything ran: the grid, nothing stored, no database created
"$kdad" run study.toml --dry-run >out 2>err; code=$?
[ $code -eq 0 ] && [ "$(grep -c 'pixel_stats\[tiny\]/mvtec_ad/' out)" -eq 2 ] && [ ! -e results/kdad.sqlite ] \
  || fail "dry run before the study -> exit $code, database $( [ -e results/kdad.sqlite ] && echo created || echo absent)"

# a failing cell: exit 1, the message in the table, the other cell stored ok
KDAD_TEST_FAIL_CATEGORY=disc "$kdad" run study.toml >out 2>err; code=$?
[ $code -eq 1 ] || fail "run with a failing cell -> exit $code (expected 1)"
grep -q "failed: disc: pixel_stats failed transiently" out || fail "failing cell's message not printed: $(cat out)"
statuses=$(sqlite3 results/kdad.sqlite "SELECT category || '=' || status FROM cells ORDER BY category" | tr '\n' ' ')
[ "$statuses" = "disc=failed weave=ok " ] || fail "stored statuses after a failing cell: $statuses"
[ "$(sqlite3 results/kdad.sqlite "SELECT status FROM runs")" = "failed" ] || fail "run not marked failed"

# --dry-run after it: each cell's stored status; the database file is left byte-identical
before=$(sha256sum results/kdad.sqlite)
"$kdad" run study.toml --dry-run >out 2>err; code=$?
[ $code -eq 0 ] && grep -Eq ' failed +pixel_stats\[tiny\]/mvtec_ad/disc/seed0$' out \
  && grep -Eq ' ok +pixel_stats\[tiny\]/mvtec_ad/weave/seed0$' out || fail "dry run statuses -> exit $code: $(cat out)"
[ "$(sha256sum results/kdad.sqlite)" = "$before" ] || fail "dry run modified the database"

# resume re-runs the failed cell only; the run is then ok (exit 0)
"$kdad" run study.toml --resume >out 2>err; code=$?
[ $code -eq 0 ] || fail "resume after fixing the failure -> exit $code: $(cat err)"
statuses=$(sqlite3 results/kdad.sqlite "SELECT category || '=' || status FROM cells ORDER BY category" | tr '\n' ' ')
[ "$statuses" = "disc=ok weave=ok " ] || fail "stored statuses after resume: $statuses"

# a non-kdad exception: exit 3, exactly one line, nothing stored lost
cells_before=$(sqlite3 results/kdad.sqlite "SELECT count(*) FROM cells WHERE status = 'ok'")
KDAD_TEST_INTERNAL_ERROR=1 "$kdad" run study.toml --calibrate >out 2>err; code=$?
[ $code -eq 3 ] && [ "$(wc -l <err)" -eq 1 ] && grep -q '^kdad: internal error: test calibration bug$' err \
  || fail "internal error -> exit $code, stderr: $(cat err)"
[ "$(sqlite3 results/kdad.sqlite "SELECT count(*) FROM cells WHERE status = 'ok'")" = "$cells_before" ] \
  || fail "cells lost after an internal error"

# progress written to a file (a CI log, nohup) arrives while the run goes on, not at its end
sed -e 's|preset = "tiny"|preset = "tiny"\noptions = { sleep_ms = 400 }|' -e 's|results/kdad.sqlite|slow.sqlite|' study.toml >slow.toml
"$kdad" run slow.toml >slow.log 2>&1 &
slow=$!
seen=0
for _ in $(seq 1 40); do
  if grep -q "started" slow.log && kill -0 $slow 2>/dev/null; then seen=1; break; fi
  sleep 0.1
done
kill $slow 2>/dev/null; wait $slow 2>/dev/null
[ $seen -eq 1 ] || fail "no progress line reached the log file while the run went on: $(cat slow.log)"

[ "$failures" -eq 0 ] && echo "exit codes 0/1/3, dry run, version, methods and formats as expected"
exit "$failures"
