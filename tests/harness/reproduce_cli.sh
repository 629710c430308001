#!/usr/bin/env bash
# `kdad reproduce DB CELL` on the real binary: RD and MRKD cells (MRKD's test-time masks are
# random) re-run from their records give identical values on CPU; a changed stored value, a changed
# dataset or another code version is reported (exit 1, or 2 before anything runs unless --force);
# unknown, ambiguous and `kdad eval` cells are usage errors. Usage: reproduce_cli.sh KDAD_BINARY
set -u
kdad=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cd "$work" || exit 1

"$kdad" datasets make-synthetic data --size 32 --train 3 --test-good 2 --test-per-defect 1 --categories weave \
  --maps maps >/dev/null || { echo "FAIL: make-synthetic"; exit 1; }
cat >study.toml <<'TOML'
name = "reproduce"
database = "r.sqlite"
artifacts = "artifacts"
gallery = false
seeds = [3]

[[method]]
id = "rd"
preset = "tiny"
options = { image_size = 32, epochs = 1 }

[[method]]
id = "mrkd"
preset = "tiny"
options = { image_size = 32, epochs = 1 }

[[dataset]]
format = "mvtec_ad"
root = "data"
categories = "all"
TOML
"$kdad" run study.toml >run.log 2>&1 || { echo "FAIL: run"; cat run.log; exit 1; }
rd=$(sqlite3 r.sqlite "SELECT substr(key, 1, 10) FROM cells WHERE method_id = 'rd'")
mrkd=$(sqlite3 r.sqlite "SELECT id FROM cells WHERE method_id = 'mrkd'")
[ -n "$rd" ] && [ -n "$mrkd" ] || { echo "FAIL: cells not stored"; exit 1; }

# The same build on the same data: every value identical, by key prefix and by id.
for cell in "$rd" "$mrkd"; do
  "$kdad" reproduce r.sqlite "$cell" >out 2>err; code=$?
  [ $code -eq 0 ] && grep -q "reproduced: every metric and image score agrees within 0" out \
    && grep -Eq "^pixel_auroc +[0-9.]+ +[0-9.]+ +0$" out || fail "reproduce $cell -> exit $code: $(cat out err)"
done
[ "$(sqlite3 r.sqlite "SELECT count(*) FROM cells")" = 2 ] || fail "reproduce wrote to the database"

# A stored value that the re-run does not give: exit 1, the metric marked; a tolerance covers it.
sqlite3 r.sqlite "UPDATE metrics SET value = value - 0.001 WHERE name = 'image_auroc' AND cell_id = $mrkd"
"$kdad" reproduce r.sqlite "$mrkd" >out 2>err; code=$?
[ $code -eq 1 ] && grep -q "^image_auroc .*DIFFERS" out && grep -q "NOT reproduced: 1 metrics" out \
  || fail "changed value -> exit $code: $(cat out err)"
"$kdad" reproduce r.sqlite "$mrkd" --tolerance 0.01 >out 2>err; code=$?
[ $code -eq 0 ] || fail "changed value within --tolerance -> exit $code: $(cat out err)"

# Another code version: refused before anything runs, named; --force re-runs.
version=$(sqlite3 r.sqlite "SELECT kdad_version FROM runs LIMIT 1")
sqlite3 r.sqlite "UPDATE runs SET kdad_version = '0.0.1'"
"$kdad" reproduce r.sqlite "$rd" >out 2>err; code=$?
[ $code -eq 2 ] && grep -q "computed by kdad 0.0.1" err && grep -q -- "--force" err && [ ! -s out ] \
  || fail "other version -> exit $code: $(cat out err)"
"$kdad" reproduce r.sqlite "$rd" --force >out 2>err; code=$?
[ $code -eq 0 ] && grep -q "note: .*computed by kdad 0.0.1" out || fail "other version --force -> exit $code: $(cat out err)"

# Another dataset (a training image more): refused, named.
sqlite3 r.sqlite "UPDATE runs SET kdad_version = '$version'"
cp data/weave/train/good/000.png data/weave/train/good/900.png
"$kdad" reproduce r.sqlite "$rd" >out 2>err; code=$?
[ $code -eq 2 ] && grep -q "the dataset differs" err || fail "changed dataset -> exit $code: $(cat out err)"
rm data/weave/train/good/900.png

# Cells that cannot be reproduced: unknown, ambiguous, maps given as files.
"$kdad" reproduce r.sqlite ffffffffffff >out 2>err; code=$?
[ $code -eq 2 ] && grep -q "no such cell" err || fail "unknown cell -> exit $code: $(cat err)"
"$kdad" eval --dataset data --maps maps --store r.sqlite >/dev/null 2>&1 || fail "eval into the store"
eval_cell=$(sqlite3 r.sqlite "SELECT id FROM cells WHERE kind = 'eval'")
"$kdad" reproduce r.sqlite "$eval_cell" >out 2>err; code=$?
[ $code -eq 2 ] && grep -q "kdad eval" err || fail "eval cell -> exit $code: $(cat err)"
"$kdad" reproduce missing.sqlite 1 >out 2>err; code=$?
[ $code -eq 2 ] && grep -q "missing.sqlite" err || fail "missing database -> exit $code: $(cat err)"

[ $failures -eq 0 ] && echo "reproduce: identical values, every refusal named" || exit 1
