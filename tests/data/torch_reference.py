#!/usr/bin/python3
"""Writes reference files for tests/methods/test_weights.cpp with Debian's python3-torch and
python3-torchvision (run at test time). Exits 77 only when a module is not installed (the test is
then reported as skipped); a module that is installed but broken fails the test.

Usage: /usr/bin/python3 tests/data/torch_reference.py OUT_DIR
Writes, for a seeded torchvision ResNet18 whose every parameter and buffer (batch-norm running
statistics and counters included) is randomised, so that a reader that skipped, swapped or
defaulted any tensor is caught:
  resnet18_zip.pth      torch.save(state_dict) in the zip format
  resnet18_legacy.pth   the same in the legacy (pre-1.6) format
  tensors.txt / tensors.f64   every tensor by name: "<name> <count>" lines, values as float64
  rd_checkpoint.pth     {"bn": small state dict, "decoder": small state dict} like RD4AD saves
  input.f32             a 1x3x64x64 input (raw float32)
  features.f32          layer1, layer2, layer3 outputs of the model in eval mode, concatenated
  gaussian_in.f64 / gaussian_out.f64   a 37x53 map and scipy.ndimage.gaussian_filter(sigma=4)
"""
import importlib.util
import sys

missing = [m for m in ("numpy", "torch", "torchvision", "scipy") if importlib.util.find_spec(m) is None]
if missing:
    print(f"torch_reference.py: not installed: {', '.join(missing)} (Debian: python3-torch, python3-torchvision, python3-scipy)")
    sys.exit(77)

import numpy as np  # noqa: E402  (imported after the check, so that a broken module raises)
import torch  # noqa: E402
import torchvision  # noqa: E402
from scipy.ndimage import gaussian_filter  # noqa: E402

out = sys.argv[1]
torch.manual_seed(3)
model = torchvision.models.resnet18()
with torch.no_grad():
    for name, tensor in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            tensor.fill_(int(torch.randint(1, 10000, (1,))))
        elif name.endswith("running_var"):
            tensor.copy_(torch.rand_like(tensor) + 0.5)  # variances must stay positive
        elif name.endswith("running_mean"):
            tensor.copy_(0.2 * torch.randn_like(tensor))
        elif name.startswith("bn") or ".bn" in name or "downsample.1" in name:
            tensor.copy_(1.0 + 0.1 * torch.randn_like(tensor) if name.endswith("weight") else 0.1 * torch.randn_like(tensor))
        else:
            tensor.copy_(torch.randn_like(tensor) * (2.0 / max(1, tensor[0].numel())) ** 0.5)
model.eval()
state = model.state_dict()
torch.save(state, f"{out}/resnet18_zip.pth")
torch.save(state, f"{out}/resnet18_legacy.pth", _use_new_zipfile_serialization=False)
with open(f"{out}/tensors.txt", "w") as names, open(f"{out}/tensors.f64", "wb") as values:
    for name, tensor in state.items():
        names.write(f"{name} {tensor.numel()}\n")
        values.write(tensor.detach().double().numpy().ravel().tobytes())
torch.save({"bn": torch.nn.BatchNorm2d(4).state_dict(), "decoder": torch.nn.Conv2d(2, 3, 1).state_dict(), "epoch": 7},
           f"{out}/rd_checkpoint.pth")
x = torch.randn(1, 3, 64, 64)
x.numpy().astype(np.float32).tofile(f"{out}/input.f32")
with torch.no_grad():
    y = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    f1 = model.layer1(y)
    f2 = model.layer2(f1)
    f3 = model.layer3(f2)
np.concatenate([f.numpy().ravel() for f in (f1, f2, f3)]).astype(np.float32).tofile(f"{out}/features.f32")
rng = np.random.default_rng(5)
m = rng.random((37, 53))
m.tofile(f"{out}/gaussian_in.f64")
gaussian_filter(m, sigma=4).tofile(f"{out}/gaussian_out.f64")
