# Independent evaluator following the MVTec AD official protocol, used to cross-check `kdad eval`.
"""Reference MVTec AD evaluation (image AU-ROC, AU-PRO, pixel AU-ROC/AP, image AP, F1-max).

Run with Debian's python (numpy, scipy, sklearn, tifffile, PIL):

    /usr/bin/python3 tests/data/mvtec_reference_eval.py --dataset ROOT --maps MAPS \
        [--limit 0.3] [--categories a,b]

Layout:
  ROOT/<cat>/test/<defect>/<id>.png                  test images (good ones in test/good)
  ROOT/<cat>/ground_truth/<defect>/<id>_mask.png     masks, non-zero = defect, native resolution;
                                                     good images get an all-zero mask
  MAPS/<cat>/test/<defect>/<id>.tiff                 float32 anomaly maps (tifffile)

A map whose size differs from its ground truth is an error (no resizing here). Image label =
1 if the mask has a defect pixel; image score = max of the map. AU-PRO is the exact MVTec AD
curve: one descending sort of all pixels of the category, one point per tie group, regions
8-connected per image, FPR over all defect-free pixels, (0,0) prepended, trapezoid up to the
limit with PRO interpolated there, divided by the limit. float64 throughout. Ranking metrics
come from sklearn. Undefined values (one class only, no regions, ...) are null. The "mean"
entry averages each metric over the categories where it is defined (null if none).
Prints one JSON object on stdout.
"""

import argparse
import json
import os
import sys

import numpy as np
import scipy.ndimage as ndi
import tifffile
from PIL import Image
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

METRICS = ("image_auroc", "au_pro", "pixel_auroc", "pixel_ap", "image_ap",
           "pixel_f1_max", "image_f1_max")


class EvalError(Exception):
    pass


def read_mask(path):
    a = np.asarray(Image.open(path))
    if a.ndim == 3:
        a = a.any(axis=2)
    return a != 0


def read_map(path):
    a = np.asarray(tifffile.imread(path))
    a = np.squeeze(a)
    if a.ndim != 2:
        raise EvalError(f"{path}: expected a 2-D map, got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.floating):
        raise EvalError(f"{path}: expected a float map, got {a.dtype}")
    if a.dtype != np.float64:
        a = a.astype(np.float32)  # kept at its own precision; widened to float64 when pooled
    if not np.all(np.isfinite(a)):
        raise EvalError(f"{path}: map contains NaN or Inf")
    return a


def find_map(maps_root, cat, defect, stem):
    for ext in (".tiff", ".tif"):
        p = os.path.join(maps_root, cat, "test", defect, stem + ext)
        if os.path.isfile(p):
            return p
    raise EvalError(f"missing map for {cat}/test/{defect}/{stem}")


def load_category(root, maps_root, cat):
    test_dir = os.path.join(root, cat, "test")
    if not os.path.isdir(test_dir):
        raise EvalError(f"{test_dir}: not a directory")
    maps, masks = [], []
    for defect in sorted(os.listdir(test_dir)):
        d = os.path.join(test_dir, defect)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if not name.lower().endswith(".png"):
                continue
            stem = name[:-4]
            amap = read_map(find_map(maps_root, cat, defect, stem))
            if defect == "good":
                mask = np.zeros(amap.shape, dtype=bool)
            else:
                mp = os.path.join(root, cat, "ground_truth", defect, stem + "_mask.png")
                if not os.path.isfile(mp):
                    raise EvalError(f"missing ground truth {mp}")
                mask = read_mask(mp)
                if mask.shape != amap.shape:
                    raise EvalError(f"{cat}/test/{defect}/{stem}: map {amap.shape} differs "
                                    f"from ground truth {mask.shape}")
            maps.append(amap)
            masks.append(mask)
    if not maps:
        raise EvalError(f"{cat}: no test images")
    return maps, masks


def ranking(scores, labels):
    """(auroc, ap, f1_max) with sklearn; None where undefined."""
    y = np.asarray(labels, dtype=np.int64)
    s = np.asarray(scores, dtype=np.float64)
    n_pos = int(y.sum())
    n_neg = int(y.size - n_pos)
    auroc = float(roc_auc_score(y, s)) if n_pos and n_neg else None
    if n_pos == 0:
        return auroc, None, None
    ap = float(average_precision_score(y, s))
    p, r, _ = precision_recall_curve(y, s)
    den = p + r
    f1 = np.where(den > 0, 2.0 * p * r / np.where(den > 0, den, 1.0), 0.0)
    return auroc, ap, float(f1.max())


def au_pro(scores, ok, masks, limit):
    """Exact MVTec AD AU-PRO up to `limit`, normalised by `limit`; None if undefined.

    scores: float64 pixels of all images concatenated; ok: True for defect-free pixels;
    masks: the per-image boolean masks in the same order (for the 8-connected regions)."""
    structure = np.ones((3, 3), dtype=int)
    region = np.zeros(scores.size, dtype=np.int32)
    offset = pos = 0
    for g in masks:
        lab, n = ndi.label(g, structure=structure)
        flat = lab.ravel()
        region[pos:pos + flat.size] = np.where(flat > 0, flat + offset, 0)
        offset += n
        pos += flat.size
    n_regions = offset
    n_ok = int(ok.sum())
    if n_regions == 0 or n_ok == 0:
        return None
    order = np.argsort(-scores, kind="stable")
    s = scores[order]
    last = np.append(s[1:] != s[:-1], True)   # keep the last point of each tie group
    del s
    region = region[order]
    fpr = (np.cumsum(ok[order], dtype=np.int64)[last]) / float(n_ok)
    del order
    sizes = np.bincount(region, minlength=n_regions + 1).astype(np.float64)
    inv = np.zeros_like(sizes)
    inv[1:] = 1.0 / sizes[1:]
    pro = np.cumsum(inv[region])[last] / n_regions
    del region, last
    x = np.concatenate([[0.0], fpr])
    y = np.concatenate([[0.0], pro])
    k = int(np.searchsorted(x, limit, side="right"))  # points with x <= limit
    area = float(np.sum((x[1:k] - x[:k - 1]) * (y[1:k] + y[:k - 1]) / 2.0))
    if k < x.size and x[k - 1] < limit:
        x0, x1, y0, y1 = x[k - 1], x[k], y[k - 1], y[k]
        y_lim = y0 + (y1 - y0) * (limit - x0) / (x1 - x0)
        area += (limit - x0) * (y0 + y_lim) / 2.0
    return area / limit


def evaluate_category(maps, masks, limit):
    """Metrics of one category. Empties `maps` once pooled, to bound memory at full resolution."""
    img_scores = np.array([float(m.max()) for m in maps], dtype=np.float64)
    img_labels = np.array([int(g.any()) for g in masks])
    i_auroc, i_ap, i_f1 = ranking(img_scores, img_labels)
    pix_scores = np.concatenate([m.ravel() for m in maps], dtype=np.float64)
    maps.clear()
    pix_labels = np.concatenate([g.ravel() for g in masks])
    pro = au_pro(pix_scores, ~pix_labels, masks, limit)
    p_auroc, p_ap, p_f1 = ranking(pix_scores, pix_labels)
    return {"image_auroc": i_auroc, "au_pro": pro,
            "pixel_auroc": p_auroc, "pixel_ap": p_ap, "image_ap": i_ap,
            "pixel_f1_max": p_f1, "image_f1_max": i_f1}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", required=True, help="MVTec AD root")
    ap.add_argument("--maps", required=True, help="root of MAPS/<cat>/test/<defect>/<id>.tiff")
    ap.add_argument("--limit", type=float, default=0.3, help="FPR integration limit (0,1]")
    ap.add_argument("--categories", default=None, help="comma-separated list (default: all)")
    args = ap.parse_args(argv)
    if not 0.0 < args.limit <= 1.0:
        ap.error("--limit must be in (0, 1]")
    if args.categories:
        cats = [c for c in args.categories.split(",") if c]
    else:
        cats = sorted(c for c in os.listdir(args.dataset)
                      if os.path.isdir(os.path.join(args.dataset, c, "test")))
    if not cats:
        ap.error("no categories found")
    out = {"categories": {}, "mean": {}}
    try:
        for cat in cats:
            maps, masks = load_category(args.dataset, args.maps, cat)
            out["categories"][cat] = evaluate_category(maps, masks, args.limit)
            del maps, masks
    except EvalError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for k in METRICS:
        vals = [r[k] for r in out["categories"].values() if r[k] is not None]
        out["mean"][k] = float(np.mean(vals)) if vals else None
    out["limit"] = args.limit
    json.dump(out, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
