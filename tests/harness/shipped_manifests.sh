#!/usr/bin/env bash
# Every manifest shipped in manifests/ is read and checked by `kdad run --dry-run`, as a user would
# start it: the demo data and an MVTec-AD-layout stand-in (the 15 category names, generated images)
# are put where the manifests expect them. Catches a renamed option, preset or key in any study.
# Usage: shipped_manifests.sh KDAD_BINARY PROJECT_SOURCE_DIR
set -u
kdad=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cd "$work" || exit 1

cp -r "$source_dir/manifests" manifests
mvtec_categories=bottle,cable,capsule,carpet,grid,hazelnut,leather,metal_nut,pill,screw,tile,toothbrush,transistor,wood,zipper
"$kdad" datasets make-synthetic out/demo/data --size 32 --train 1 --test-good 1 --test-per-defect 1 >/dev/null \
  || { echo "FAIL: make-synthetic (demo)"; exit 1; }
"$kdad" datasets make-synthetic one --size 32 --train 1 --test-good 1 --test-per-defect 1 --categories weave >/dev/null \
  || { echo "FAIL: make-synthetic (MVTec AD stand-in)"; exit 1; }
mkdir -p datasets/mvtec_anomaly_detection
for category in ${mvtec_categories//,/ }; do cp -r one/weave "datasets/mvtec_anomaly_detection/$category"; done
mkdir -p datasets/dtd/images/banded
# An MVTec AD 2 stand-in: the 8 scenes, each with every folder of the published layout.
for scene in can fabric fruit_jelly rice sheet_metal vial wallplugs walnuts; do
  base=datasets/mvtec_ad_2/$scene
  mkdir -p "$base/train/good" "$base/validation/good" "$base/test_public/good" "$base/test_public/bad" \
    "$base/test_public/ground_truth/bad" "$base/test_private" "$base/test_private_mixed"
  cp one/weave/train/good/000.png "$base/train/good/000_regular.png"
  cp one/weave/train/good/000.png "$base/validation/good/000_regular.png"
  cp one/weave/test/good/000.png "$base/test_public/good/000_regular.png"
  defect=$(ls one/weave/test | grep -v good | head -1)
  cp "one/weave/test/$defect/000.png" "$base/test_public/bad/000_regular.png"
  cp "one/weave/ground_truth/$defect/000_mask.png" "$base/test_public/ground_truth/bad/000_regular_mask.png"
  cp one/weave/test/good/000.png "$base/test_private/000_regular.png"
  cp one/weave/test/good/000.png "$base/test_private_mixed/000_mixed.png"
done

checked=0
for manifest in manifests/*.toml; do
  checked=$((checked + 1))
  "$kdad" run "$manifest" --dry-run >dry.out 2>dry.err; code=$?
  if [ $code -ne 0 ]; then
    fail "$manifest -> exit $code: $(head -c 2000 dry.err)"
    continue
  fi
  # One line per cell (method x dataset x category x seed); an MVTec AD paper study covers all 15 categories.
  cells=$(grep -Ec '^ +[0-9]+  [0-9a-f]{16}  ' dry.out)
  least=1
  case "$manifest" in *_paper.toml) least=15 ;; *mvtec_ad2*) least=16 ;; esac
  [ "$cells" -ge "$least" ] || fail "$manifest: the dry run lists $cells cells (expected at least $least): $(head -c 2000 dry.out)"
done
shipped=$(ls "$source_dir"/manifests/*.toml | wc -l)
[ "$checked" -eq "$shipped" ] && [ "$checked" -ge 7 ] || fail "checked $checked manifests of $shipped shipped"
[ $failures -eq 0 ] && echo "all $checked shipped manifests read and checked" || exit 1
