#!/usr/bin/env bash
# `kdad run --checkpoint` evaluates official MKD cloner files (written by tests/data/mkd_reference.py
# in the official layout) per category without training, and names a file that does not fit.
# Usage: official_checkpoint_cli.sh KDAD_BINARY SOURCE_DIR. Exits 77 without python3-torch.
set -u
kdad=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
/usr/bin/python3 "$source_dir/tests/data/mkd_reference.py" "$work/ref" >"$work/ref.log" 2>&1
code=$?
[ $code -eq 77 ] && { cat "$work/ref.log"; exit 77; }
[ $code -eq 0 ] || { echo "FAIL: mkd_reference.py exited $code"; cat "$work/ref.log"; exit 1; }
cd "$work" || exit 1
"$kdad" datasets make-synthetic data --size 64 --train 1 --test-good 2 --test-per-defect 1 --categories weave,disc >/dev/null
cp ref/Cloner_weave_epoch_600.pth ref/Cloner_disc_epoch_600.pth
cat >study.toml <<'TOML'
name = "official"
database = "r.sqlite"
artifacts = "artifacts"
gallery = false

[[method]]
id = "mkd"
preset = "paper"
options = { weights_dir = "ref/weights", image_size = 64, localization = "gradients" }

[[dataset]]
format = "mvtec_ad"
root = "data"
categories = "all"
TOML
"$kdad" run study.toml --checkpoint 'ref/Cloner_{category}_epoch_600.pth' >out 2>err; code=$?
[ $code -eq 0 ] || fail "run --checkpoint -> exit $code: $(cat err)"
kinds=$(sqlite3 r.sqlite "SELECT category || '=' || kind || '/' || status FROM cells ORDER BY category" | tr '\n' ' ')
[ "$kinds" = "disc=checkpoint_eval/ok weave=checkpoint_eval/ok " ] || fail "stored cells: $kinds"
[ "$(sqlite3 r.sqlite "SELECT count(*) FROM timings WHERE phase = 'fit'")" = 0 ] || fail "a fit was timed"
grep -q "vgg16-397923af.pth" <(sqlite3 r.sqlite "SELECT weights FROM cells") || fail "weights provenance"
ls artifacts/*/checkpoint >/dev/null 2>&1 && fail "a checkpoint was saved although nothing was trained"
# A file of another network: the cell fails naming the file and the tensor; the run exits 1.
cp ref/weights/vgg16-397923af.pth ref/Cloner_disc_epoch_600.pth
"$kdad" run study.toml --checkpoint 'ref/Cloner_{category}_epoch_600.pth' >out 2>err; code=$?
[ $code -eq 1 ] || fail "a non-cloner file -> exit $code (expected 1)"
grep -q "failed: .*Cloner_disc_epoch_600.pth" out || fail "the failing file is not named: $(cat out)"
[ "$failures" -eq 0 ] && echo "official MKD checkpoints evaluated per category without training"
exit "$failures"
