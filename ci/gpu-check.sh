#!/usr/bin/env bash
# GPU readiness check, for a machine with an NVIDIA GPU and a PyTorch installation (whose bundled
# LibTorch kdad builds against, CUDA included). In a few minutes it: prints the GPU and the
# PyTorch/CUDA/cuDNN versions, builds kdad against that LibTorch (build-gpu/), runs the method
# tests, then one tiny grid (RD and MRKD, tiny presets, generated data) on the CPU and on the GPU
# and prints their timings and metrics side by side, with the device description each cell stored.
#   bash ci/gpu-check.sh [PYTHON]        (default: python3; the Debian packages of ci/setup.sh
#                                         are installed first when apt-get is available)
# Exit 0 when everything built, every method test passed and both grids stored every cell ok.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
out=out/gpu-check
rm -rf "$out"
mkdir -p "$out"

echo "== GPU and PyTorch"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || { echo "gpu-check: nvidia-smi failed: no NVIDIA GPU here" >&2; exit 2; }
"$python" - <<'PY'
import torch
print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, "
      f"C++11 ABI {torch._C._GLIBCXX_USE_CXX11_ABI}, GPUs {torch.cuda.device_count()}")
assert torch.cuda.is_available(), "this PyTorch sees no GPU"
assert torch._C._GLIBCXX_USE_CXX11_ABI, "this PyTorch uses the pre-C++11 ABI; kdad's other libraries use the C++11 one"
PY

# LibTorch's CMake files look for the CUDA toolkit (headers, nvcc) a CUDA build was made with.
if ! command -v nvcc >/dev/null && [ ! -x /usr/local/cuda/bin/nvcc ] && [ -z "${CUDAToolkit_ROOT:-}" ]; then
  echo "gpu-check: no CUDA toolkit (nvcc) found: a CUDA LibTorch is built against one; install the toolkit" \
       "of torch.version.cuda's major version or set CUDAToolkit_ROOT" >&2
  exit 2
fi

if command -v apt-get >/dev/null && [ "$(id -u)" -eq 0 ]; then
  bash ci/setup.sh >/dev/null
fi

echo "== build against $("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
start=$(date +%s)
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++-14 \
  -DKDAD_TORCH_PYTHON="$(command -v "$python")" >"$out/configure.log" 2>&1 || { tail -20 "$out/configure.log"; exit 1; }
grep -q "with CUDA" "$out/configure.log" || { echo "gpu-check: the LibTorch found has no CUDA:"; grep LibTorch "$out/configure.log"; exit 1; }
cmake --build build-gpu -j"$(nproc)" >"$out/build.log" 2>&1 || { grep -m 20 -A5 "error" "$out/build.log"; exit 1; }
echo "built in $(( $(date +%s) - start )) s"

echo "== method tests (CPU paths, against this LibTorch)"
ctest --test-dir build-gpu -L torch -j 2 --output-on-failure >"$out/method-tests.log" 2>&1 \
  || { tail -40 "$out/method-tests.log"; exit 1; }
tail -3 "$out/method-tests.log"

echo "== one tiny grid on the CPU and on the GPU"
build-gpu/kdad datasets make-synthetic "$out/data" --size 128 --train 16 --test-good 8 --test-per-defect 4 --categories weave,disc >/dev/null
for device in cpu cuda; do
  cat >"$out/$device.toml" <<TOML
name = "gpu check ($device)"
database = "$device.sqlite"
artifacts = "artifacts-$device"
device = "$device"
threads = 4
seeds = [0]
predict_batch = 8
[[method]]
id = "rd"
preset = "tiny"
[[method]]
id = "mrkd"
preset = "tiny"
[[dataset]]
format = "mvtec_ad"
root = "data"
TOML
  build-gpu/kdad run "$out/$device.toml" --calibrate >"$out/$device.log" 2>&1 || { tail -20 "$out/$device.log"; exit 1; }
done

"$python" - "$out" <<'PY'
import json, sqlite3, sys
out = sys.argv[1]
rows = {}
for device in ("cpu", "cuda"):
    db = sqlite3.connect(f"{out}/{device}.sqlite")
    for key, method, category, status, env in db.execute(
            "SELECT c.id, c.method_id, c.category, c.status, c.environment FROM cells c"):
        timing = dict(db.execute("SELECT phase, total_s FROM timings WHERE cell_id = ?", (key,)).fetchall())
        p50 = db.execute("SELECT p50_s FROM timings WHERE cell_id = ? AND phase = 'predict_per_image'", (key,)).fetchone()
        auroc = db.execute("SELECT value FROM metrics WHERE cell_id = ? AND name = 'pixel_auroc'", (key,)).fetchone()
        peak = db.execute("SELECT peak_device_bytes FROM cells WHERE id = ?", (key,)).fetchone()[0]
        rows.setdefault((method, category), {})[device] = (status, timing.get("fit"), p50[0] if p50 else None,
                                                           auroc[0] if auroc else None, peak, json.loads(env or "{}"))
print(f"{'method/category':<16} {'fit s cpu':>10} {'fit s gpu':>10} {'p50 ms cpu':>11} {'p50 ms gpu':>11} "
      f"{'pixAUROC cpu':>13} {'pixAUROC gpu':>13} {'GPU peak MB':>12}")
ok = True
for (method, category), by in sorted(rows.items()):
    c, g = by.get("cpu"), by.get("cuda")
    ok = ok and c is not None and g is not None and c[0] == "ok" and g[0] == "ok"
    f = lambda v, scale=1.0: "-" if v is None else f"{v * scale:.3f}"
    print(f"{method + '/' + category:<16} {f(c[1]):>10} {f(g[1]):>10} {f(c[2], 1e3):>11} {f(g[2], 1e3):>11} "
          f"{f(c[3]):>13} {f(g[3]):>13} {f(g[4], 1e-6):>12}")
accelerator = next(iter(rows.values()))["cuda"][5].get("accelerator")
print("device recorded with each GPU cell:", json.dumps(accelerator))
sys.exit(0 if ok and accelerator else 1)
PY
echo "gpu-check: ok ($(( $(date +%s) - start )) s)"
