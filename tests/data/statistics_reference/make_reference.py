#!/usr/bin/python3
# Regenerates statistics_cases.json: independent reference values for kdad's seed statistics, bootstrap intervals and DeLong's test.
"""Reference values for metrics/statistics.cpp, computed independently with numpy, scipy and sklearn.

Run from the repository root with Debian's python:

    /usr/bin/python3 tests/data/statistics_reference/make_reference.py

The output, statistics_cases.json next to this script, is committed; the C++ test reads it.
Independence from the C++ code:
  * seed statistics: numpy mean/std(ddof=1) and the t quantile from scipy.special.betaincinv;
  * DeLong: the structural components by their definition (pairwise Heaviside kernel with 1/2 for
    ties, O(m·n)), not the midrank shortcut the C++ code uses; scipy.stats.norm for p and interval;
  * bootstrap: the resampling scheme is part of kdad's definition (kdad::Rng draws normals then
    anomalous images, each uniformly with replacement), so this script re-implements kdad::Rng
    (splitmix64 seeding, xoshiro256**, Lemire's unbiased integer draw) and computes each resample's
    metric with sklearn; percentiles are numpy's default linear interpolation.
Data come from numpy's default_rng with fixed seeds, so reruns write identical files.
"""

import json
import os

import numpy as np
import scipy.special
import scipy.stats
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class KdadRng:
    """kdad::Rng (core/rng.cpp): xoshiro256** seeded through splitmix64."""

    def __init__(self, seed):
        state = seed & MASK
        self.s = []
        for _ in range(4):
            state, word = splitmix64(state)
            self.s.append(word)

    def next_u64(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform_int(self, lo, hi):
        span = hi - lo + 1
        m = self.next_u64() * span
        low = m & MASK
        if low < span:
            threshold = ((1 << 64) - span) % span
            while low < threshold:
                m = self.next_u64() * span
                low = m & MASK
        return lo + (m >> 64)


def f1_max(labels, scores):
    precision, recall, _ = precision_recall_curve(labels, scores)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-300), 0.0)
    return float(np.max(f1))


METRICS = {
    "auroc": lambda y, s: float(roc_auc_score(y, s)),
    "ap": lambda y, s: float(average_precision_score(y, s)),
    "f1_max": f1_max,
}


def resample(rng, normal, anomalous):
    idx = [normal[rng.uniform_int(0, len(normal) - 1)] for _ in normal]
    idx += [anomalous[rng.uniform_int(0, len(anomalous) - 1)] for _ in anomalous]
    return np.array(idx)


def bootstrap(metric, scores, labels, resamples, seed, level):
    normal = [i for i, y in enumerate(labels) if y == 0]
    anomalous = [i for i, y in enumerate(labels) if y == 1]
    rng = KdadRng(seed)
    values = []
    for _ in range(resamples):
        idx = resample(rng, normal, anomalous)
        values.append(METRICS[metric](labels[idx], scores[idx]))
    return {
        "estimate": METRICS[metric](labels, scores),
        "low": float(np.percentile(values, 50 * (1 - level))),
        "high": float(np.percentile(values, 50 * (1 + level))),
    }


def paired_bootstrap(metric, a, b, labels, resamples, seed, level):
    normal = [i for i, y in enumerate(labels) if y == 0]
    anomalous = [i for i, y in enumerate(labels) if y == 1]
    rng = KdadRng(seed)
    deltas = []
    for _ in range(resamples):
        idx = resample(rng, normal, anomalous)
        deltas.append(METRICS[metric](labels[idx], b[idx]) - METRICS[metric](labels[idx], a[idx]))
    deltas = np.array(deltas)
    # Differences within 1e-12 of zero are ties: F1-max often ties exactly, and the two
    # implementations round differently in the last bit.
    low_count = int(np.sum(deltas <= 1e-12)) + 1
    high_count = int(np.sum(deltas >= -1e-12)) + 1
    va, vb = METRICS[metric](labels, a), METRICS[metric](labels, b)
    return {
        "a": va, "b": vb, "difference": vb - va,
        "low": float(np.percentile(deltas, 50 * (1 - level))),
        "high": float(np.percentile(deltas, 50 * (1 + level))),
        "p_value": min(1.0, 2.0 * min(low_count, high_count) / (resamples + 1)),
    }


def delong(a, b, labels, level):
    pos, neg = labels == 1, labels == 0
    m, n = int(pos.sum()), int(neg.sum())

    def components(s):
        x, y = s[pos][:, None], s[neg][None, :]
        psi = (x > y).astype(float) + 0.5 * (x == y)
        return psi.mean(axis=1), psi.mean(axis=0), psi.mean()

    a10, a01, auc_a = components(a)
    b10, b01, auc_b = components(b)
    s10 = np.cov(np.vstack([a10, b10]), ddof=1)
    s01 = np.cov(np.vstack([a01, b01]), ddof=1)
    var = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / m + (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / n
    diff = auc_b - auc_a
    se = float(np.sqrt(max(var, 0.0)))
    if se <= 1e-15:
        return {"a": auc_a, "b": auc_b, "difference": diff, "low": diff, "high": diff,
                "p_value": 1.0 if abs(diff) <= 1e-15 else 0.0}
    z = diff / se
    half = scipy.stats.norm.ppf(0.5 * (1 + level)) * se
    return {"a": float(auc_a), "b": float(auc_b), "difference": float(diff), "low": float(diff - half),
            "high": float(diff + half), "p_value": float(min(1.0, 2 * scipy.stats.norm.sf(abs(z))))}


def t_quantile(p, dof):
    """Student t quantile through the inverse incomplete beta: scipy.stats.t.ppf is only accurate
    to about 1e-9 (its CDF at its own quantile is off by 4e-10), which is coarser than kdad's."""
    if p == 0.5:
        return 0.0
    x = scipy.special.betaincinv(dof / 2, 0.5, 2 * min(p, 1 - p))
    t = float(np.sqrt(dof * (1 / x - 1)))
    return t if p > 0.5 else -t


def seed_stats(values, level):
    v = np.array(values)
    out = {"n": len(v), "mean": float(v.mean()), "std": None, "ci_low": None, "ci_high": None}
    if len(v) >= 2:
        std = float(v.std(ddof=1))
        half = t_quantile(0.5 * (1 + level), len(v) - 1) * std / np.sqrt(len(v))
        out.update({"std": std, "ci_low": float(v.mean() - half), "ci_high": float(v.mean() + half)})
    return out


def f32(values):
    return [float(np.float32(x)) for x in values]


def main():
    rng = np.random.default_rng(20261202)
    seeds_cases = []
    for values, level in [([0.91], 0.95), ([0.9, 0.95], 0.95), ([0.81, 0.84, 0.79], 0.95),
                          (list(rng.uniform(0.6, 0.99, 5)), 0.95), (list(rng.uniform(0.6, 0.99, 10)), 0.90),
                          (list(rng.normal(0.5, 0.1, 30)), 0.99), ([0.7, 0.7, 0.7], 0.95)]:
        seeds_cases.append({"values": [float(x) for x in values], "level": level, **seed_stats(values, level)})

    quantiles = [{"p": p, "dof": d, "t": t_quantile(p, d), "scipy_ppf": float(scipy.stats.t.ppf(p, d))}
                 for p in (0.5, 0.9, 0.95, 0.975, 0.995, 0.025, 0.001) for d in (1, 2, 3, 4, 9, 29, 1000)]

    paired_cases = []
    shapes = [("small", 6, 5, 0.8, 1), ("ties", 20, 15, 1.0, 10), ("medium", 40, 60, 1.2, 0),
              ("weak", 30, 30, 0.2, 0), ("identical", 25, 20, 1.0, 0)]
    for name, normals, anomalous, separation, rounding in shapes:
        labels = np.array([0] * normals + [1] * anomalous)
        rng.shuffle(labels)
        base = rng.normal(0, 1, labels.size) + separation * labels
        a = base + rng.normal(0, 0.5, labels.size)
        b = a.copy() if name == "identical" else base + rng.normal(0, 0.5, labels.size) + 0.3 * labels
        if rounding:
            a, b = np.round(a * rounding) / rounding, np.round(b * rounding) / rounding
        a, b = np.array(f32(a)), np.array(f32(b))
        case = {"name": name, "labels": labels.tolist(), "a": a.tolist(), "b": b.tolist(), "level": 0.95,
                "resamples": 300, "seed": 7, "delong": delong(a, b, labels, 0.95)}
        for metric in METRICS:
            case["bootstrap_" + metric] = bootstrap(metric, a, labels, 300, 7, 0.95)
            case["paired_" + metric] = paired_bootstrap(metric, a, b, labels, 300, 7, 0.95)
        paired_cases.append(case)

    doc = {"generator": "tests/data/statistics_reference/make_reference.py",
           "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
           "seed_cases": seeds_cases, "t_quantiles": quantiles, "paired_cases": paired_cases}
    with open(os.path.join(HERE, "statistics_cases.json"), "w") as out:
        json.dump(doc, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
