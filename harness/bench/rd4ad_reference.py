#!/usr/bin/python3
"""Times the official RD4AD training step and prediction with Debian's python3-torch, for the
speed comparison beside `kdad bench --benchmark_filter=methods/rd`.

Needs a checkout of hq-deng/RD4AD (its resnet.py and de_resnet.py, at the top level or under
models/) that you provide; nothing of it is part of kdad.

Usage:
  /usr/bin/python3 harness/bench/rd4ad_reference.py --rd4ad PATH --train DIR [--batch 4] [--steps 4]
DIR is a folder of training images (e.g. a generated category's train/good). Like kdad's
benchmark: random teacher weights (pretrained=False), 256x256, Adam(0.005, (0.5, 0.999)), the
official loop (encoder forward with autograd, bn, decoder, flattened cosine loss, backward, step),
torchvision transforms and a DataLoader with num_workers=0 as in main.py. Prediction: encoder, bn,
decoder, per-level 1 - cosine maps upsampled (bilinear, align_corners) and summed, SciPy
gaussian_filter(sigma=4), max; batch 1. Prints seconds per step (median after the first) and
images per second. Run it with the same GLIBC_TUNABLES as kdad to compare like with like.
"""
import argparse
import os
import statistics
import sys
import time

from reference_timing import add_checkout, print_prediction, time_prediction


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rd4ad", required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--predict", type=int, default=10, help="images to time for prediction")
    args = parser.parse_args()
    if args.steps < 2:
        parser.error("--steps must be at least 2 (the first one is warm-up)")
    if args.predict < 0:
        parser.error("--predict must be 0 or more")
    add_checkout("rd4ad_reference.py", "--rd4ad", [args.rd4ad, os.path.join(args.rd4ad, "models")],
                 ["resnet.py", "de_resnet.py"])
    if not os.path.isdir(args.train):
        sys.exit(f"rd4ad_reference.py: error: --train: {args.train} not found")
    import torch
    from de_resnet import de_wide_resnet50_2
    from PIL import Image
    from resnet import wide_resnet50_2
    from torchvision import transforms

    torch.manual_seed(111)
    torch.set_num_threads(args.threads)
    transform = transforms.Compose([
        transforms.Resize((256, 256)), transforms.ToTensor(), transforms.CenterCrop(256),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    files = sorted(os.path.join(args.train, f) for f in os.listdir(args.train))
    images = [transform(Image.open(f).convert("RGB")) for f in files]

    class Images(torch.utils.data.Dataset):
        def __len__(self):
            return len(images)

        def __getitem__(self, i):
            return images[i], 0

    loader = torch.utils.data.DataLoader(Images(), batch_size=args.batch, shuffle=True)
    encoder, bn = wide_resnet50_2(pretrained=False)
    encoder.eval()
    decoder = de_wide_resnet50_2(pretrained=False)
    optimizer = torch.optim.Adam(list(decoder.parameters()) + list(bn.parameters()), lr=0.005, betas=(0.5, 0.999))
    cos = torch.nn.CosineSimilarity()
    bn.train()
    decoder.train()
    times = []
    while len(times) < args.steps:
        for img, _ in loader:
            if len(times) == args.steps:
                break
            start = time.perf_counter()
            inputs = encoder(img)
            outputs = decoder(bn(inputs))
            loss = 0
            for a, b in zip(inputs, outputs):
                loss += torch.mean(1 - cos(a.view(a.shape[0], -1), b.view(b.shape[0], -1)))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            times.append(time.perf_counter() - start)
    step = statistics.median(times[1:])
    print(f"fit: batch {args.batch}: {step:.3f} s/step, {args.batch / step:.2f} images/s (steps {['%.2f' % t for t in times]})")

    if args.predict > 0:
        print_prediction(*time_prediction(encoder, bn, decoder, images, args.predict))


if __name__ == "__main__":
    main()
