#!/usr/bin/python3
"""Resizes images with Pillow for the resize equivalence test (tests/datasets/test_resize.cpp).

Usage: /usr/bin/python3 tests/data/pil_resize.py JOBS_FILE
Each line of JOBS_FILE: "<input.png> <output.png> <width> <height> <filter>" with filter one of
nearest, box, bilinear, bicubic, lanczos. Exits 77 only when Pillow is not installed (the test
is then reported as skipped); a Pillow that is installed but broken fails the test.
"""
import importlib.util
import sys

if importlib.util.find_spec("PIL") is None:
    print("pil_resize.py: Pillow is not installed (Debian: python3-pil)")
    sys.exit(77)

from PIL import Image  # noqa: E402  (after the check, so that a broken Pillow raises)

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
