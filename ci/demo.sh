#!/usr/bin/env bash
# The end-to-end demo: generate an MVTec-layout dataset, produce anomaly maps, evaluate them exactly
# and record the results in the SQLite store (results/kdad.sqlite). Run from the repository root
# after building (README, first command).
set -euo pipefail
cd "$(dirname "$0")/.."
kdad=build/kdad
[ -x "$kdad" ] || { echo "demo: $kdad not found; build first (README, first command)" >&2; exit 2; }

demo=out/demo
rm -rf "$demo"  # generated on every run; results/ keeps every past evaluation
mkdir -p results
"$kdad" datasets make-synthetic "$demo/data" --size 128 --train 16 --test-good 8 --test-per-defect 4 \
  --seed 1 --maps "$demo/maps" --map-strength 1.2
"$kdad" eval --dataset "$demo/data" --maps "$demo/maps" --store results/kdad.sqlite
echo "demo: results stored in results/kdad.sqlite (sqlite3 results/kdad.sqlite 'select * from metrics')"
