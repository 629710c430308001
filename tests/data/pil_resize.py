#!/usr/bin/python3
"""Resizes images with Pillow for the resize equivalence test (tests/datasets/test_resize.cpp).

Usage: /usr/bin/python3 tests/data/pil_resize.py JOBS_FILE
Each line of JOBS_FILE: "<input.png> <output.png> <width> <height> <filter>" with filter one of
nearest, box, bilinear, bicubic, lanczos. Exits 77 when Pillow is missing (the test then skips).
"""
import sys

try:
    from PIL import Image
except ImportError:
    sys.exit(77)

FILTERS = {
    "nearest": Image.NEAREST,
    "box": Image.BOX,
    "bilinear": Image.BILINEAR,
    "bicubic": Image.BICUBIC,
    "lanczos": Image.LANCZOS,
}

with open(sys.argv[1]) as jobs:
    for line in jobs:
        source, target, width, height, name = line.split()
        Image.open(source).resize((int(width), int(height)), FILTERS[name]).save(target)
