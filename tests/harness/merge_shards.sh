#!/usr/bin/env bash
# `kdad merge`: shards of one grid (here: one database per seed) combined without duplicates, every
# run's provenance kept, a second merge changing nothing, a newer or foreign shard refused before
# anything is written. Usage: merge_shards.sh KDAD_WITH_TEST_METHODS_BINARY
set -u
source "$(dirname "$0")/pixel_stats_study.sh"
kdad=$(readlink -f "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 command not installed (run ci/setup.sh)"; exit 77; }
cd "$work" || exit 1

"$kdad" datasets make-synthetic data --size 48 --train 2 --test-good 2 --test-per-defect 1 \
  --categories weave,disc >/dev/null || fail "make-synthetic"
for seed in 0 1; do
  pixel_stats_study "shard$seed.toml" "shard $seed" "shard$seed.sqlite" "[$seed]" 0
  "$kdad" run "shard$seed.toml" >"run$seed.log" 2>&1 || fail "shard $seed: $(tail -3 "run$seed.log")"
done

"$kdad" merge shard0.sqlite shard1.sqlite --into merged.sqlite >merge1.log 2>&1 || fail "merge: $(cat merge1.log)"
[ "$(sqlite3 merged.sqlite "SELECT count(*) FROM cells WHERE status = 'ok'")" -eq 4 ] || fail "merged database lacks cells: $(cat merge1.log)"
[ "$(sqlite3 merged.sqlite "SELECT count(DISTINCT uuid) FROM runs")" -eq 2 ] || fail "a run's provenance was lost"
for shard in shard0 shard1; do
  uuid=$(sqlite3 "$shard.sqlite" "SELECT uuid FROM runs")
  cells=$(sqlite3 merged.sqlite "SELECT count(*) FROM cells c JOIN runs r ON c.run_id = r.id WHERE r.uuid = '$uuid'")
  [ "$cells" -eq 2 ] || fail "the cells of $shard are not attributed to its run ($cells)"
  [ "$(sqlite3 merged.sqlite "SELECT status FROM runs WHERE uuid = '$uuid'")" = "ok" ] || fail "run status of $shard not kept"
done
[ "$(sqlite3 merged.sqlite "SELECT count(*) FROM images")" -eq "$(( $(sqlite3 shard0.sqlite "SELECT count(*) FROM images") + $(sqlite3 shard1.sqlite "SELECT count(*) FROM images") ))" ] \
  || fail "image scores not merged"

# Idempotent: merging again (and a shard twice in one call) adds nothing.
before=$(sqlite3 merged.sqlite "SELECT group_concat(key || run_id || ended_at) FROM cells ORDER BY key")
"$kdad" merge shard0.sqlite shard1.sqlite shard0.sqlite --into merged.sqlite >merge2.log 2>&1 || fail "second merge: $(cat merge2.log)"
grep -q "shard1.sqlite: 0 run(s) added, 0 cell(s) added, 0 replaced by later ones, 2 already present" merge2.log \
  || fail "second merge did not report everything present: $(cat merge2.log)"
[ "$(sqlite3 merged.sqlite "SELECT group_concat(key || run_id || ended_at) FROM cells ORDER BY key")" = "$before" ] \
  || fail "a second merge changed the cells"

# Refused before anything is written: a shard of a newer schema, a file that is not a kdad store.
cp shard0.sqlite newer.sqlite
sqlite3 newer.sqlite "PRAGMA user_version = 99"
printf 'not a database' >notes.sqlite
checksum=$(sha256sum merged.sqlite | cut -d' ' -f1)
for bad in newer.sqlite notes.sqlite; do
  "$kdad" merge shard1.sqlite "$bad" --into merged.sqlite >bad.log 2>&1
  code=$?
  [ $code -eq 2 ] && grep -q "^kdad: error: $bad" bad.log || fail "merge of $bad -> exit $code: $(cat bad.log)"
done
[ "$(sha256sum merged.sqlite | cut -d' ' -f1)" = "$checksum" ] || fail "a refused merge modified the merged database"

# The merged database is a results database like any other.
"$kdad" table merged.sqlite --format csv >table.csv 2>&1 || fail "table of the merged database: $(cat table.csv)"
grep -q "weave" table.csv || fail "merged table lacks a category"
echo "merged 2 shards into 4 cells and 2 runs; a second merge added nothing; newer and foreign shards refused"
