#!/usr/bin/python3
"""Inputs as real downloads deliver them, run through `kdad datasets verify`, `kdad eval` and `kdad run`.

Each case starts from a sound tree in one published layout (written here, small), breaks it the way a
half-finished download, an operating system or a careless user does, and states what each command
must answer: the exit code and the file the one-line message must name. Sound variants (OS junk,
linked folders, files beside the maps) must still pass. Usage: malformed_inputs.py KDAD [CASE...]
"""
import gzip
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

try:
    import numpy as np
    import tifffile
    from PIL import Image
except ImportError as missing:  # ci/setup.sh installs them; without them the corpus cannot be written
    print(f"skipped: {missing}")
    sys.exit(77)

KDAD = os.path.abspath(sys.argv[1])
ONLY = set(sys.argv[2:])


# ---------------------------------------------------------------------------------------- writers

def image(path, seed, size=(32, 32), mode="RGB"):
    """A distinct image per seed (a gradient with an offset), saved in the format of its extension."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    h, w = size
    y, x = np.mgrid[0:h, 0:w]
    gray = ((x * 3 + y * 5 + seed * 17) % 256).astype(np.uint8)
    pixels = np.stack([gray, (gray + 40) % 256, (gray + 80) % 256], -1) if mode == "RGB" else gray
    Image.fromarray(pixels, mode).save(path, quality=95) if path.lower().endswith((".jpg", ".jpeg")) \
        else Image.fromarray(pixels, mode).save(path)


def mask(path, seed, size=(32, 32), value=255):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pixels = np.zeros(size, np.uint8)
    if value:
        top, left = 2 + seed % 10, 3 + seed % 12
        pixels[top:top + 6, left:left + 5] = value
    Image.fromarray(pixels, "L").save(path)


def anomaly_map(path, seed, size=(32, 32)):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rng = np.random.default_rng(seed)
    tifffile.imwrite(path, rng.random(size, dtype=np.float32))


def truncate(path, keep=0.5):
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:int(len(data) * keep)])


def png_with_header(path, width, height):
    """A PNG whose IHDR claims width x height (CRC correct) with one tiny IDAT: a decompression bomb's header."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def jpeg_named_png(path, seed):
    """A mask saved as JPEG under a .png name: compression noise around the defect."""
    mask(path + ".tmp.png", seed)
    Image.open(path + ".tmp.png").save(path, format="JPEG", quality=75)
    os.remove(path + ".tmp.png")


# ----------------------------------------------------------------------------------- sound layouts

def mvtec_style(root, category, good, defect, image_ext, mask_suffix, mask_ext=".png"):
    """MVTec AD / BTAD / visa_prepared: <cat>/train/<good>, test/<good>, test/<defect>, ground_truth/<defect>."""
    seed = 0
    base = os.path.join(root, category)
    for i in range(3):
        image(os.path.join(base, "train", good, f"{i:03d}{image_ext}"), seed := seed + 1)
    for i in range(2):
        image(os.path.join(base, "test", good, f"{i:03d}{image_ext}"), seed := seed + 1)
    for i in range(2):
        image(os.path.join(base, "test", defect, f"{i:03d}{image_ext}"), seed := seed + 1)
        mask(os.path.join(base, "ground_truth", defect, f"{i:03d}{mask_suffix}{mask_ext}"), seed)


def write_mvtec_ad(root):
    mvtec_style(root, "widget", "good", "crack", ".png", "_mask")
    return ["widget/test/good/000", "widget/test/good/001", "widget/test/crack/000", "widget/test/crack/001"]


def write_btad(root):
    mvtec_style(root, "01", "ok", "ko", ".bmp", "", ".png")
    return ["01/test/ok/000", "01/test/ok/001", "01/test/ko/000", "01/test/ko/001"]


def write_visa_prepared(root):
    mvtec_style(root, "candle", "good", "bad", ".JPG", "")
    return ["candle/test/good/000", "candle/test/good/001", "candle/test/bad/000", "candle/test/bad/001"]


def write_mvtec_ad2(root):
    base = os.path.join(root, "can")
    seed = 100
    for i in range(3):
        image(os.path.join(base, "train", "good", f"{i:03d}_regular.png"), seed := seed + 1)
    for i in range(2):
        image(os.path.join(base, "validation", "good", f"{i:03d}_regular.png"), seed := seed + 1)
    for i in range(2):
        image(os.path.join(base, "test_public", "good", f"{i:03d}_regular.png"), seed := seed + 1)
        image(os.path.join(base, "test_public", "bad", f"{i:03d}_regular.png"), seed := seed + 1)
        mask(os.path.join(base, "test_public", "ground_truth", "bad", f"{i:03d}_regular_mask.png"), seed)
    image(os.path.join(base, "test_private", "000_regular.png"), seed := seed + 1)
    image(os.path.join(base, "test_private_mixed", "000_mixed.png"), seed := seed + 1)
    return [f"can/test_public/{kind}/{i:03d}_regular" for kind in ("good", "bad") for i in range(2)]


def write_ksdd2(root):
    ids, seed = [], 200
    for split, count, defective in (("train", 4, 1), ("test", 3, 1)):
        for i in range(count):
            stem = str(10000 + seed)
            image(os.path.join(root, split, stem + ".png"), seed, size=(40, 16))
            mask(os.path.join(root, split, stem + "_GT.png"), seed, size=(40, 16), value=255 if i < defective else 0)
            if split == "test":
                ids.append(f"test/{stem}")
            seed += 1
    return ids


def write_folder(root):
    base, seed = os.path.join(root, "gizmo"), 300
    for i in range(4):
        image(os.path.join(base, "normal", f"n{i:02d}.png"), seed := seed + 1)
    for i in range(2):
        image(os.path.join(base, "normal_test", f"t{i:02d}.png"), seed := seed + 1)
        image(os.path.join(base, "anomalous", f"a{i:02d}.png"), seed := seed + 1)
        mask(os.path.join(base, "masks", f"a{i:02d}.png"), seed)
    return [f"gizmo/normal_test/t{i:02d}" for i in range(2)] + [f"gizmo/anomalous/a{i:02d}" for i in range(2)]


def write_visa(root):
    rows, ids, seed = ["object,split,label,image,mask"], [], 400
    for i in range(4):
        rel = f"candle/Data/Images/Normal/{i:04d}.JPG"
        image(os.path.join(root, rel), seed := seed + 1)
        rows.append(f"candle,{'train' if i < 2 else 'test'},normal,{rel},")
        if i >= 2:
            ids.append(rel[:-4])
    for i in range(2):
        rel, mask_rel = f"candle/Data/Images/Anomaly/{i:03d}.JPG", f"candle/Data/Masks/Anomaly/{i:03d}.png"
        image(os.path.join(root, rel), seed := seed + 1)
        mask(os.path.join(root, mask_rel), seed, value=1 + i)
        rows.append(f"candle,test,anomaly,{rel},{mask_rel}")
        ids.append(rel[:-4])
    os.makedirs(os.path.join(root, "split_csv"))
    with open(os.path.join(root, "split_csv", "1cls.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    return ids


def idx_bytes(kind, count, offset):
    if kind == "images":
        return struct.pack(">IIII", 0x803, count, 28, 28) + bytes((p + i * 7 + offset) % 256 for i in range(count) for p in range(784))
    return struct.pack(">II", 0x801, count) + bytes(i % 10 for i in range(count))


def write_mnist(root, names="{split}-{kind}-{idx}-ubyte", compress=True, train_labels=None):
    os.makedirs(root, exist_ok=True)
    for split, count in (("train", 30), ("t10k", 20)):
        for kind, idx in (("images", "idx3"), ("labels", "idx1")):
            data = idx_bytes(kind, count, 0 if split == "train" else 3)  # no test image equals a training one
            if split == "train" and kind == "labels" and train_labels is not None:
                data = data[:8] + bytes(train_labels(i) for i in range(count))
            name = names.format(split=split, kind=kind, idx=idx)
            with (gzip.open if compress else open)(os.path.join(root, name + (".gz" if compress else "")), "wb") as f:
                f.write(data)
    return [f"{c}/test/{i:05d}" for c in ("0",) for i in range(20)]


LAYOUTS = {
    "mvtec_ad": write_mvtec_ad, "btad": write_btad, "visa_prepared": write_visa_prepared, "mvtec_ad2": write_mvtec_ad2,
    "ksdd2": write_ksdd2, "folder": write_folder, "visa": write_visa, "mnist": write_mnist,
}


# ------------------------------------------------------------------------------------ the commands

class Tree:
    def __init__(self, work, fmt):
        self.fmt, self.root, self.maps = fmt, os.path.join(work, "data"), os.path.join(work, "maps")
        self.work = work
        ids = LAYOUTS[fmt](self.root)
        for n, sample_id in enumerate(ids):
            anomaly_map(os.path.join(self.maps, sample_id + ".tiff"), n, size=self.size_of(sample_id))

    def size_of(self, sample_id):
        if self.fmt == "ksdd2":
            return (40, 16)
        if self.fmt == "mnist":
            return (28, 28)
        return (32, 32)

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def categories(self):
        return {"mnist": "0", "ksdd2": "ksdd2"}.get(self.fmt)


def run(args, env=None):
    done = subprocess.run([KDAD] + args, capture_output=True, text=True, env=env, timeout=600)
    return done.returncode, done.stdout, done.stderr


def verify(tree, extra=()):
    return run(["datasets", "verify", tree.root, "--format", tree.fmt, "--threads", "1", *extra])


def evaluate(tree, extra=()):
    args = ["eval", "--dataset", tree.root, "--format", tree.fmt, "--maps", tree.maps, "--threads", "1", *extra]
    if tree.categories():
        args += ["--categories", tree.categories()]
    return run(args)


def study(tree, dry_run, extra=()):
    manifest = os.path.join(tree.work, "study.toml")
    categories = f'["{tree.categories()}"]' if tree.categories() else '"all"'
    with open(manifest, "w") as f:
        f.write(f"""name = "corpus"
database = "results/kdad.sqlite"
artifacts = "results/artifacts"
seeds = [0]
threads = 1

[[method]]
id = "rd"
preset = "tiny"
options = {{ image_size = 64, epochs = 1, batch_size = 2 }}

[[dataset]]
format = "{tree.fmt}"
root = "{tree.root}"
categories = {categories}
""")
    return run(["run", manifest, *(["--dry-run"] if dry_run else []), *extra])


failures = []


def check(case, command, got, code, needle, stream="stderr"):
    """`needle` (a substring) must appear in the one-line error (stderr) or in the report (stdout)."""
    rc, out, err = got
    text = err if stream == "stderr" else out
    problems = []
    if rc != code:
        problems.append(f"exit {rc}, expected {code}")
    if needle and needle not in text:
        problems.append(f"no '{needle}' in {stream}")
    if stream == "stderr" and code == 2:
        lines = [line for line in err.splitlines() if line.startswith("kdad: error:")]
        if len(lines) != 1 or len(err.splitlines()) != 1:
            problems.append(f"expected exactly one 'kdad: error:' line on stderr")
    if code == 0 and err.strip() and "kdad: note:" not in err:
        problems.append("unexpected stderr")
    if problems:
        failures.append(f"{case} / {command}: {'; '.join(problems)}\n    stdout: {out.strip()[-600:]}\n    stderr: {err.strip()[-600:]}")


CASES = []


def case(fmt):
    def register(fn):
        CASES.append((fn.__name__, fmt, fn))
        return fn
    return register


# --- 1. layout defects --------------------------------------------------------------------------

@case("mvtec_ad")
def mvtec_missing_train(t):
    shutil.rmtree(t.path("widget", "train"))
    needle = t.path("widget", "train") + ": missing folder"
    check("mvtec_missing_train", "verify", verify(t), 2, needle, "stdout")
    check("mvtec_missing_train", "eval", evaluate(t), 2, needle)
    check("mvtec_missing_train", "run", study(t, True), 2, needle)


@case("btad")
def btad_missing_train(t):
    shutil.rmtree(t.path("01", "train"))
    needle = t.path("01", "train") + ": missing folder"
    check("btad_missing_train", "verify", verify(t), 2, needle, "stdout")
    check("btad_missing_train", "eval", evaluate(t), 2, needle)
    check("btad_missing_train", "run", study(t, True), 2, needle)


@case("visa_prepared")
def visa_prepared_missing_test(t):
    shutil.rmtree(t.path("candle", "test"))
    needle = t.path("candle", "test") + ": missing folder"
    check("visa_prepared_missing_test", "verify", verify(t), 2, needle, "stdout")
    check("visa_prepared_missing_test", "eval", evaluate(t), 2, needle)
    check("visa_prepared_missing_test", "run", study(t, True), 2, needle)


@case("mvtec_ad2")
def mvtec_ad2_missing_train(t):
    shutil.rmtree(t.path("can", "train"))
    needle = t.path("can", "train") + ": missing folder"
    check("mvtec_ad2_missing_train", "verify", verify(t), 2, needle, "stdout")
    check("mvtec_ad2_missing_train", "eval", evaluate(t), 2, needle)
    check("mvtec_ad2_missing_train", "run", study(t, True), 2, needle)


@case("mvtec_ad2")
def mvtec_ad2_optional_folders_noted(t):
    for name in ("validation", "test_private", "test_private_mixed"):
        shutil.rmtree(t.path("can", name))
    got = verify(t)
    for name in ("validation/good", "test_private", "test_private_mixed"):
        check("mvtec_ad2_optional_folders_noted", f"verify notes {name}", got, 0, f"note: {t.path('can', name)}: missing folder", "stdout")
    check("mvtec_ad2_optional_folders_noted", "eval", evaluate(t), 0, None)


@case("mvtec_ad")
def truncated_jpeg_test_image(t):
    os.remove(t.path("widget", "test", "good", "001.png"))
    jpg = t.path("widget", "test", "good", "001.jpg")
    image(jpg, 77)
    truncate(jpg, 0.6)
    check("truncated_jpeg_test_image", "verify", verify(t), 2, f"problem: {jpg}: truncated", "stdout")
    check("truncated_jpeg_test_image", "eval", evaluate(t), 2, jpg)
    check("truncated_jpeg_test_image", "run", study(t, False), 1, jpg, "stdout")


@case("mvtec_ad")
def truncated_png_train_image(t):
    png = t.path("widget", "train", "good", "001.png")
    truncate(png, 0.7)
    check("truncated_png_train_image", "verify", verify(t), 2, f"problem: {png}: truncated", "stdout")
    check("truncated_png_train_image", "run", study(t, False), 1, png, "stdout")


@case("btad")
def truncated_bmp_and_tiff(t):
    bmp = t.path("01", "test", "ok", "001.bmp")
    truncate(bmp, 0.5)
    check("truncated_bmp_and_tiff", "verify bmp", verify(t), 2, f"problem: {bmp}: truncated", "stdout")
    check("truncated_bmp_and_tiff", "eval bmp", evaluate(t), 2, bmp)
    os.remove(bmp)
    image(bmp.replace(".bmp", ".tif"), 5)
    truncate(bmp.replace(".bmp", ".tif"), 0.5)
    check("truncated_bmp_and_tiff", "verify tiff", verify(t), 2, f"problem: {bmp.replace('.bmp', '.tif')}: truncated", "stdout")


@case("mvtec_ad")
def corrupt_mask(t):
    m = t.path("widget", "ground_truth", "crack", "001_mask.png")
    with open(m, "wb") as f:
        f.write(b"<html>404 Not Found</html>")
    check("corrupt_mask", "verify", verify(t), 2, f"problem: {m}: not a PNG, JPEG, TIFF or BMP file", "stdout")
    check("corrupt_mask", "eval", evaluate(t), 2, m)
    check("corrupt_mask", "run", study(t, False), 1, m, "stdout")


@case("visa")
def visa_duplicate_rows(t):
    csv = t.path("split_csv", "1cls.csv")
    with open(csv) as f:
        lines = f.read().splitlines()
    lines.append(lines[5])
    with open(csv, "w") as f:
        f.write("\n".join(lines) + "\n")
    needle = f"{csv}:8: image candle/Data/Images/Anomaly/000.JPG is listed again (first on line 6)"
    check("visa_duplicate_rows", "verify", verify(t), 2, needle, "stdout")
    check("visa_duplicate_rows", "eval", evaluate(t), 2, needle)
    check("visa_duplicate_rows", "run", study(t, True), 2, needle)


@case("mnist")
def mnist_kaggle_names(t):
    shutil.rmtree(t.root)
    write_mnist(t.root, names="{split}-{kind}.{idx}-ubyte", compress=False)
    check("mnist_kaggle_names", "verify", verify(t), 0, "", "stdout")
    check("mnist_kaggle_names", "eval", evaluate(t), 0, None)


@case("mnist")
def mnist_corrupt_gz(t):
    gz = t.path("train-images-idx3-ubyte.gz")
    truncate(gz, 0.5)
    check("mnist_corrupt_gz", "verify", verify(t), 2, gz)
    check("mnist_corrupt_gz", "eval", evaluate(t), 2, gz)


@case("mnist")
def mnist_class_without_training_images(t):
    shutil.rmtree(t.root)
    write_mnist(t.root, train_labels=lambda i: 1 + i % 9)  # no label 0 in train
    needle = "no training images of class 0"
    check("mnist_class_without_training_images", "verify", verify(t, ["--categories", "0"]), 2, needle, "stdout")
    check("mnist_class_without_training_images", "run", study(t, True), 2, needle)


@case("ksdd2")
def ksdd2_one_unreadable_mask(t):
    masks = sorted(f for f in os.listdir(t.path("train")) if f.endswith("_GT.png"))
    bad = t.path("train", masks[1])
    truncate(bad, 0.4)
    rc, out, err = got = verify(t)
    check("ksdd2_one_unreadable_mask", "verify", got, 2, f"problem: {bad}: truncated", "stdout")
    if "6 images checked." not in out:  # 2 train + 1 excluded + 3 test: all but the one with the bad mask
        failures.append(f"ksdd2_one_unreadable_mask: verify did not check the rest:\n{out}")
    check("ksdd2_one_unreadable_mask", "eval", evaluate(t), 2, bad)


@case("mvtec_ad")
def os_junk_everywhere(t):
    for folder in (t.path("widget", "test", "good"), t.path("widget", "train", "good"), os.path.join(t.maps, "widget", "test", "good")):
        with open(os.path.join(folder, "._000.png"), "wb") as f:
            f.write(b"\0\5\26\7AppleDouble")
        open(os.path.join(folder, ".DS_Store"), "wb").close()
        open(os.path.join(folder, "Thumbs.db"), "wb").close()
    os.makedirs(t.path("__MACOSX", "widget"))
    check("os_junk_everywhere", "verify", verify(t), 0, "7 images checked.", "stdout")
    check("os_junk_everywhere", "eval", evaluate(t), 0, None)
    check("os_junk_everywhere", "run", study(t, True), 0, None, "stdout")


@case("folder")
def folder_anomalous_without_mask(t):
    os.remove(t.path("gizmo", "masks", "a01.png"))
    needle = t.path("gizmo", "masks", "a01.png") + ": missing ground-truth mask"
    got = verify(t)
    check("folder_anomalous_without_mask", "verify", got, 2, needle, "stdout")
    if "a01.png: belongs to no sample" in got[1]:
        failures.append("folder_anomalous_without_mask: the image of a missing mask is also reported as an orphan")
    check("folder_anomalous_without_mask", "eval", evaluate(t), 2, needle)


@case("mvtec_ad")
def missing_mask_reported_once(t):
    os.remove(t.path("widget", "ground_truth", "crack", "000_mask.png"))
    got = verify(t)
    check("missing_mask_reported_once", "verify", got, 2, t.path("widget", "ground_truth", "crack", "000_mask.png"), "stdout")
    if "000.png: belongs to no sample" in got[1]:
        failures.append("missing_mask_reported_once: the image is also reported as an orphan")


@case("mvtec_ad")
def unknown_category_named_once(t):
    got = run(["eval", "--dataset", t.root, "--maps", t.maps, "--categories", "gadget"])
    check("unknown_category_named_once", "eval", got, 2, "gadget")
    if got[2].count("gadget") != 1:
        failures.append(f"unknown_category_named_once: {got[2].strip()}")


@case("mvtec_ad")
def orphans_sorted(t):
    for name in ("009_mask.png", "003_mask.png", "007_mask.png", "001x.png"):
        shutil.copy(t.path("widget", "ground_truth", "crack", "000_mask.png"), t.path("widget", "ground_truth", "crack", name))
    rc, out, err = verify(t)
    listed = [line for line in out.splitlines() if line.startswith("problem:")]
    if listed != sorted(listed) or len(listed) != 4:
        failures.append("orphans_sorted: problems not sorted or not all 4:\n" + "\n".join(listed))


# --- 2. bad inputs ------------------------------------------------------------------------------

@case("mvtec_ad")
def forged_huge_png_header(t):
    png = t.path("widget", "test", "good", "001.png")
    png_with_header(png, 100000, 100000)
    needle = f"{png}: image is 100000x100000"
    check("forged_huge_png_header", "verify", verify(t), 2, needle, "stdout")
    check("forged_huge_png_header", "eval", evaluate(t), 2, needle)
    check("forged_huge_png_header", "run", study(t, False), 1, needle, "stdout")
    check("forged_huge_png_header", "eval --max-image-pixels 10", evaluate(t, ["--max-image-pixels", "10"]), 2, "over the limit of 10")
    check("forged_huge_png_header", "eval --max-image-pixels -3", evaluate(t, ["--max-image-pixels", "-3"]), 2, "--max-image-pixels")


@case("mvtec_ad")
def symlink_loop(t):
    link = t.path("widget", "test", "good", "002.png")
    os.symlink("002.png", link)
    check("symlink_loop", "verify", verify(t), 2, f"{link}: symbolic link loop", "stdout")
    check("symlink_loop", "eval", evaluate(t), 2, f"{link}: symbolic link loop")
    check("symlink_loop", "run", study(t, True), 2, f"{link}: symbolic link loop")


@case("mvtec_ad")
def dangling_symlink(t):
    link = t.path("widget", "test", "crack", "002.png")
    os.symlink(os.path.join(t.work, "nowhere.png"), link)
    check("dangling_symlink", "verify", verify(t), 2, f"{link}: dangling symbolic link", "stdout")
    check("dangling_symlink", "eval", evaluate(t), 2, f"{link}: dangling symbolic link")
    check("dangling_symlink", "run", study(t, True), 2, f"{link}: dangling symbolic link")


@case("mvtec_ad")
def linked_category_and_files(t):
    shutil.move(t.path("widget"), os.path.join(t.work, "elsewhere"))
    os.symlink(os.path.join(t.work, "elsewhere"), t.path("widget"))
    real = os.path.join(t.work, "elsewhere", "train", "good", "002.png")
    shutil.move(real, os.path.join(t.work, "img.png"))
    os.symlink(os.path.join(t.work, "img.png"), real)
    check("linked_category_and_files", "verify", verify(t), 0, "", "stdout")
    check("linked_category_and_files", "eval", evaluate(t), 0, None)
    check("linked_category_and_files", "run", study(t, True), 0, None, "stdout")


@case("mvtec_ad")
def same_stem_two_extensions(t):
    image(t.path("widget", "test", "good", "000.jpg"), 5)
    needle = t.path("widget", "test", "good", "000.png") + ": same name as 000.jpg"
    check("same_stem_two_extensions", "verify", verify(t), 2, needle, "stdout")
    check("same_stem_two_extensions", "eval", evaluate(t), 2, needle)
    check("same_stem_two_extensions", "run", study(t, True), 2, needle)


@case("mvtec_ad")
def folder_named_like_an_image(t):
    folder = t.path("widget", "test", "good", "005.png")
    os.makedirs(folder)
    needle = f"{folder}: is a folder, not an image file"
    check("folder_named_like_an_image", "verify", verify(t), 2, needle, "stdout")
    check("folder_named_like_an_image", "eval", evaluate(t), 2, needle)
    check("folder_named_like_an_image", "run", study(t, True), 2, needle)


@case("mvtec_ad")
def defect_mask_under_good(t):
    m = t.path("widget", "ground_truth", "good", "000_mask.png")
    mask(m, 3)
    check("defect_mask_under_good", "verify", verify(t), 2, f"problem: {m}: mask with defect pixels", "stdout")
    check("defect_mask_under_good", "eval", evaluate(t), 2, m)
    check("defect_mask_under_good", "run", study(t, True), 2, m)


@case("mvtec_ad")
def mask_without_image(t):
    m = t.path("widget", "ground_truth", "crack", "005_mask.png")
    mask(m, 3)
    check("mask_without_image", "verify", verify(t), 2, f"problem: {m}: mask without an image", "stdout")
    check("mask_without_image", "eval", evaluate(t), 2, m)
    check("mask_without_image", "run", study(t, True), 2, m)


@case("mvtec_ad")
def files_beside_the_maps(t):
    for where in (t.maps, os.path.join(t.maps, "widget"), os.path.join(t.maps, "widget", "test", "crack")):
        with open(os.path.join(where, "scores.csv"), "w") as f:
            f.write("id,score\n")
        with open(os.path.join(where, "README"), "w") as f:
            f.write("maps of my detector\n")
    got = evaluate(t)
    check("files_beside_the_maps", "eval", got, 0, "kdad: note: skipped 6 files")
    extra = os.path.join(t.maps, "widget", "test", "crack", "009.tiff")
    anomaly_map(extra, 1)
    check("files_beside_the_maps", "eval extra tiff", evaluate(t), 2, extra)


@case("mvtec_ad")
def jpeg_mask_with_png_name(t):
    m = t.path("widget", "ground_truth", "crack", "000_mask.png")
    jpeg_named_png(m, 3)
    check("jpeg_mask_with_png_name", "verify", verify(t), 2, f"problem: {m}: mask is not two-valued", "stdout")
    check("jpeg_mask_with_png_name", "eval", evaluate(t), 2, f"{m}: mask is not two-valued")
    check("jpeg_mask_with_png_name", "eval --accept-noisy-masks", evaluate(t, ["--accept-noisy-masks"]), 0, None)
    check("jpeg_mask_with_png_name", "run", study(t, False), 1, m, "stdout")


def main():
    tmp = tempfile.mkdtemp(prefix="kdad-corpus-")
    try:
        for name, fmt, fn in CASES:
            if ONLY and name not in ONLY:
                continue
            work = os.path.join(tmp, name)
            os.makedirs(work)
            os.chdir(work)
            fn(Tree(work, fmt))
            print(f"ran {name}")
    finally:
        os.chdir("/")
        shutil.rmtree(tmp)
    for failure in failures:
        print("FAIL:", failure)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
