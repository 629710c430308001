#!/usr/bin/python3
"""RD and MRKD reference outputs for tests/methods/test_rd_parity.cpp, computed with Debian's
python3-torch the way the official code computes them (hq-deng/RD4AD test.py and yuxin-jiang/MRKD
test.py: teacher, bottleneck, decoder, per-level 1 - cosine maps upsampled bilinearly with
align_corners, summed, Gaussian of sigma 4, image score = maximum). Written for kdad from the
methods' description (reference/methods.md), with the official modules' parameter names; exits 77
only when a module is not installed (the test is then reported as skipped).

Usage: /usr/bin/python3 tests/data/rd_reference.py DIR
Reads from DIR:
  image_<i>.png                3 RGB test images, 64x64
  flm_<h>.f32                  MRKD's test-time feature masks (3 x 1 x h x h, 0/1) for h = 16, 8, 4,
                               as kdad draws them, so both sides mask the same positions
Writes into DIR:
  weights/wide_resnet50_2-95faca4d.pth   a seeded torchvision WideResNet-50-2 state dict
  rd_student.pth / mrkd_student.pth      {'bn': ..., 'decoder': ...} in the official layout, every
                                         parameter and batch-norm statistic random
  rd_maps.f32 / mrkd_maps.f32            3 x 64 x 64 anomaly maps;  rd_scores.f64 / mrkd_scores.f64
"""
import importlib.util
import sys

missing = [m for m in ("numpy", "torch", "torchvision", "scipy", "PIL") if importlib.util.find_spec(m) is None]
if missing:
    print(f"rd_reference.py: not installed: {', '.join(missing)} (Debian: python3-torch, python3-torchvision, "
          "python3-scipy, python3-pil)")
    sys.exit(77)

import os  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision  # noqa: E402
from PIL import Image  # noqa: E402
from scipy.ndimage import gaussian_filter  # noqa: E402
from torchvision.models.resnet import Bottleneck  # noqa: E402

SIZE = 64
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)

folder = sys.argv[1]
os.makedirs(f"{folder}/weights", exist_ok=True)
torch.manual_seed(3)


def randomise(module):
    """Every parameter and batch-norm statistic random, so a name or tensor that fails to load shows."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    return module


def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride, 1, bias=False)


def deconv2x2(cin, cout):
    return nn.ConvTranspose2d(cin, cout, 2, 2, bias=False)


class OneClassEmbedding(nn.Module):
    """RD4AD's BN_layer for WideResNet-50-2: levels 1 and 2 brought to level 3's grid, concatenated,
    then three bottleneck blocks (the first with stride 2); conv4/bn4 exist but are never used."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv3x3(256, 512, 2)
        self.bn1 = nn.BatchNorm2d(512)
        self.conv2 = conv3x3(512, 1024, 2)
        self.bn2 = nn.BatchNorm2d(1024)
        self.conv3 = conv3x3(512, 1024, 2)
        self.bn3 = nn.BatchNorm2d(1024)
        self.conv4 = nn.Conv2d(4096, 2048, 1, 1, bias=False)
        self.bn4 = nn.BatchNorm2d(2048)
        shortcut = nn.Sequential(nn.Conv2d(3072, 2048, 1, 2, bias=False), nn.BatchNorm2d(2048))
        self.bn_layer = nn.Sequential(Bottleneck(3072, 512, 2, shortcut, base_width=128),
                                      Bottleneck(2048, 512, base_width=128), Bottleneck(2048, 512, base_width=128))

    def forward(self, f):
        l1 = F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(f[0]))))))
        l2 = F.relu(self.bn3(self.conv3(f[1])))
        return self.bn_layer(torch.cat([l1, l2, f[2]], 1)).contiguous()


class UpBottleneck(nn.Module):
    """de_resnet's decoder block: the first block of a stage upsamples with 2x2 transposed convs."""

    def __init__(self, cin, planes, up):
        super().__init__()
        width = planes * 2  # WideResNet's width_per_group 128
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = deconv2x2(width, width) if up else conv3x3(width, width)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.upsample = nn.Sequential(deconv2x2(cin, planes * 4), nn.BatchNorm2d(planes * 4)) if up else None

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (self.upsample(x) if self.upsample is not None else x))


def generation_head(channels):
    return nn.Sequential(nn.Conv2d(channels, channels, 3, 1, 1), nn.ReLU(inplace=True), nn.Conv2d(channels, channels, 3, 1, 1))


class Decoder(nn.Module):
    """de_wide_resnet50_2 (stages of 3, 4 and 6 blocks); MRKD adds an unused 1x1 conv and one
    generation head per level, applied to the masked level as a side branch."""

    def __init__(self, mrkd):
        super().__init__()
        stages, cin = [], 2048
        for planes, blocks in ((256, 3), (128, 4), (64, 6)):
            stage = [UpBottleneck(cin, planes, True)] + [UpBottleneck(planes * 4, planes, False) for _ in range(blocks - 1)]
            stages.append(nn.Sequential(*stage))
            cin = planes * 4
        self.layer1, self.layer2, self.layer3 = stages
        self.mrkd = mrkd
        if mrkd:
            self.conv1 = nn.Conv2d(2048, 512, 1, bias=False)
            self.generation1 = generation_head(1024)
            self.generation2 = generation_head(512)
            self.generation3 = generation_head(256)

    def forward(self, embedding, masks=None):
        a = self.layer1(embedding)
        b = self.layer2(a)
        c = self.layer3(b)
        if not self.mrkd:
            return [c, b, a]
        return [self.generation3(c * masks[0]), self.generation2(b * masks[1]), self.generation1(a * masks[2])]


teacher = torchvision.models.wide_resnet50_2()
randomise(teacher).eval()
torch.save(teacher.state_dict(), f"{folder}/weights/wide_resnet50_2-95faca4d.pth")


def teacher_features(x):
    x = teacher.maxpool(teacher.relu(teacher.bn1(teacher.conv1(x))))
    f1 = teacher.layer1(x)
    f2 = teacher.layer2(f1)
    return [f1, f2, teacher.layer3(f2)]


images = []
for i in range(3):
    rgb = np.asarray(Image.open(f"{folder}/image_{i}.png").convert("RGB"), dtype=np.uint8)
    assert rgb.shape == (SIZE, SIZE, 3), rgb.shape  # no resize: kdad's and PIL's resizers are tested elsewhere
    x = torch.from_numpy(rgb.astype(np.float32) / 255.0).permute(2, 0, 1)
    images.append(((x - torch.tensor(MEAN).view(3, 1, 1)) / torch.tensor(STD).view(3, 1, 1)).unsqueeze(0))
masks = [torch.from_numpy(np.fromfile(f"{folder}/flm_{h}.f32", dtype=np.float32).reshape(3, 1, h, h)) for h in (16, 8, 4)]

for name, mrkd in (("rd", False), ("mrkd", True)):
    bn, decoder = randomise(OneClassEmbedding()), randomise(Decoder(mrkd))
    bn.eval()
    decoder.eval()
    torch.save({"bn": bn.state_dict(), "decoder": decoder.state_dict()}, f"{folder}/{name}_student.pth")
    maps, scores = [], []
    with torch.no_grad():
        for i, x in enumerate(images):
            f = teacher_features(x)
            s = decoder(bn(f), [m[i:i + 1] for m in masks] if mrkd else None)
            total = torch.zeros(1, 1, SIZE, SIZE)
            for t, d in zip(f, s):
                level = 1 - F.cosine_similarity(t, d)
                total += F.interpolate(level.unsqueeze(1), size=SIZE, mode="bilinear", align_corners=True)
            amap = gaussian_filter(total[0, 0].numpy(), sigma=4)
            maps.append(amap)
            scores.append(float(np.max(amap)))
    np.stack(maps).astype(np.float32).tofile(f"{folder}/{name}_maps.f32")
    np.array(scores, dtype=np.float64).tofile(f"{folder}/{name}_scores.f64")
    print(f"{name}: scores {scores}")
