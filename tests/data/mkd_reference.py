#!/usr/bin/python3
"""MKD reference outputs for tests/methods/test_mkd.cpp, computed with Debian's python3-torch the
way the official code (rohban-lab/Knowledge_Distillation_AD, test_functions.py and utils.py)
computes them. Written for kdad from the method's description; exits 77 only when a module is not
installed (the test is then reported as skipped).

Usage: /usr/bin/python3 tests/data/mkd_reference.py OUT_DIR
Writes into OUT_DIR:
  weights/vgg16-397923af.pth   a seeded torchvision VGG-16 state dict (weights and biases random)
  Cloner_weave_epoch_600.pth   a cloner state dict in the official layout (config B, no bias,
                               batch-norm statistics randomised)
  image_<i>.png                3 RGB test images, 64x64
  scores.f64                   detection score per image (pool3-5: 1 - cos + lamda * MSE)
  gradients.f32 / gbp.f32 / smooth_grad.f32   the maps of each localization mode, 3x64x64,
                               after the official post-processing and a Gaussian of sigma 4
  noise.f32                    the SmoothGrad noise (3 images x SAMPLES x 3x64x64, standard normal)
"""
import importlib.util
import sys

missing = [m for m in ("numpy", "torch", "torchvision", "scipy", "PIL") if importlib.util.find_spec(m) is None]
if missing:
    print(f"mkd_reference.py: not installed: {', '.join(missing)} (Debian: python3-torch, python3-torchvision, "
          "python3-scipy, python3-pil)")
    sys.exit(77)

import os  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from PIL import Image  # noqa: E402
from scipy.ndimage import gaussian_filter  # noqa: E402

LAMDA = 0.5
SIZE = 64
SAMPLES = 4      # SmoothGrad copies (the official 50, fewer to keep the test short)
NOISE_LEVEL = 0.05

out = sys.argv[1]
os.makedirs(f"{out}/weights", exist_ok=True)
torch.manual_seed(7)

# The source: torchvision's VGG-16, random weights and biases, run up to pool5.
vgg = torchvision.models.vgg16()
with torch.no_grad():
    for name, p in vgg.named_parameters():
        if name.endswith("bias"):
            p.copy_(0.05 * torch.randn_like(p))
vgg.eval()
torch.save(vgg.state_dict(), f"{out}/weights/vgg16-397923af.pth")
SOURCE_TAPS = (9, 16, 23, 30)


def source_features(x):
    taps = []
    for i in range(31):
        x = vgg.features[i](x)
        if i in SOURCE_TAPS:
            taps.append(x)
    return taps


# The cloner: the official config B ("small"): 3x3 convs without bias, BN + ReLU after each conv
# except the last of a block (ReLU only), a 2x2 max-pool after each block; taps = pools 2-5.
plan = [16, 16, "M", 16, 128, "M", 16, 16, 256, "M", 16, 16, 512, "M", 16, 16, 512, "M"]
layers, channels = [], 3
for i, v in enumerate(plan):
    if v == "M":
        layers.append(torch.nn.MaxPool2d(2, 2))
        continue
    layers.append(torch.nn.Conv2d(channels, v, 3, padding=1, bias=False))
    if plan[i + 1] != "M":
        layers.append(torch.nn.BatchNorm2d(v))
    layers.append(torch.nn.ReLU(inplace=False))
    channels = v


class Cloner(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(*layers)
        pools = [i for i, m in enumerate(self.features) if isinstance(m, torch.nn.MaxPool2d)]
        self.taps = set(pools[1:])

    def forward(self, x):
        taps = []
        for i, m in enumerate(self.features):
            x = m(x)
            if i in self.taps:
                taps.append(x)
        return taps


cloner = Cloner()
with torch.no_grad():
    for name, t in cloner.state_dict().items():
        if name.endswith("num_batches_tracked"):
            t.fill_(600)
        elif name.endswith("running_var"):
            t.copy_(torch.rand_like(t) + 0.5)
        elif name.endswith("running_mean"):
            t.copy_(0.1 * torch.randn_like(t))
        elif t.dim() == 1:  # BN weight and bias
            t.copy_(1.0 + 0.1 * torch.randn_like(t) if name.endswith("weight") else 0.1 * torch.randn_like(t))
        else:
            torch.nn.init.xavier_uniform_(t)
cloner.eval()
torch.save(cloner.state_dict(), f"{out}/Cloner_weave_epoch_600.pth")


def score(x):
    """Per-image detection score over pools 3-5, as detection_test computes it."""
    c, s = cloner(x), source_features(x)
    total = 0
    for k in (1, 2, 3):
        n = c[k].shape[0]
        cos = torch.nn.functional.cosine_similarity(c[k].reshape(n, -1), s[k].reshape(n, -1), dim=1)
        total = total + (1 - cos) + LAMDA * torch.mean((c[k] - s[k]) ** 2, dim=(1, 2, 3))
    return total


def grey(g):
    """utils.convert_to_grayscale: sum of |g| over channels, scaled by min and 99th percentile."""
    m = np.sum(np.abs(g), axis=0)
    hi, lo = np.percentile(m, 99), np.min(m)
    return np.clip((m - lo) / (hi - lo), 0, 1)


def input_gradient(x, guided):
    """The gradient of one image's score (1x3xHxW) with respect to it; `guided` hooks the cloner's
    ReLUs the way the official GuidedBackprop does (positive gradients where the output is > 0)."""
    hooks, outputs = [], []
    if guided:
        def keep(module, inputs, output):
            outputs.append(output)

        def guide(module, grad_in, grad_out):
            forward_output = outputs.pop()
            return ((forward_output > 0).float() * torch.clamp(grad_in[0], min=0.0),)

        for m in cloner.modules():
            if isinstance(m, torch.nn.ReLU):
                hooks.append(m.register_forward_hook(keep))
                hooks.append(m.register_backward_hook(guide))
    x = x.clone().requires_grad_(True)
    score(x).sum().backward()
    for h in hooks:
        h.remove()
    return x.grad[0].numpy()


def minmax(m):
    return (m - m.min()) / (m.max() - m.min())


rng = np.random.default_rng(11)
images = []
for i in range(3):
    base = rng.integers(60, 200, size=(SIZE, SIZE, 3), dtype=np.uint8)
    # A bright patch at a different place in each image, textured: a flat patch makes max-pooling
    # windows tie, and which tied input receives the gradient is up to each CPU kernel.
    base[20 + 5 * i:34 + 5 * i, 10:30, :] = rng.integers(225, 255, size=(14, 20, 3), dtype=np.uint8)
    Image.fromarray(base).save(f"{out}/image_{i}.png")
    images.append(torch.from_numpy(base.astype(np.float32) / 255.0).permute(2, 0, 1).unsqueeze(0))

with torch.no_grad():
    np.array([float(score(x)) for x in images], dtype=np.float64).tofile(f"{out}/scores.f64")
maps = {"gradients": [], "gbp": [], "smooth_grad": []}
noise_all = []
for x in images:
    maps["gradients"].append(gaussian_filter(grey(input_gradient(x, False)), sigma=4))
    maps["gbp"].append(gaussian_filter(minmax(np.abs(grey(input_gradient(x, True)))), sigma=4))
    noise = rng.standard_normal((SAMPLES, 3, SIZE, SIZE)).astype(np.float32)
    noise_all.append(noise)
    std = NOISE_LEVEL / (torch.max(x) - torch.min(x)).item()
    total = None
    for k in range(SAMPLES):
        g = grey(input_gradient(x + torch.from_numpy(noise[k:k + 1]) * std ** 2, False))
        total = g if total is None else total + g
    maps["smooth_grad"].append(gaussian_filter(minmax(np.abs(total / SAMPLES)), sigma=4))
for name, values in maps.items():
    np.stack(values).astype(np.float32).tofile(f"{out}/{name}.f32")
np.stack(noise_all).astype(np.float32).tofile(f"{out}/noise.f32")
