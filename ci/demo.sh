#!/usr/bin/env bash
# The end-to-end demo: generate an MVTec-layout dataset, train and evaluate RD and MRKD on it
# (tiny presets: ResNet18 teacher with seeded random weights, 128 px), store every result with its
# provenance in results/kdad.sqlite, print the table and write the HTML report.
# Run from the repository root after building (README, first command).
set -euo pipefail
cd "$(dirname "$0")/.."
kdad=build/kdad
[ -x "$kdad" ] || { echo "demo: $kdad not found; build first (README, first command)" >&2; exit 2; }

data=out/demo/data
if [ ! -d "$data" ]; then
  "$kdad" datasets make-synthetic "$data" --size 128 --train 16 --test-good 8 --test-per-defect 4 --seed 1
fi
"$kdad" datasets verify "$data" --format mvtec_ad | tail -1
# --resume: a second demo run reuses the cells already in the store.
"$kdad" run manifests/demo.toml --resume
echo
echo "demo: the same store also gives, e.g.:"
echo "  build/kdad table results/kdad.sqlite --format latex --std"
echo "  build/kdad compare results/kdad.sqlite results/kdad.sqlite"
# Last: the report's path, to open in a browser.
"$kdad" report results/kdad.sqlite --html results/report.html --title "kdad demo (random teachers)"
