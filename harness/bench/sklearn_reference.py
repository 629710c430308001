#!/usr/bin/python3
"""Times sklearn's pixel metrics on the pixels `kdad bench --dump-pixels DIR` wrote, for the speed
ratio reported beside `kdad bench` (same machine, same pixels).

Usage: /usr/bin/python3 harness/bench/sklearn_reference.py DIR [--repeat N]
Prints the best-of-N seconds of roc_auc_score and average_precision_score, the values, and the
peak resident memory of this process.
"""
import argparse
import resource
import time

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


def best_of(repeat, fn):
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scores = np.fromfile(f"{args.folder}/scores.f32", dtype=np.float32)
    labels = np.fromfile(f"{args.folder}/labels.u8", dtype=np.uint8)
    assert scores.size == labels.size, "scores and labels differ in length"
    auroc_s, auroc = best_of(args.repeat, lambda: roc_auc_score(labels, scores))
    ap_s, ap = best_of(args.repeat, lambda: average_precision_score(labels, scores))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pixels {scores.size}")
    print(f"roc_auc_score            {auroc_s:.3f} s  value {auroc:.12f}")
    print(f"average_precision_score  {ap_s:.3f} s  value {ap:.12f}")
    print(f"peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
