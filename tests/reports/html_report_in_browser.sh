#!/usr/bin/env bash
# Renders `kdad report` on a study with two methods, three seeds, a failing category and a second
# protocol, then opens it in headless Chromium: no console error, no external URL, every chart drawn.
# Usage: html_report_in_browser.sh KDAD_WITH_TEST_METHODS SOURCE_DIR. Exit 77 (skip) only when
# Chromium or chromedriver is missing.
set -euo pipefail
kdad=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

"$kdad" datasets make-synthetic data --maps maps --size 96 --train 6 --test-good 3 --test-per-defect 2 --seed 3 >/dev/null
cat > study.toml <<'TOML'
name = "browser check"
database = "r.sqlite"
artifacts = "artifacts"
seeds = [0, 1, 2]
[[method]]
id = "pixel_stats"
preset = "tiny"
label = "stats-a"
options = { jitter = 0.01, fail_category = "speckle" }
[[method]]
id = "pixel_stats"
preset = "tiny"
label = "stats-b <&>"
options = { jitter = 0.2, size = 32 }
[[dataset]]
format = "mvtec_ad"
root = "data"
categories = "all"
TOML
# Exit 1 is expected: the speckle cells of stats-a fail on purpose.
"$kdad" run study.toml >run.log 2>&1 || [ $? -eq 1 ] || { cat run.log; exit 1; }
"$kdad" eval --dataset data --maps maps --limit 0.05 --store r.sqlite --gallery gallery >/dev/null
"$kdad" report r.sqlite --html out/report.html --title "browser check" >/dev/null

# 2 protocols × (3 bar charts + 3 categories × 4 curves).
status=0
/usr/bin/python3 "$source_dir/tests/reports/check_html_report.py" out/report.html --min-canvases 30 \
  --expect-text "Leaderboard" "stats-b <&>" "pixel_stats was told to fail here" "never ranked together" \
  "best detections" "Provenance" --screenshot "${KDAD_REPORT_SCREENSHOT:-$work/shot.png}" || status=$?
exit $status
