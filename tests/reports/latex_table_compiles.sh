#!/usr/bin/env bash
# Renders `kdad table --format latex` (with ± std, several metrics, a failed category and names that
# need escaping) from a small study and compiles it with pdflatex and booktabs.
# Usage: latex_table_compiles.sh KDAD_WITH_TEST_METHODS. Exit 77 (skip) only when pdflatex is missing.
set -euo pipefail
kdad=$1
command -v pdflatex >/dev/null || { echo "SKIP: pdflatex not found (ci/setup.sh installs texlive-latex-recommended)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$kdad" datasets make-synthetic data --size 64 --train 4 --test-good 2 --test-per-defect 1 >/dev/null
cat > study.toml <<'TOML'
database = "r.sqlite"
artifacts = "artifacts"
seeds = [0, 1]
gallery = false
[[method]]
id = "pixel_stats"
preset = "tiny"
label = "stats_a & 100% #1"
options = { fail_category = "speckle" }
[[method]]
id = "pixel_stats"
preset = "tiny"
label = "stats~b {x}"
options = { jitter = 0.3 }
[[dataset]]
format = "mvtec_ad"
root = "data"
categories = "all"
TOML
"$kdad" run study.toml >run.log 2>&1 || [ $? -eq 1 ] || { cat run.log; exit 1; }
"$kdad" table r.sqlite --format latex --metrics image_auroc,pixel_auroc,au_pro,au_pro_rd4ad --std -o table.tex >/dev/null
grep -q '\\textbf{' table.tex || { echo "FAIL: no best value marked"; cat table.tex; exit 1; }
grep -q 'stats\\_a \\& 100\\% \\#1' table.tex || { echo "FAIL: method label not escaped"; cat table.tex; exit 1; }
cat > paper.tex <<'TEX'
\documentclass{article}
\usepackage{booktabs}
\begin{document}
\input{table.tex}
\end{document}
TEX
if ! pdflatex -interaction=nonstopmode -halt-on-error paper.tex >latex.log 2>&1; then
  echo "FAIL: pdflatex could not compile the table"; cat table.tex; tail -30 latex.log; exit 1
fi
[ -s paper.pdf ] || { echo "FAIL: no PDF"; exit 1; }
echo "ok: the table compiles ($(wc -l < table.tex) lines)"
