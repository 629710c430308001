#!/usr/bin/env bash
# Cross-check: `kdad eval` against the independent Python implementation of the MVTec AD protocol
# (tests/data/mvtec_reference_eval.py) on a generated dataset; values must agree to 1e-9.
# Usage: eval_matches_reference.sh KDAD_BINARY SOURCE_DIR. Exits 77 (skipped) without Debian's
# python3 packages numpy, scipy, sklearn, tifffile and PIL.
set -eu
kdad=$1
source_dir=$2
python=/usr/bin/python3
if ! "$python" -c "import numpy, scipy, sklearn, tifffile, PIL" 2>/dev/null; then
  echo "skipped: /usr/bin/python3 lacks numpy/scipy/sklearn/tifffile/PIL (run ci/setup.sh)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$kdad" datasets make-synthetic "$work/data" --size 96 --train 1 --test-good 5 --test-per-defect 4 \
  --seed 11 --maps "$work/maps" --map-strength 1.0 >/dev/null
"$kdad" eval --dataset "$work/data" --maps "$work/maps" --json >"$work/kdad.json"
"$python" "$source_dir/tests/data/mvtec_reference_eval.py" --dataset "$work/data" --maps "$work/maps" >"$work/ref.json"
"$kdad" eval --dataset "$work/data" --maps "$work/maps" --json --limit 0.05 >"$work/kdad05.json"
"$python" "$source_dir/tests/data/mvtec_reference_eval.py" --dataset "$work/data" --maps "$work/maps" --limit 0.05 >"$work/ref05.json"
"$python" - "$work" <<'PY'
import json, sys
work = sys.argv[1]
METRICS = ("image_auroc", "au_pro", "pixel_auroc", "pixel_ap", "image_ap", "pixel_f1_max", "image_f1_max")
worst = 0.0
checked = 0
failures = []


def compare(where, a, b):
    global worst, checked
    if (a is None) != (b is None):
        failures.append(f"{where}: kdad {a} vs reference {b}")
    elif a is not None:
        worst = max(worst, abs(a - b))
        checked += 1


for suffix in ("", "05"):
    ours = json.load(open(f"{work}/kdad{suffix}.json"))
    ref = json.load(open(f"{work}/ref{suffix}.json"))
    ours_by_name = {c["category"]: c for c in ours["categories"]}
    if sorted(ours_by_name) != sorted(ref["categories"]):
        failures.append(f"categories: kdad {sorted(ours_by_name)} vs reference {sorted(ref['categories'])}")
    for name, expected in ref["categories"].items():
        if name not in ours_by_name:
            continue
        for metric in METRICS:
            compare(f"{name} {metric}", ours_by_name[name]["metrics"].get(metric), expected[metric])
    for metric in METRICS:
        compare(f"mean {metric}", ours["mean"].get(metric), ref["mean"][metric])
expected_values = 2 * (len(ref["categories"]) + 1) * len(METRICS)
print(f"{checked} values compared (expected {expected_values}), largest difference {worst:.3e}")
for failure in failures:
    print(failure)
sys.exit(0 if not failures and worst <= 1e-9 and checked == expected_values else 1)
PY
