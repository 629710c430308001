"""What the reference timing scripts (rd4ad_reference.py, mrkd_reference.py) share: finding the
user's checkout of the official code, and timing RD-style prediction the way the official test code
computes it (per level 1 - cosine, bilinear upsampling with align_corners, sum, SciPy
gaussian_filter with sigma 4, max)."""
import os
import statistics
import sys
import time


def add_checkout(script, option, folders, required):
    """Puts the first of `folders` that holds every file of `required` on sys.path; otherwise exits
    with one line naming the option and the first missing file."""
    for folder in folders:
        if all(os.path.isfile(os.path.join(folder, name)) for name in required):
            sys.path.insert(0, os.path.abspath(folder))
            return folder
    missing = next(name for name in required if not os.path.isfile(os.path.join(folders[0], name)))
    sys.exit(f"{script}: error: {option}: {os.path.join(folders[0], missing)} not found (a checkout of the official code)")


def time_prediction(encoder, bn, decoder, images, count, size=256):
    """Median seconds per image over `count` batch-1 predictions after one warm-up, and the last
    image score. `images` are normalised CHW tensors, used round robin."""
    import numpy as np
    import torch
    from scipy.ndimage import gaussian_filter
    from torch.nn import functional as F

    bn.eval()
    decoder.eval()
    times, score = [], None
    with torch.no_grad():
        for i in range(count + 1):
            start = time.perf_counter()
            x = images[i % len(images)].unsqueeze(0)
            inputs = encoder(x)
            outputs = decoder(bn(inputs))
            amap = np.zeros((size, size))
            for a, b in zip(inputs, outputs):
                level = F.interpolate((1 - F.cosine_similarity(a, b)).unsqueeze(1), size=size, mode="bilinear",
                                      align_corners=True)
                amap += level[0, 0].numpy()
            score = float(gaussian_filter(amap, sigma=4).max())
            if i > 0:
                times.append(time.perf_counter() - start)
    return statistics.median(times), score


def print_prediction(per_image, score):
    print(f"predict: batch 1: {per_image * 1000:.0f} ms/image, {1 / per_image:.2f} images/s (last score {score:.4f})")
