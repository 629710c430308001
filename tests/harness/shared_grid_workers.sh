#!/usr/bin/env bash
# Workers sharing a grid: `kdad run` processes started on one manifest and one database split the
# cells, each computed once; a worker killed mid-cell leaves its cell to the survivor, which waits
# for the claim to die and computes it. Usage: shared_grid_workers.sh KDAD_WITH_TEST_METHODS_BINARY
set -u
source "$(dirname "$0")/pixel_stats_study.sh"
kdad=$(readlink -f "$1")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 command not installed (run ci/setup.sh)"; exit 77; }
cd "$work" || exit 1

"$kdad" datasets make-synthetic data --size 48 --train 4 --test-good 2 --test-per-defect 1 \
  --categories weave,disc,speckle >/dev/null || fail "make-synthetic"
write_manifest() {  # write_manifest DATABASE SLEEP_MS
  pixel_stats_study "study-$1.toml" "shared grid" "$1.sqlite" "[0, 1]" "$2"
}
# Cells finished by the worker whose JSON log is $1.
finished() { local n; n=$(grep -c '"event":"cell_finished"' "$1" 2>/dev/null); echo "${n:-0}"; }

# 1. Two workers at once on 6 cells (about a second each): every cell computed exactly once.
write_manifest shared 200
"$kdad" run study-shared.toml --log-json a.jsonl >a.log 2>&1 &
a=$!
"$kdad" run study-shared.toml --log-json b.jsonl >b.log 2>&1 &
b=$!
wait $a || fail "worker a: $(tail -3 a.log)"
wait $b || fail "worker b: $(tail -3 b.log)"
done_a=$(finished a.jsonl)
done_b=$(finished b.jsonl)
[ $((done_a + done_b)) -eq 6 ] || fail "workers computed $done_a + $done_b cells, expected 6 in all"
[ "$done_a" -ge 1 ] && [ "$done_b" -ge 1 ] || fail "one worker computed every cell ($done_a / $done_b): the grid was not shared"
[ "$(sqlite3 shared.sqlite "SELECT count(*) FROM cells WHERE status = 'ok'")" -eq 6 ] || fail "not every cell is stored ok"
[ "$(sqlite3 shared.sqlite "SELECT count(*) FROM claims")" -eq 0 ] || fail "claims left behind after both workers finished"
grep -q "left to other workers" a.log || grep -q "left to other workers" b.log || fail "no worker reported cells left to the other"
echo "two workers: $done_a + $done_b cells, each computed once"

# 2. A worker killed in the middle of a cell: the survivor takes its claim over and completes the grid.
write_manifest killed 400
"$kdad" run study-killed.toml --log-json k.jsonl >k.log 2>&1 &
victim=$!
for _ in $(seq 100); do
  grep -q '"event":"cell_started"' k.jsonl 2>/dev/null && break
  sleep 0.1
done
"$kdad" run study-killed.toml --log-json s.jsonl >s.log 2>&1 &
survivor=$!
sleep 0.5
kill -9 $victim
wait $victim 2>/dev/null
wait $survivor || fail "survivor: $(tail -3 s.log)"
[ "$(sqlite3 killed.sqlite "SELECT count(*) FROM cells WHERE status = 'ok'")" -eq 6 ] || fail "the grid is incomplete after the kill"
taken_over=$(sqlite3 killed.sqlite "SELECT count(*) FROM cells c JOIN runs r ON c.run_id = r.id WHERE r.pid = $survivor")
[ "$taken_over" -ge 1 ] || fail "the survivor computed no cell"
first=$(sed -n 's/.*"event":"cell_started".*"key":"\([0-9a-f]*\)".*/\1/p' k.jsonl | head -1)
[ -n "$first" ] || fail "the killed worker never started a cell"
owner=$(sqlite3 killed.sqlite "SELECT r.pid FROM cells c JOIN runs r ON c.run_id = r.id WHERE c.key = '$first'")
if [ "$(finished k.jsonl)" -eq 0 ]; then
  [ "$owner" = "$survivor" ] || fail "the cell the killed worker held was not taken over by the survivor (stored by pid '$owner')"
fi
[ "$(sqlite3 killed.sqlite "PRAGMA integrity_check")" = "ok" ] || fail "integrity_check after the kill"
echo "killed worker: the survivor took its cell over and stored the whole grid ($taken_over cells)"
