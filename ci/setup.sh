#!/usr/bin/env bash
# Installs every build, test and demo dependency of kdad from Debian 12 packages (idempotent).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache clang-14 pkg-config git
  # libraries (DESIGN.md §7)
  libtorch-dev libopenblas0-openmp
  libopencv-dev libpng-dev libjpeg-dev libtiff-dev libfmt-dev libboost-program-options-dev libsqlite3-dev
  catch2 libbenchmark-dev libtomlplusplus-dev nlohmann-json3-dev libjs-chart.js zlib1g-dev
  # reference checks (sklearn/scipy used by tests/data scripts and the benchmark comparison)
  python3 python3-numpy python3-sklearn python3-scipy python3-tifffile python3-pil python3-torch python3-torchvision
  # real data for the one-class protocol
  dataset-fashion-mnist
  # tools used by tests and scripts
  sqlite3
  # a single-node Slurm started by tests/harness/slurm_single_node.sh (plan, job array, merge)
  slurmctld slurmd slurm-client munge
  # the HTML report opened in a real browser (tests/reports/html_report_in_browser.sh)
  chromium chromium-driver fonts-dejavu-core
  # paper tables compiled with booktabs (tests/reports/latex_table_compiles.sh); about 30 s, 130 MB
  texlive-latex-base texlive-latex-recommended
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
