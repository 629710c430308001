#!/usr/bin/env bash
# Compiles (syntax only) every translation unit that includes LibTorch against newer LibTorch
# headers from Debian's archive, so that code written against Debian 12's LibTorch 1.13 keeps
# compiling on 2.x without a GPU or a PyTorch installation:
#   trixie  libtorch-dev 2.6, C++20 (the standard CMake picks for LibTorch 2.x)
#   sid     the newest libtorch-dev, C++20 (recent 2.x, 2.14 for one, refuse anything older)
#   cuda    libtorch-cuda-dev 2.6 with CUDA 12 headers, C++20: the CUDA-only code (KDAD_WITH_CUDA)
# Needs a configured build (build/compile_commands.json). Downloads about 1 GB once (the CUDA
# headers come with nvidia-cuda-dev) into build/torch-headers/, reused by later runs.
#   bash ci/torch-headers-check.sh [trixie] [sid] [cuda]      (default: all three)
# Exit 0 when every translation unit compiles without an error or a warning in kdad's own code.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=$root/build/torch-headers
configs=("$@")
[ ${#configs[@]} -eq 0 ] && configs=(trixie sid cuda)
for config in "${configs[@]}"; do
  case $config in trixie | sid | cuda) ;; *) echo "torch-headers-check: unknown configuration '$config' (trixie, sid or cuda)" >&2; exit 2 ;; esac
done
[ -f build/compile_commands.json ] || { echo "torch-headers-check: build/compile_commands.json missing: run cmake --preset default first" >&2; exit 2; }

# A private apt configuration: the machine's own sources and installed packages are left alone.
mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/debs"
cat >"$cache/apt/sources.list" <<LIST
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main contrib non-free
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
LIST
cat >"$cache/apt/apt.conf" <<CONF
Dir::Etc::sourcelist "$cache/apt/sources.list";
Dir::Etc::sourceparts "/nonexistent";
Dir::State::Lists "$cache/apt/lists";
Dir::State::status "$cache/apt/status";
Dir::Cache "$cache/apt/cache";
APT::Architecture "amd64";
APT::Sandbox::User "root";
CONF
touch "$cache/apt/status"
export APT_CONFIG=$cache/apt/apt.conf
if [ -z "$(find "$cache/apt/lists" -name '*Packages*' -mtime -7 2>/dev/null | head -1)" ]; then
  apt-get update -qq
fi

# unpack DEST PACKAGE/RELEASE...: the packages' files under $cache/DEST (kept between runs).
unpack() {
  local dest=$cache/$1; shift
  [ -f "$dest/.done" ] && return 0
  rm -rf "$dest" && mkdir -p "$dest"
  (cd "$cache/debs" && apt-get download -qq "$@")
  for package in "$@"; do
    local deb
    deb=$(ls -t "$cache/debs/${package%%/*}"_*.deb | head -1)
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dest" --wildcards '*/include/*'
  done
  touch "$dest/.done"
}

# The compile flags of each torch translation unit, without LibTorch's include folders (Debian's
# 1.13 in /usr/include), the standard, the precompiled header and the output.
/usr/bin/python3 - >"$cache/units.tsv" <<'PY'
import json, shlex
for entry in json.load(open("build/compile_commands.json")):
    words = shlex.split(entry["command"])
    if not any("torch/csrc/api/include" in w for w in words) or "cmake_pch" in entry["file"]:
        continue
    keep, skip = [], False
    for i, w in enumerate(words[1:], 1):
        if skip:
            skip = False
        elif w in ("-o", "-Xclang") or (w in ("-I", "-isystem") and "torch/csrc/api/include" in words[i + 1]):
            skip = True
        elif w not in ("-c", entry["file"]) and not w.startswith("-std=") and "torch/csrc/api/include" not in w:
            keep.append(w)
    print(entry["file"] + "\t" + " ".join(shlex.quote(w) for w in keep))
PY
# The precompiled header's source, copied: clang would load the 1.13 .pch lying beside it.
pch=$cache/precompiled.hxx
cp "$root/build/methods/CMakeFiles/kdad_methods_torch.dir/cmake_pch.hxx" "$pch"

# check NAME INCLUDE_FLAGS EXTRA_FLAGS FILTER: every matching unit, two at a time.
check() {
  local name=$1 includes=$2 extra=$3 filter=$4 out=$cache/logs/$1
  rm -rf "$out" && mkdir -p "$out"
  grep -E "$filter" "$cache/units.tsv" | while IFS=$'\t' read -r file flags; do
    local log=$out/$(echo "${file#"$root"/}" | tr / _)
    echo "clang++-14 -std=c++20 -fsyntax-only $includes $flags $extra -include $pch -MD -MF $log.d $file >$log.log 2>&1 || echo failed >>$log.log"
  done | xargs -d '\n' -P 2 -I{} bash -c '{}'
  local failed=0 units=0
  for log in "$out"/*.log; do
    units=$((units + 1))
    # An error anywhere, a warning in kdad's own files, or a header taken from Debian's 1.13.
    if grep -q "^failed$" "$log" || grep -E "^$root/[^ ]*: warning:" "$log" >/dev/null \
        || grep -qE " /usr/include/(torch|ATen|c10)/" "${log%.log}.d" 2>/dev/null; then
      failed=$((failed + 1))
      echo "-- ${log##*/}"; grep -E "error|warning|failed" "$log" | head -10
    fi
  done
  echo "torch-headers-check: $name: $((units - failed)) of $units translation units compile"
  [ "$failed" -eq 0 ]
}

status=0
for config in "${configs[@]}"; do
  case $config in
    trixie) unpack trixie libtorch-dev/trixie; inc=$cache/trixie/usr/include ;;
    sid) unpack sid libtorch-dev/sid; inc=$cache/sid/usr/include ;;
    cuda) unpack cuda libtorch-cuda-dev/trixie nvidia-cuda-dev/trixie libcu++-dev/trixie; inc=$cache/cuda/usr/include ;;
  esac
  # In recent 2.x, torch/version.h forwards to torch/headeronly/version.h.
  version_headers=("$inc/torch/csrc/api/include/torch/version.h")
  if [ -f "$inc/torch/headeronly/version.h" ]; then version_headers+=("$inc/torch/headeronly/version.h"); fi
  version=$(awk '/define TORCH_VERSION_(MAJOR|MINOR|PATCH) / {printf "%s%s", sep, $3; sep="."}' "${version_headers[@]}")
  echo "== $config: LibTorch $version"
  flags="-isystem $inc -isystem $inc/torch/csrc/api/include"
  if [ "$config" = cuda ]; then
    check "$config" "$flags" "-DKDAD_WITH_CUDA=1" "methods/common/environment\.cpp" || status=1
  else
    check "$config" "$flags" "" "." || status=1
  fi
done
exit "$status"
