#!/usr/bin/python3
"""Writes reference files for tests/methods/test_weights.cpp with Debian's python3-torch and
python3-torchvision (run at test time; exits 77 when they are missing, and the test skips).

Usage: /usr/bin/python3 tests/data/torch_reference.py OUT_DIR
Writes, for a seeded torchvision ResNet18 and VGG16-free setup:
  resnet18_zip.pth      torch.save(state_dict) in the zip format
  resnet18_legacy.pth   the same in the legacy (pre-1.6) format
  rd_checkpoint.pth     {"bn": small state dict, "decoder": small state dict} like RD4AD saves
  input.f32             a 1x3x64x64 input (raw float32)
  features.f32          layer1, layer2, layer3 outputs of the model in eval mode, concatenated
  gaussian_in.f64 / gaussian_out.f64   a 37x53 map and scipy.ndimage.gaussian_filter(sigma=4)
"""
import sys

try:
    import numpy as np
    import torch
    import torchvision
    from scipy.ndimage import gaussian_filter
except ImportError:
    sys.exit(77)

out = sys.argv[1]
torch.manual_seed(3)
model = torchvision.models.resnet18()
model.eval()
state = model.state_dict()
torch.save(state, f"{out}/resnet18_zip.pth")
torch.save(state, f"{out}/resnet18_legacy.pth", _use_new_zipfile_serialization=False)
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
