#!/usr/bin/python3
"""Times the official MRKD code (yuxin-jiang/MRKD) on the CPU with Debian's python3-torch, for the
speed comparison beside `kdad bench --benchmark_filter=methods/mrkd`.

Needs a checkout of yuxin-jiang/MRKD that you provide (its main.py, mvtec.py, resnet.py,
de_resnet.py and self_sup_tasks.py are imported from it, unmodified; nothing of it is part of kdad)
plus python3-opencv and python3-skimage for its NSA synthesis.

Usage:
  /usr/bin/python3 harness/bench/mrkd_reference.py --mrkd PATH --root DIR [--category carpet]
      [--batch 4] [--steps 8] [--predict 20]
DIR is an MVTec-layout root whose CATEGORY (an MVTec AD name: MRKD's tables are keyed by them)
has train/good PNGs, e.g. `kdad datasets make-synthetic DIR --categories carpet --size 256`.

Training, as main.py's train(): SelfSupMVTecDataset with main.py's self-supervision settings for
the category, DataLoader(shuffle=True, num_workers=0), wide_resnet50_2(pretrained=False: random
teacher, as `--pretrained none` in kdad), de_wide_resnet50_2, Adam(0.005, (0.5, 0.999)), the
official loop (clean and forged images through the frozen encoder, bn + decoder on the forged
features, main.py's loss_fucntion, backward, step). One step is timed from the end of the previous
one, so it includes the DataLoader producing the batch (NSA synthesis in __getitem__), as kdad's
`s_per_step_wall`. Reported: the median over steps 3.. (the first two warm up).

Prediction (batch 1): encoder, bn, decoder in eval mode (its FLM masks are drawn as its forward
always does), per-level 1 - cosine maps upsampled (bilinear, align_corners) and summed,
SciPy gaussian_filter(sigma=4), max: test.py's evaluation without the metrics.

de_resnet.py moves its FLM masks to the GPU with `.cuda()`; on a CPU-only torch that call is made
the identity here. Run with the same GLIBC_TUNABLES as kdad (kdad sets glibc.malloc.hugetlb=1).
"""
import argparse
import os
import statistics
import sys
import time
import types

from reference_timing import add_checkout, print_prediction, time_prediction


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mrkd", required=True, help="checkout of yuxin-jiang/MRKD")
    parser.add_argument("--root", required=True, help="MVTec-layout dataset root")
    parser.add_argument("--category", default="carpet")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--predict", type=int, default=20, help="images to time for prediction (0: none)")
    args = parser.parse_args()
    if args.steps < 3:
        parser.error("--steps must be at least 3 (the first two are warm-up)")
    if args.predict < 0:
        parser.error("--predict must be 0 or more")
    add_checkout("mrkd_reference.py", "--mrkd", [args.mrkd],
                 ["main.py", "mvtec.py", "resnet.py", "de_resnet.py", "self_sup_tasks.py"])
    train_folder = os.path.join(args.root, args.category, "train", "good")
    if not os.path.isdir(train_folder):
        sys.exit(f"mrkd_reference.py: error: {train_folder} not found")

    import torch
    from torch.utils.data import DataLoader
    from torchvision import transforms as T

    if not torch.cuda.is_available():
        torch.Tensor.cuda = lambda self, *a, **k: self  # de_resnet.py's masks stay on the CPU
    # main.py imports test.py only for its evaluation(), whose plotting imports are not needed here.
    sys.modules.setdefault("test", types.SimpleNamespace(evaluation=None))
    import main as mrkd_main
    from de_resnet import de_wide_resnet50_2
    from mvtec import SelfSupMVTecDataset
    from resnet import wide_resnet50_2

    category = args.category
    mrkd_main.setup_seed(111)
    torch.set_num_threads(args.threads)
    transform = T.Compose([T.CenterCrop(256), T.RandomCrop(256)])
    data = SelfSupMVTecDataset(root_path=args.root, class_name=category, is_train=True, low_res=256,
                               download=False, transform=transform)
    # main.py's three configure_self_sup calls for the training set
    data.configure_self_sup(self_sup_args={"gamma_params": (2, 0.05, 0.03), "resize": False, "shift": True,
                                           "same": True, "mode": "swap", "label_mode": "binary"})
    data.configure_self_sup(self_sup_args={"skip_background": mrkd_main.BACKGROUND.get(category)})
    data.configure_self_sup(on=True, self_sup_args={
        "width_bounds_pct": mrkd_main.WIDTH_BOUNDS_PCT.get(category),
        "intensity_logistic_params": mrkd_main.INTENSITY_LOGISTIC_PARAMS.get(category),
        "num_patches": mrkd_main.NUM_PATCHES.get(category),
        "min_object_pct": mrkd_main.MIN_OBJECT_PCT.get(category),
        "min_overlap_pct": mrkd_main.MIN_OVERLAP_PCT.get(category)})
    loader = DataLoader(data, args.batch, shuffle=True, num_workers=0)

    encoder, bn = wide_resnet50_2(pretrained=False)
    encoder.eval()
    decoder = de_wide_resnet50_2(category, pretrained=False)
    optimizer = torch.optim.Adam(list(decoder.parameters()) + list(bn.parameters()), lr=0.005, betas=(0.5, 0.999))
    print(f"MRKD reference: {len(data)} training images of {category} under {args.root}, batch {args.batch}, "
          f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"GLIBC_TUNABLES={os.environ.get('GLIBC_TUNABLES', '')}", flush=True)

    bn.train()
    decoder.train()
    times, losses = [], []
    last = time.perf_counter()
    while len(times) < args.steps:
        for batch in loader:
            img, aug_img = batch[0], batch[1]
            with torch.no_grad():
                inputs = encoder(img)
                aug_inputs = encoder(aug_img)
            outputs = decoder(bn(aug_inputs))
            loss = mrkd_main.loss_fucntion([inputs[0], inputs[1], inputs[2]], [outputs[0], outputs[1], outputs[2]])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            now = time.perf_counter()
            times.append(now - last)
            last = now
            if len(times) == args.steps:
                break
    step = statistics.median(times[2:])
    print(f"fit: batch {args.batch}: {step:.3f} s/step (wall, data included), {args.batch / step:.2f} images/s; "
          f"steps {['%.2f' % t for t in times]}, loss {losses[0]:.4f} -> {losses[-1]:.4f}", flush=True)

    if args.predict > 0:
        clean = [data.norm_transform(transform(image)) for image in data.x]
        print_prediction(*time_prediction(encoder, bn, decoder, clean, args.predict))


if __name__ == "__main__":
    main()
