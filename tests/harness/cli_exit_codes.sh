#!/usr/bin/env bash
# Malformed inputs to the kdad binary: each must exit 2 with exactly one "kdad: error:" line
# on stderr that names the file or option at fault. Usage: cli_exit_codes.sh KDAD_BINARY
set -u
kdad=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

expect_error() {  # expect_error NEEDLE ARGS...
  local needle=$1; shift
  "$kdad" "$@" >"$work/out" 2>"$work/err"
  local code=$?
  local lines
  lines=$(wc -l <"$work/err")
  if [ "$code" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q "^kdad: error: .*$needle" "$work/err"; then
    echo "FAIL: kdad $* -> exit $code, stderr: $(cat "$work/err")"
    failures=$((failures + 1))
  fi
}

"$kdad" datasets make-synthetic "$work/data" --size 48 --train 1 --test-good 2 --test-per-defect 1 \
  --categories disc --maps "$work/maps" >/dev/null || { echo "FAIL: make-synthetic"; exit 1; }

expect_error "unknown command" frobnicate
KDAD_ALLOCATOR=jemalloc expect_error "KDAD_ALLOCATOR" methods
expect_error "limit" eval --dataset "$work/data" --maps "$work/maps" --limit 2
expect_error "rd4ad-policy" eval --dataset "$work/data" --maps "$work/maps" --rd4ad-policy maybe
expect_error "nowhere" eval --dataset "$work/nowhere" --maps "$work/maps"
expect_error "maps folder not found" eval --dataset "$work/data" --maps "$work/nomaps"
expect_error "not an empty folder" datasets make-synthetic "$work/data"
expect_error "size" datasets make-synthetic "$work/other" --size 8
printf 'not sqlite at all, definitely not' >"$work/notes.db"
expect_error "notes.db" eval --dataset "$work/data" --maps "$work/maps" --store "$work/notes.db" --categories disc
cmp -s "$work/notes.db" <(printf 'not sqlite at all, definitely not') || { echo "FAIL: notes.db modified"; failures=$((failures + 1)); }
rm "$work/maps/disc/test/scratch/000.tiff"
expect_error "scratch/000.tiff" eval --dataset "$work/data" --maps "$work/maps"

# verify prints a report on stdout and exits 2 when the layout is unsound, 0 when it is sound
"$kdad" datasets verify "$work/data" --format mvtec_ad >"$work/out" || { echo "FAIL: verify of a sound dataset"; failures=$((failures + 1)); }
cp "$work/data/disc/ground_truth/blob/000_mask.png" "$work/data/disc/ground_truth/blob/042_mask.png"
"$kdad" datasets verify "$work/data" --format mvtec_ad >"$work/out"
code=$?
if [ "$code" -ne 2 ] || ! grep -q "042_mask.png" "$work/out"; then
  echo "FAIL: verify with an orphan mask -> exit $code"; failures=$((failures + 1))
fi
"$kdad" datasets verify "$work/data/disc" --format mvtec_ad >"$work/out"
[ $? -eq 2 ] && grep -q "no categories found" "$work/out" || { echo "FAIL: verify of a category folder"; failures=$((failures + 1)); }
rm "$work/data/disc/ground_truth/blob/042_mask.png"
expect_error "format" datasets verify "$work/data" --format imagenet
expect_error "manifest not found" run "$work/absent.toml"
printf '[[method]]\nid = "rd"\npreset = "tiny"\ncolour = 1\n[[dataset]]\nformat = "mvtec_ad"\nroot = "data"\n' >"$work/bad.toml"
expect_error "bad.toml:4: unknown key 'colour'" run "$work/bad.toml"
expect_error "pretrained" run "$work/bad.toml" --pretrained sometimes

"$kdad" --help >/dev/null || { echo "FAIL: --help exit code"; failures=$((failures + 1)); }
[ "$failures" -eq 0 ] && echo "all malformed inputs rejected with exit 2 and one line"
exit "$failures"
