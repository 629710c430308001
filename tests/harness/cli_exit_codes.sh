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
expect_error "MANIFEST argument" plan
expect_error "SHARDS argument" merge --into "$work/merged.sqlite"
printf 'database = "ok.sqlite"\n[[method]]\nid = "rd"\npreset = "tiny"\n[[dataset]]\nformat = "mvtec_ad"\nroot = "data"\n' >"$work/ok.toml"
expect_error "--time: 'banana'" plan "$work/ok.toml" --slurm "$work/plan" --time banana
expect_error "--mem: '12X'" plan "$work/ok.toml" --slurm "$work/plan" --mem 12X
[ -e "$work/plan" ] && { echo "FAIL: a plan was written despite an error"; failures=$((failures + 1)); }
# No machine has 100 GPUs: refused before the database exists, with or without CUDA in this build.
expect_error "cuda:99" run "$work/ok.toml" --device cuda:99
[ -e "$work/ok.sqlite" ] && { echo "FAIL: database created for a device that cannot run"; failures=$((failures + 1)); }

# report, table and compare read a store and refuse bad inputs before writing anything
"$kdad" datasets make-synthetic "$work/d2" --size 48 --train 1 --test-good 2 --test-per-defect 1 --categories disc \
  --maps "$work/m2" >/dev/null
"$kdad" eval --dataset "$work/d2" --maps "$work/m2" --store "$work/r.sqlite" >/dev/null || { echo "FAIL: eval --store"; failures=$((failures + 1)); }
"$kdad" eval --dataset "$work/d2" --maps "$work/m2" --store "$work/r.sqlite" --limit 0.1 >/dev/null
expect_error "no such results database" report "$work/absent.sqlite" --html "$work/r.html"
expect_error "notes.db" report "$work/notes.db" --html "$work/r.html"
[ -e "$work/r.html" ] && { echo "FAIL: report written despite an error"; failures=$((failures + 1)); }
expect_error "--method" report "$work/r.sqlite" --html "$work/r.html" --method nosuch
expect_error "--run" table "$work/r.sqlite" --run 12
expect_error "--protocol" table "$work/r.sqlite"
expect_error "--format" table "$work/r.sqlite" --format docx
expect_error "--decimals" table "$work/r.sqlite" --decimals 9
expect_error "never compared" compare "$work/r.sqlite" "$work/r.sqlite" --baseline-run "$(sqlite3 "$work/r.sqlite" 'select uuid from runs order by id limit 1')" \
  --candidate-run "$(sqlite3 "$work/r.sqlite" 'select uuid from runs order by id desc limit 1')"
expect_error "--tolerance" compare "$work/r.sqlite" "$work/r.sqlite" --tolerance -1
protocol=$(sqlite3 "$work/r.sqlite" 'select protocol_id from cells order by id limit 1')
"$kdad" compare "$work/r.sqlite" "$work/r.sqlite" --protocol "$protocol" >"$work/out"
[ $? -eq 0 ] && grep -q "no regression" "$work/out" || { echo "FAIL: compare of a store with itself"; failures=$((failures + 1)); }
"$kdad" table "$work/r.sqlite" --protocol "$protocol" --format csv >"$work/out" || { echo "FAIL: table"; failures=$((failures + 1)); }

"$kdad" --help >/dev/null || { echo "FAIL: --help exit code"; failures=$((failures + 1)); }
[ "$failures" -eq 0 ] && echo "all malformed inputs rejected with exit 2 and one line"
exit "$failures"
