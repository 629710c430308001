# Regenerates the committed metric fixtures (ranking_cases.json, pro_cases.json) that the C++ metric tests compare against.
"""Independent Python reference values for kdad's metric code.

Run from the repository root with Debian's python (it has numpy, scipy, sklearn):

    /usr/bin/python3 tests/data/metrics_reference/make_reference.py

The outputs, ranking_cases.json and pro_cases.json next to this script, are committed; the C++
tests read them and do not run Python. Every random draw uses numpy's default_rng with a fixed
seed, so rerunning the script rewrites byte-identical files (for the same numpy/scipy/sklearn).

Definitions follow the team reference notes on metrics (reference/metrics.md, sections 1, 2, 5, 6):
  * ranking metrics (AU-ROC, AP, F1-max) come from sklearn and are cross-checked against a
    tie-grouped sweep written here;
  * AU-PRO is the MVTec AD exact definition, computed by brute force (re-thresholding at every
    distinct score) and checked against an independent sort + cumsum implementation;
  * the RD4AD per-image AU-PRO re-implements RD4AD's compute_pro (200 np.arange thresholds,
    map > t, FPR < 0.3 kept, FPR divided by its largest kept value, sklearn.metrics.auc) per image.
All scores are float32 values written as the shortest repr of the exactly widened double.
"""

import json
import math
import os
import statistics
import sys

import numpy as np
import scipy
import scipy.ndimage as ndi
import sklearn
from sklearn.metrics import (auc, average_precision_score, precision_recall_curve,
                             roc_auc_score)

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = "tests/data/metrics_reference/make_reference.py"
STRUCTURE_8 = np.ones((3, 3), dtype=int)
LIMITS = ("0.3", "0.05", "1.0", "0.7")


# ----------------------------------------------------------------------------------------------
# Ranking metrics
# ----------------------------------------------------------------------------------------------

def sk_ranking(scores, labels):
    """(auroc, ap, f1_max) from sklearn, None where undefined."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    n_pos = int(y.sum())
    n_neg = int(y.size - n_pos)
    auroc = float(roc_auc_score(y, s)) if (n_pos > 0 and n_neg > 0) else None
    if n_pos == 0:
        return auroc, None, None
    ap = float(average_precision_score(y, s))
    precision, recall, _ = precision_recall_curve(y, s)
    denom = precision + recall
    f1 = np.zeros_like(denom)
    nz = denom > 0
    f1[nz] = 2.0 * precision[nz] * recall[nz] / denom[nz]
    return auroc, ap, float(f1.max())


def sweep_ranking(scores, labels):
    """Own tie-grouped sweep (metrics.md §5 step 3), used only to cross-check sklearn."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    n_pos = int(y.sum())
    n_neg = int(y.size - n_pos)
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    tp = fp = 0
    prev_tp = prev_fp = 0
    area = ap = 0.0
    f1_max = 0.0
    for i in range(s.size):
        tp += int(y[i])
        fp += 1 - int(y[i])
        if i + 1 < s.size and s[i + 1] == s[i]:
            continue
        if n_pos and n_neg:
            area += (fp - prev_fp) / n_neg * (tp + prev_tp) / n_pos / 2.0
        if n_pos:
            ap += (tp - prev_tp) / n_pos * (tp / (tp + fp))
            f1_max = max(f1_max, 2.0 * tp / (tp + fp + n_pos))
        prev_tp, prev_fp = tp, fp
    return (area if n_pos and n_neg else None,
            ap if n_pos else None,
            f1_max if n_pos else None)


def close(a, b, tol=1e-12):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol


def f32_list(a):
    """float32 values as Python floats (exact widening), so repr reads back as the same float32."""
    arr = np.asarray(a, dtype=np.float32).ravel()
    assert np.all(np.isfinite(arr))
    return [float(v) for v in arr]


def ranking_cases():
    rng = np.random.default_rng(20240611)
    cases = []

    def add(name, scores, labels):
        scores = np.asarray(scores, dtype=np.float32)
        labels = np.asarray(labels, dtype=np.int64)
        assert scores.shape == labels.shape and scores.ndim == 1
        assert set(np.unique(labels).tolist()) <= {0, 1}
        auroc, ap, f1 = sk_ranking(scores, labels)
        mine = sweep_ranking(scores, labels)
        for ref, own, what in zip((auroc, ap, f1), mine, ("auroc", "ap", "f1_max")):
            assert close(ref, own), (name, what, ref, own)
        cases.append({"name": name, "scores": f32_list(scores),
                      "labels": [int(v) for v in labels],
                      "auroc": auroc, "ap": ap, "f1_max": f1})

    def informative(n, prevalence, shift):
        labels = (rng.random(n) < prevalence).astype(np.int64)
        scores = rng.normal(size=n) + shift * labels
        return scores, labels

    add("n2_separated", [0.25, 0.75], [0, 1])
    add("n2_inverted", [0.75, 0.25], [0, 1])
    add("n2_tied", [0.5, 0.5], [1, 0])
    add("n3_mixed", [0.1, 0.4, 0.35], [0, 0, 1])

    labels = (rng.random(100) < 0.3).astype(np.int64)
    add("random_continuous_n100", rng.random(100), labels)
    add("random_informative_n1000", *informative(1000, 0.2, 1.0))
    add("random_informative_imbalanced_n5000", *informative(5000, 0.02, 1.5))

    for levels, n in ((4, 200), (16, 500), (243, 2000)):
        raw, lab = informative(n, 0.3, 0.8)
        u = 1.0 / (1.0 + np.exp(-raw))                      # (0,1)
        q = np.floor(u * levels) / (levels - 1)              # `levels` distinct values in [0,1]
        q = np.minimum(q, 1.0)
        assert np.unique(q).size <= levels
        add(f"quantised_{levels}_levels_n{n}", q, lab)

    add("all_equal_n50", np.full(50, 0.625), (rng.random(50) < 0.4).astype(np.int64))

    lab = np.array([0] * 25 + [1] * 15)
    perm = rng.permutation(40)
    sep = np.where(lab == 1, 0.6 + 0.4 * rng.random(40), 0.55 * rng.random(40))
    add("perfect_separation_n40", sep[perm], lab[perm])
    add("inverted_separation_n40", (1.0 - sep)[perm], lab[perm])

    lab = np.zeros(100, dtype=np.int64)
    lab[37] = 1
    add("single_positive_n100", rng.random(100), lab)
    add("single_negative_n100", rng.random(100), 1 - lab)
    add("only_positives_n20", rng.random(20), np.ones(20, dtype=np.int64))
    add("only_negatives_n20", rng.random(20), np.zeros(20, dtype=np.int64))

    s, lab = informative(300, 0.3, 1.0)
    add("scale_1e6_n300", s * 1e6 + 3e6, lab)
    s, lab = informative(300, 0.3, 1.0)
    add("negative_values_n300", -50.0 + 20.0 * s, lab)
    s, lab = informative(500, 0.3, 0.7)
    add("mixed_sign_wide_range_n500", np.sinh(4.0 * s) * 1e3, lab)

    extremes = np.array([3.0e38, -3.0e38, 1e-38, -1e-38, 1e-45, -1e-45, 0.0, 1.0, -1.0,
                         65504.0, 1e20, -1e20, 1e-20, 3.4028234663852886e38], dtype=np.float32)
    s = np.concatenate([extremes, (rng.normal(size=50) * 10.0).astype(np.float32)])
    lab = (rng.random(s.size) < 0.4).astype(np.int64)
    add("float32_extremes_n64", s, lab)

    # -0.0 and +0.0 compare equal: one tie group (sklearn sees them as equal scores).
    s = rng.choice(np.array([-0.0, 0.0, 0.5, -0.5], dtype=np.float32), size=30)
    lab = (rng.random(30) < 0.5).astype(np.int64)
    add("signed_zeros_n30", s, lab)

    # Neighbouring float32 values must not be merged into one tie group.
    base = np.float32(0.5)
    ladder = [base]
    for _ in range(19):
        ladder.append(np.nextafter(ladder[-1], np.float32(1.0)))
    s = rng.choice(np.array(ladder, dtype=np.float32), size=200)
    lab = np.where(s > ladder[10], (rng.random(200) < 0.7), (rng.random(200) < 0.3)).astype(np.int64)
    add("adjacent_float32_values_n200", s, lab)

    # Image-level style: few samples, maxima rounded to 0.05, normal/anomalous ties.
    lab = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    s = np.round((0.4 + 0.3 * lab + 0.15 * rng.normal(size=15)) / 0.05) * 0.05
    s[0] = s[8] = 0.6
    add("image_score_ties_n15", s, lab)

    lab = (rng.random(1000) < 0.35).astype(np.int64)
    s = np.where(rng.random(1000) < 0.7, lab, 1 - lab).astype(np.float64)
    add("two_levels_n1000", s, lab)

    s, lab = informative(1000, 0.25, 1.2)
    tie = rng.random(1000) < 0.9
    s = np.where(tie, 0.5, s)
    add("large_tie_group_with_outliers_n1000", s, lab)

    return cases


# ----------------------------------------------------------------------------------------------
# PRO: exact MVTec definition, brute force and sort + cumsum
# ----------------------------------------------------------------------------------------------

def label_regions(masks):
    """8-connected regions per image, ids unique over the stack (0 = no region)."""
    ids = np.zeros(masks.shape, dtype=np.int64)
    n_total = 0
    for i, m in enumerate(masks):
        lab, n = ndi.label(m > 0, structure=STRUCTURE_8)
        ids[i] = np.where(lab > 0, lab + n_total, 0)
        n_total += n
    return ids, n_total


def area_to_limit_segments(points, limit):
    """Trapezoid area of the polyline `points` from x=0 up to x=limit, PRO interpolated at limit."""
    area = 0.0
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
        if x0 >= limit:
            break
        if x1 <= limit:
            area += (x1 - x0) * (y0 + y1) / 2.0
        else:
            y_lim = y0 + (y1 - y0) * (limit - x0) / (x1 - x0)
            area += (limit - x0) * (y0 + y_lim) / 2.0
            break
    return area


def au_pro_brute_force(maps, masks, limits):
    """For every distinct score t, high to low, threshold all maps at score >= t."""
    maps = np.asarray(maps, dtype=np.float64)
    defect = np.asarray(masks) > 0
    region_ids, n_regions = label_regions(defect)
    n_ok = int((~defect).sum())
    if n_regions == 0 or n_ok == 0:
        return {k: None for k in limits}
    flat_ids = region_ids.ravel()
    sizes = np.bincount(flat_ids, minlength=n_regions + 1)[1:]
    flat_maps = maps.ravel()
    flat_ok = ~defect.ravel()
    points = [(0.0, 0.0)]
    for t in np.unique(flat_maps)[::-1]:
        above = flat_maps >= t
        fpr = int((above & flat_ok).sum()) / n_ok
        inside = np.bincount(flat_ids[above], minlength=n_regions + 1)[1:]
        pro = float(np.mean(inside / sizes))
        points.append((fpr, pro))
    assert points[-1][0] == 1.0 and abs(points[-1][1] - 1.0) < 1e-15
    return {k: area_to_limit_segments(points, float(k)) / float(k) for k in limits}


def au_pro_cumsum(maps, masks, limits):
    """Second implementation: one descending sort, cumulative sums, last point of each tie group."""
    scores = np.asarray(maps, dtype=np.float64).ravel()
    defect = (np.asarray(masks) > 0)
    region_ids, n_regions = label_regions(defect)
    ok = (~defect).ravel().astype(np.float64)
    n_ok = ok.sum()
    if n_regions == 0 or n_ok == 0:
        return {k: None for k in limits}
    flat_ids = region_ids.ravel()
    sizes = np.bincount(flat_ids, minlength=n_regions + 1).astype(np.float64)
    weight = np.where(flat_ids > 0, 1.0 / sizes[flat_ids], 0.0)
    order = np.argsort(scores, kind="mergesort")[::-1]
    s = scores[order]
    fpr = np.cumsum(ok[order]) / n_ok
    pro = np.cumsum(weight[order]) / n_regions
    last_of_group = np.append(s[1:] != s[:-1], True)
    x = np.concatenate([[0.0], fpr[last_of_group]])
    y = np.concatenate([[0.0], pro[last_of_group]])
    out = {}
    for k in limits:
        lim = float(k)
        i = int(np.searchsorted(x, lim, side="right"))  # x[:i] <= lim
        area = float(np.trapz(y[:i], x[:i]))
        if i < x.size and x[i - 1] < lim:
            y_lim = np.interp(lim, [x[i - 1], x[i]], [y[i - 1], y[i]])
            area += (lim - x[i - 1]) * (y[i - 1] + y_lim) / 2.0
        out[k] = area / lim
    return out


# ----------------------------------------------------------------------------------------------
# RD4AD compute_pro, re-implemented literally (no pandas / skimage needed)
# ----------------------------------------------------------------------------------------------

def rd4ad_compute_pro(masks, amaps, num_th=200):
    """RD4AD test.py compute_pro: masks (n,h,w) int 0/1, amaps (n,h,w) float64."""
    assert isinstance(amaps, np.ndarray)
    assert isinstance(masks, np.ndarray)
    assert amaps.ndim == 3
    assert masks.ndim == 3
    assert amaps.shape == masks.shape
    assert set(masks.flatten()) == {0, 1}
    rows = []  # (pro, fpr, threshold)
    binary_amaps = np.zeros_like(amaps, dtype=bool)
    min_th = amaps.min()
    max_th = amaps.max()
    delta = (max_th - min_th) / num_th
    for th in np.arange(min_th, max_th, delta):
        binary_amaps[amaps <= th] = 0
        binary_amaps[amaps > th] = 1
        pros = []
        for binary_amap, mask in zip(binary_amaps, masks):
            # skimage.measure.label default connectivity on 2-D = 8-connectivity.
            lab, n = ndi.label(mask, structure=STRUCTURE_8)
            for k in range(1, n + 1):
                rr, cc = np.nonzero(lab == k)
                tp_pixels = binary_amap[rr, cc].sum()
                pros.append(tp_pixels / rr.size)
        inverse_masks = 1 - masks
        fp_pixels = np.logical_and(inverse_masks, binary_amaps).sum()
        fpr = fp_pixels / inverse_masks.sum()
        rows.append((statistics.mean(pros), fpr, th))
    rows = [r for r in rows if r[1] < 0.3]
    max_fpr = max(r[1] for r in rows) if rows else float("nan")
    fprs = [r[1] / max_fpr for r in rows]
    return auc(fprs, [r[0] for r in rows])


def rd4ad_per_image(maps, masks, labels):
    """Per-image values for anomalous images (None = undefined); normal images give None too."""
    values, undefined = [], 0
    for m, g, lbl in zip(maps, masks, labels):
        if lbl == 0:
            values.append(None)
            continue
        try:
            with np.errstate(all="ignore"):
                v = float(rd4ad_compute_pro(np.asarray(g, dtype=int)[np.newaxis],
                                            np.asarray(m, dtype=np.float64)[np.newaxis]))
        except Exception:
            v = float("nan")
        if not math.isfinite(v):
            undefined += 1
            values.append(None)
        else:
            values.append(v)
    return values, undefined


def rd4ad_policies(values, labels):
    anomalous = [v for v, l in zip(values, labels) if l == 1]
    defined = [v for v in anomalous if v is not None]
    n_undef = len(anomalous) - len(defined)
    skip = float(np.mean(defined)) if defined else None
    zero = float(np.sum(defined) / len(anomalous)) if anomalous else None
    nan = float(np.mean(defined)) if (anomalous and n_undef == 0) else None
    return {"skip": skip, "zero": zero, "nan": nan}


# ----------------------------------------------------------------------------------------------
# Synthetic images
# ----------------------------------------------------------------------------------------------

def smooth_noise(rng, h, w, sigma=2.0):
    g = ndi.gaussian_filter(rng.normal(size=(h, w)), sigma)
    return (g - g.mean()) / (g.std() + 1e-12)


def draw_defect(rng, h, w, kind):
    m = np.zeros((h, w), dtype=np.uint8)
    if kind == "pixel":
        m[rng.integers(h), rng.integers(w)] = 1
    elif kind == "ellipse":
        cy, cx = rng.uniform(3, h - 3), rng.uniform(3, w - 3)
        ry, rx = rng.uniform(1.5, 5.0), rng.uniform(1.5, 5.0)
        a = rng.uniform(0, np.pi)
        yy, xx = np.mgrid[0:h, 0:w]
        u = (yy - cy) * np.cos(a) + (xx - cx) * np.sin(a)
        v = -(yy - cy) * np.sin(a) + (xx - cx) * np.cos(a)
        m[(u / ry) ** 2 + (v / rx) ** 2 <= 1.0] = 1
        if m.sum() == 0:
            m[int(cy), int(cx)] = 1
    elif kind == "worm":
        y, x = rng.integers(2, h - 2), rng.integers(2, w - 2)
        for _ in range(rng.integers(6, 18)):
            m[y, x] = 1
            y = int(np.clip(y + rng.integers(-1, 2), 0, h - 1))
            x = int(np.clip(x + rng.integers(-1, 2), 0, w - 1))
    else:
        raise ValueError(kind)
    return m


def random_mask(rng, h, w, n_max=3):
    m = np.zeros((h, w), dtype=np.uint8)
    for _ in range(rng.integers(1, n_max + 1)):
        m |= draw_defect(rng, h, w, rng.choice(["pixel", "ellipse", "ellipse", "worm"]))
    return m


def response_map(rng, mask, strength=0.8, noise=0.12, false_alarm=0.15):
    """Smooth noise plus a blurred, slightly shifted response to each defect."""
    h, w = mask.shape
    base = 0.3 + noise * smooth_noise(rng, h, w)
    shifted = np.roll(mask.astype(np.float64), (rng.integers(-1, 2), rng.integers(-1, 2)), (0, 1))
    base += strength * rng.uniform(0.5, 1.2) * ndi.gaussian_filter(shifted, 1.0)
    if rng.random() < false_alarm:
        fa = np.zeros((h, w))
        fa[rng.integers(h), rng.integers(w)] = 1.0
        base += 3.0 * ndi.gaussian_filter(fa, 1.5)
    return base.astype(np.float32)


def normal_image(rng, h, w, **kw):
    mask = np.zeros((h, w), dtype=np.uint8)
    return response_map(rng, mask, **kw), mask, 0


def anomalous_image(rng, h, w, mask=None, **kw):
    if mask is None:
        mask = random_mask(rng, h, w)
    return response_map(rng, mask, **kw), mask, 1


def square_corner_mask(h, w, y, x, s):
    """Two s×s squares touching only at one corner: one 8-connected region, two 4-connected."""
    m = np.zeros((h, w), dtype=np.uint8)
    m[y:y + s, x:x + s] = 1
    m[y + s:y + 2 * s, x + s:x + 2 * s] = 1
    return m


def mix(rng, n, h, w, normal_share=0.35, **kw):
    n_normal = max(1, int(round(n * normal_share)))
    imgs = [normal_image(rng, h, w, **kw) for _ in range(n_normal)]
    imgs += [anomalous_image(rng, h, w, **kw) for _ in range(n - n_normal)]
    return imgs


def pro_cases():
    rng = np.random.default_rng(7031)
    specs = []

    # 1. plain continuous maps
    specs.append(("mixed_continuous", 24, 28, mix(rng, 10, 24, 28)))

    # 2. constant maps: one normal image and one anomalous image
    h, w = 20, 24
    imgs = mix(rng, 6, h, w)
    imgs.append((np.full((h, w), 0.3, np.float32), np.zeros((h, w), np.uint8), 0))
    m = random_mask(rng, h, w)
    imgs.append((np.full((h, w), 0.45, np.float32), m, 1))
    imgs = [imgs[i] for i in rng.permutation(len(imgs))]
    specs.append(("constant_maps", h, w, imgs))

    # 3. single-pixel defects (one strong, one missed, one among a larger defect)
    h, w = 24, 24
    imgs = [normal_image(rng, h, w) for _ in range(3)]
    for strength in (1.5, 0.0, 0.6):
        m = np.zeros((h, w), np.uint8)
        m[rng.integers(2, h - 2), rng.integers(2, w - 2)] = 1
        imgs.append(anomalous_image(rng, h, w, mask=m, strength=strength))
    m = draw_defect(rng, h, w, "ellipse")
    m[0, w - 1] = 1
    imgs.append(anomalous_image(rng, h, w, mask=m))
    imgs.append(anomalous_image(rng, h, w))
    specs.append(("single_pixel_defects", h, w, imgs))

    # 4. large defects: ~70 % of an image, ~90 %, and a fully defective image
    h, w = 24, 24
    imgs = [normal_image(rng, h, w) for _ in range(3)]
    for frac in (0.7, 0.9):
        m = np.zeros((h, w), np.uint8)
        side = int(round(math.sqrt(frac) * h))
        m[0:side, 0:side] = 1
        imgs.append(anomalous_image(rng, h, w, mask=m))
    imgs.append(anomalous_image(rng, h, w, mask=np.ones((h, w), np.uint8)))
    imgs.append(anomalous_image(rng, h, w))
    imgs.append(anomalous_image(rng, h, w))
    specs.append(("large_defects", h, w, imgs))

    # 5. squares touching only at a corner
    h, w = 24, 28
    imgs = [normal_image(rng, h, w) for _ in range(3)]
    imgs.append(anomalous_image(rng, h, w, mask=square_corner_mask(h, w, 3, 4, 4)))
    imgs.append(anomalous_image(rng, h, w, mask=square_corner_mask(h, w, 10, 12, 3)))
    m = square_corner_mask(h, w, 2, 2, 2) | square_corner_mask(h, w, 14, 16, 5)
    imgs.append(anomalous_image(rng, h, w, mask=m, strength=0.4))
    m = np.zeros((h, w), np.uint8)
    m[5, 5] = m[6, 6] = m[7, 7] = m[8, 8] = 1          # a diagonal line: one region
    m[15, 20] = m[16, 19] = 1                          # anti-diagonal pair: one region
    imgs.append(anomalous_image(rng, h, w, mask=m))
    imgs.append(anomalous_image(rng, h, w))
    specs.append(("corner_touching_squares", h, w, imgs))

    # 6. anomalous images with empty masks (logical anomalies)
    h, w = 20, 24
    imgs = mix(rng, 6, h, w, normal_share=0.5)
    empty = np.zeros((h, w), np.uint8)
    imgs.append((response_map(rng, empty), empty.copy(), 1))
    imgs.append((response_map(rng, empty, false_alarm=1.0), empty.copy(), 1))
    imgs = [imgs[i] for i in rng.permutation(len(imgs))]
    specs.append(("label1_empty_mask", h, w, imgs))

    # 7. perfectly separating maps; one image has constant normal pixels at the global minimum
    h, w = 24, 24
    imgs = []
    for i in range(8):
        m = random_mask(rng, h, w) if i >= 3 else np.zeros((h, w), np.uint8)
        mp = 0.5 * rng.random((h, w))
        mp = np.where(m > 0, 0.6 + 0.4 * rng.random((h, w)), mp)
        if i == 7:
            mp = np.where(m > 0, mp, 0.0)
        imgs.append((mp.astype(np.float32), m, int(i >= 3)))
    specs.append(("perfect_separation", h, w, imgs))

    # 8. maps quantised to 1/16 steps (many ties)
    h, w = 24, 24
    imgs = [(np.clip(np.round(mp.astype(np.float64) * 16) / 16, 0, 1).astype(np.float32), m, l)
            for mp, m, l in mix(rng, 10, h, w)]
    specs.append(("quantised_1_16", h, w, imgs))

    # 9. 243 levels (uint8-like) with an image-score tie between a normal and an anomalous image
    h, w = 20, 24
    imgs = []
    for mp, m, l in mix(rng, 10, h, w):
        q = np.clip(np.round(mp.astype(np.float64) * 242), 0, 242) / 242
        imgs.append((q.astype(np.float32), m, l))
    mp0, m0, l0 = imgs[0]
    mp9, m9, l9 = imgs[-1]
    assert l0 == 0 and l9 == 1
    mp0 = mp0.copy()
    mp0.flat[int(np.argmax(mp0))] = mp9.max()
    imgs[0] = (mp0, m0, l0)
    specs.append(("quantised_243_image_tie", h, w, imgs))

    # 10. maps far outside [0, 1]
    h, w = 24, 24
    imgs = [((mp.astype(np.float64) * 4000.0 - 1500.0).astype(np.float32), m, l)
            for mp, m, l in mix(rng, 8, h, w)]
    imgs += [((np.exp(6.0 * mp.astype(np.float64)) - 30.0).astype(np.float32), m, l)
             for mp, m, l in mix(rng, 3, h, w)]
    specs.append(("far_outside_unit_range", h, w, imgs))

    # 11. salt-noise masks with many 1-pixel regions
    h, w = 24, 24
    imgs = [normal_image(rng, h, w) for _ in range(3)]
    for p in (0.02, 0.04, 0.06, 0.03, 0.05):
        m = (rng.random((h, w)) < p).astype(np.uint8)
        imgs.append(anomalous_image(rng, h, w, mask=m, strength=rng.uniform(0.3, 1.2)))
    specs.append(("salt_noise_masks", h, w, imgs))

    # 12. every edge case in one set, 32×32
    h, w = 32, 32
    imgs = mix(rng, 6, h, w, normal_share=0.5)
    imgs.append((np.full((h, w), 0.25, np.float32), np.zeros((h, w), np.uint8), 0))
    m = np.zeros((h, w), np.uint8)
    m[7, 9] = 1
    imgs.append(anomalous_image(rng, h, w, mask=m))
    m = np.zeros((h, w), np.uint8)
    m[2:30, 1:29] = 1
    imgs.append(anomalous_image(rng, h, w, mask=m))
    imgs.append(anomalous_image(rng, h, w, mask=square_corner_mask(h, w, 10, 10, 5)))
    imgs.append((np.full((h, w), 0.5, np.float32), random_mask(rng, h, w), 1))
    imgs.append((response_map(rng, np.zeros((h, w), np.uint8)), np.zeros((h, w), np.uint8), 1))
    mp, m, _ = anomalous_image(rng, h, w)
    imgs.append((np.round(mp.astype(np.float64) * 16).astype(np.float32) / np.float32(16), m, 1))
    imgs = [imgs[i] for i in rng.permutation(len(imgs))]
    specs.append(("all_edge_cases_32x32", h, w, imgs))

    # 13. no regions at all: normal images and anomalous images with empty masks
    h, w = 20, 24
    imgs = [normal_image(rng, h, w) for _ in range(4)]
    empty = np.zeros((h, w), np.uint8)
    imgs.append((response_map(rng, empty, false_alarm=1.0), empty.copy(), 1))
    imgs.append((response_map(rng, empty), empty.copy(), 1))
    specs.append(("no_regions", h, w, imgs))

    # 14. every map constant and equal: one diagonal PRO segment, AU-PRO@0.3 = 0.15, AU-ROC 0.5
    h, w = 20, 24
    imgs = [(np.full((h, w), 0.5, np.float32), np.zeros((h, w), np.uint8), 0) for _ in range(3)]
    imgs += [(np.full((h, w), 0.5, np.float32), random_mask(rng, h, w), 1) for _ in range(4)]
    specs.append(("all_maps_constant", h, w, imgs))

    return [build_pro_case(name, h, w, imgs) for name, h, w, imgs in specs]


def ranking_or_null(scores, labels):
    auroc, ap, f1 = sk_ranking(scores, labels)
    mine = sweep_ranking(scores, labels)
    for a, b in zip((auroc, ap, f1), mine):
        assert close(a, b), (a, b)
    return auroc, ap, f1


def build_pro_case(name, h, w, imgs):
    maps = np.stack([np.asarray(i[0], dtype=np.float32) for i in imgs])
    masks = np.stack([(np.asarray(i[1]) > 0).astype(np.uint8) for i in imgs])
    labels = [int(i[2]) for i in imgs]
    assert maps.shape == (len(imgs), h, w) and np.all(np.isfinite(maps))
    for m, l in zip(masks, labels):
        assert l == 1 or m.sum() == 0, name
    brute = au_pro_brute_force(maps, masks, LIMITS)
    fast = au_pro_cumsum(maps, masks, LIMITS)
    for k in LIMITS:
        assert close(brute[k], fast[k]), (name, k, brute[k], fast[k])
    _, n_regions = label_regions(masks)
    p_auroc, p_ap, p_f1 = ranking_or_null(maps.ravel(), masks.ravel().astype(np.int64))
    img_scores = maps.reshape(len(imgs), -1).max(axis=1)
    i_auroc, i_ap, i_f1 = ranking_or_null(img_scores, np.array(labels))
    per_image, n_undef = rd4ad_per_image(maps, masks, labels)
    n_normal = labels.count(0)
    print(f"  {name}: {len(imgs)} images {h}x{w}, {n_normal} normal, {n_regions} regions, "
          f"AU-PRO@0.3={brute['0.3']}, RD4AD undefined={n_undef}")
    return {
        "name": name,
        "height": h,
        "width": w,
        "labels": labels,
        "n_regions": n_regions,
        "au_pro": brute,
        "pixel_auroc": p_auroc, "pixel_ap": p_ap, "pixel_f1_max": p_f1,
        "image_auroc": i_auroc, "image_ap": i_ap, "image_f1_max": i_f1,
        "au_pro_rd4ad": rd4ad_policies(per_image, labels),
        "rd4ad_undefined": n_undef,
        "rd4ad_per_image": per_image,
        "maps": [f32_list(m) for m in maps],
        "masks": [[int(v) for v in m.ravel()] for m in masks],
    }


# ----------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------

def dumps_compact(obj, indent=0):
    """JSON with dicts indented and lists of scalars on one line (keeps the files small)."""
    pad = " " * indent
    if isinstance(obj, dict):
        items = [f'{pad} {json.dumps(k)}: {dumps_compact(v, indent + 1).lstrip()}'
                 for k, v in obj.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        return pad + "[\n" + ",\n".join(dumps_compact(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return pad + json.dumps(obj, separators=(",", ":"), allow_nan=False)


def write(path, obj):
    text = dumps_compact(obj) + "\n"
    assert json.loads(text) == obj
    with open(path, "w") as f:
        f.write(text)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def main():
    versions = {"generator": GENERATOR, "sklearn_version": sklearn.__version__,
                "numpy_version": np.__version__, "scipy_version": scipy.__version__}
    print("ranking cases")
    rc = ranking_cases()
    write(os.path.join(HERE, "ranking_cases.json"), {**versions, "cases": rc})
    print("pro cases")
    pc = pro_cases()
    write(os.path.join(HERE, "pro_cases.json"),
          {**versions, "limits": list(LIMITS), "rd4ad_thresholds": 200, "cases": pc})
    print(f"{len(rc)} ranking cases, {len(pc)} pro cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
