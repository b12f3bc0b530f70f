"""A run at the size of the model operation (not in the suite): 300 seized exhibits, over a
million files, over 300k images; ingest, analyze, export and reports timed, with memory.

    python bench/bench_operation.py WORKDIR [--scale 0.1] [--workers N] [--no-reports] [--keep]

The corpus is synthetic and benign. Phones come from the demo generator (chat databases and
exports of an invented network, about 140 persons); the rest of the 300 seized items are
computers and drives holding media only. Every exhibit is then filled to about 3,334 files:
1,000 tiny generated pictures (64x64 PNG/JPEG, abstract gradients and boxes, a tenth with a
camera's EXIF; each picture is found on about three exhibits, as shared media is) and cache
files of a few hundred bytes to a few KiB. `--scale 0.1` builds a tenth of it.

Each phase runs as its own `tantalio` command (as an analyst runs it) while this script samples
the command's process tree: wall time, CPU time over wall time and cores (core use), peak
resident memory of the whole tree (RSS summed; shared pages counted per process) and of its
largest process (and that process's own high-water mark, which catches peaks between samples
up to the last sample). The baseline, run in the same process over the same files: `sha256sum` in
`--workers` parallel streams (it only hashes; ingest also takes MD5 and SHA-1, sniffs, records
custody and parses).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
from PIL import Image

FULL_EXHIBITS = 300
FILES_PER_EXHIBIT = 3_334
IMAGES_PER_EXHIBIT = 1_000
COPIES_PER_IMAGE = 3
PHONES_AT_FULL = 140  # the generator's persons hold at most about one phone each


def picture(index: int) -> bytes:
    """One tiny abstract picture: a gradient and boxes from the index (benign, generated)."""
    rng = np.random.default_rng(index)
    y, x = np.mgrid[0:64, 0:64]
    base = rng.integers(0, 255, size=3)
    slope = rng.uniform(-2.0, 2.0, size=(3, 2))
    img = np.stack([(base[c] + slope[c, 0] * x + slope[c, 1] * y) % 256 for c in range(3)], axis=-1)
    for _ in range(3):
        x0, y0 = rng.integers(0, 48, size=2)
        w, h = rng.integers(6, 16, size=2)
        img[y0:y0 + h, x0:x0 + w] = rng.integers(0, 255, size=3)
    image = Image.fromarray(img.astype(np.uint8), "RGB")
    out = io.BytesIO()
    if index % 3 == 0:
        image.save(out, "PNG", optimize=False)
    else:
        exif = None
        if index % 10 == 1:
            exif = Image.Exif()
            exif[0x010F], exif[0x0110] = "BenchCam", f"Model {index % 7}"  # Make, Model
        image.save(out, "JPEG", quality=85, **({"exif": exif} if exif else {}))
    return out.getvalue()


def build_corpus(work: Path, scale: float, seed: int = 2017) -> tuple[Path, Path, dict[str, int]]:
    from tantalio.demo.config import DemoConfig
    from tantalio.demo.generator import generate
    from tantalio.ingest.manifest import write_manifest

    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    exhibits = max(10, round(FULL_EXHIBITS * scale))
    phones = max(5, round(PHONES_AT_FULL * scale))
    manifest = generate(corpus, DemoConfig(seed=seed, exhibits=phones)).to_json()
    rows = [{"exhibit": ex["id"], "path": ex["path"], "owner": ex.get("owner_phone"), "country": ex.get("country"),
             "timezone": ex.get("timezone"), "description": ex.get("description")} for ex in manifest["exhibits"]]
    rng = random.Random(seed)
    owners = list(rows)
    for n in range(exhibits - len(rows)):
        owner = rng.choice(owners)
        exhibit = f"HD-{n + 1:03d}"
        (corpus / "evidence" / exhibit).mkdir(parents=True)
        rows.append({"exhibit": exhibit, "path": f"evidence/{exhibit}", "owner": owner["owner"],
                     "country": owner["country"], "timezone": owner["timezone"],
                     "description": f"computer hard drive (media only), seized with {owner['exhibit']}"})
    distinct = exhibits * IMAGES_PER_EXHIBIT // COPIES_PER_IMAGE
    noise = np.random.default_rng(seed).integers(0, 256, size=1 << 20, dtype=np.uint8).tobytes()
    counts = {"exhibits": exhibits, "phones": len(manifest["exhibits"]), "distinct_pictures": distinct,
              "pictures": 0, "other_files": 0}
    cache: dict[int, bytes] = {}
    for row in rows:
        root = corpus / str(row["path"])
        pictures = [rng.randrange(distinct) for _ in range(IMAGES_PER_EXHIBIT)]
        folders: set[Path] = set()
        for k, index in enumerate(pictures):
            data = cache.get(index)
            if data is None:
                data = picture(index)
                if len(cache) < 200_000:
                    cache[index] = data
            ext = "png" if index % 3 == 0 else "jpg"
            folder = root / "media" / f"{k // 250:02d}"
            if folder not in folders:
                folder.mkdir(parents=True, exist_ok=True)
                folders.add(folder)
            _write(folder / f"IMG_{k:05d}.{ext}", data)
        others = FILES_PER_EXHIBIT - IMAGES_PER_EXHIBIT
        for k in range(others):
            folder = root / "cache" / f"{k // 500:02d}"
            if folder not in folders:
                folder.mkdir(parents=True, exist_ok=True)
                folders.add(folder)
            size = rng.randrange(200, 4096)
            start = rng.randrange(0, len(noise) - size)
            _write(folder / f"{k:05d}.bin", f"{row['exhibit']}/{k}\n".encode() + noise[start:start + size])
        counts["pictures"] += len(pictures)
        counts["other_files"] += others
    hashlist = corpus / next(h["path"] for h in manifest["hashlists"] if h["format"] == "vics")
    (corpus / "bench-corpus.json").write_text(json.dumps({**counts, "hashlist": str(hashlist)}), encoding="utf-8")
    return write_manifest(corpus / "exhibits.csv", rows), hashlist, counts


def reuse_corpus(work: Path) -> tuple[Path, Path, dict[str, int]] | None:
    """The corpus a previous run built and kept (--keep), if any."""
    info = work / "corpus" / "bench-corpus.json"
    if not info.exists():
        return None
    counts = json.loads(info.read_text(encoding="utf-8"))
    return work / "corpus" / "exhibits.csv", Path(counts.pop("hashlist")), counts


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def high_water_mark(pid: int) -> int:
    """The process's peak resident size so far, in bytes (Linux; 0 elsewhere or once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


class Sampled:
    """Runs a command and samples its process tree until it ends."""

    def __init__(self, argv: list[str], every: float = 0.25) -> None:
        self.argv, self.every = argv, every
        self.seconds = self.cpu = 0.0
        self.peak_tree = self.peak_process = 0
        self.hwm = 0   # the largest process's own high-water mark (VmHWM): catches peaks between samples
        self.output = ""

    def run(self) -> Sampled:
        started = time.monotonic()
        proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        cpu: dict[int, float] = {}
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            rss = 0
            for p in tree:
                try:
                    mem, times = p.memory_info().rss, p.cpu_times()
                except psutil.NoSuchProcess:
                    continue
                rss += mem
                self.peak_process = max(self.peak_process, mem)
                self.hwm = max(self.hwm, high_water_mark(p.pid))
                cpu[p.pid] = times.user + times.system
            self.peak_tree = max(self.peak_tree, rss)
            time.sleep(self.every)
        self.output = proc.communicate()[0]
        self.seconds = time.monotonic() - started
        self.cpu = sum(cpu.values())
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(self.argv)} failed ({proc.returncode}):\n{self.output[-3000:]}")
        return self


def new_case(case: Path) -> Path:
    from tantalio.demo.generator import BANNER
    from tantalio.store import CaseStore

    if case.exists():
        shutil.rmtree(case)
    with CaseStore.create(case, "Operation-size benchmark (synthetic)") as store, store.transaction():
        store.set_meta("synthetic", "1")
        store.set_meta("banner", BANNER)
    return case


def tantalio(*args: str) -> list[str]:
    return [sys.executable, "-c", "from tantalio.cli import main; main()", *args]


def sha256sum_baseline(evidence: Path, workers: int) -> float:
    started = time.monotonic()
    find = subprocess.Popen(["find", str(evidence), "-type", "f", "-print0"], stdout=subprocess.PIPE)
    subprocess.run(["xargs", "-0", "-n", "1000", "-P", str(workers), "sha256sum"], stdin=find.stdout,
                   stdout=subprocess.DEVNULL, check=True)
    find.wait()
    return time.monotonic() - started


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workdir", type=Path)
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-reports", action="store_true", help="skip the reports phase")
    ap.add_argument("--keep", action="store_true", help="keep the corpus and case afterwards")
    ap.add_argument("--reuse", action="store_true", help="reuse the corpus a previous --keep run left")
    ap.add_argument("--serial-baseline", action="store_true",
                    help="first ingest with one worker too, for the parallel speed-up")
    args = ap.parse_args()
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1

    t = time.monotonic()
    kept = reuse_corpus(work) if args.reuse else None
    manifest, hashlist, counts = kept or build_corpus(work, args.scale)
    build_s = time.monotonic() - t
    evidence = manifest.parent / "evidence"
    files = sum(len(fs) for _, _, fs in os.walk(evidence))
    nbytes = sum(e.stat().st_size for d, _, fs in os.walk(evidence) for e in map(lambda f, d=d: Path(d, f), fs))
    print(f"corpus: {counts['exhibits']} exhibits ({counts['phones']} phones from the generator), {files:,} files, "
          f"{mib(nbytes)}, {counts['pictures']:,} pictures ({counts['distinct_pictures']:,} distinct); "
          f"built in {build_s:.0f} s", flush=True)

    baseline = sha256sum_baseline(evidence, args.workers)
    print(f"baseline sha256sum x{args.workers}: {baseline:.1f} s ({files / baseline:,.0f} files/s, "
          f"{nbytes / baseline / 2**20:,.1f} MiB/s)", flush=True)

    serial = None
    if args.serial_baseline:
        one = new_case(work / "case-serial")
        serial = Sampled(tantalio("ingest-batch", str(one), str(manifest), "--workers", "1")).run()
        shutil.rmtree(one)
        print(f"ingest-batch, 1 worker: {serial.seconds:.1f} s ({files / serial.seconds:,.0f} files/s), core use "
              f"{serial.cpu / serial.seconds / cores:.0%}, load average {os.getloadavg()[0]:.1f}", flush=True)
    case = new_case(work / "case")
    workers = ["--workers", str(args.workers)]
    phases = [("ingest-batch", tantalio("ingest-batch", str(case), str(manifest), *workers)),
              ("hashlist import", tantalio("hashlist", "import", str(case), str(hashlist), "--format", "vics")),
              ("analyze", tantalio("analyze", str(case), *workers)),
              ("export", tantalio("export", str(case), "--json", str(work / "case.json")))]
    if not args.no_reports:
        phases.append(("report", tantalio("report", str(case), str(work / "reports"))))
    rows = []
    for name, argv in phases:
        run = Sampled(argv).run()
        store_size = sum(p.stat().st_size for p in case.glob("case.sqlite*"))
        rows.append((name, run, store_size))
        print(f"{name:<16} {run.seconds:8.1f} s  core use {run.cpu / run.seconds / cores:5.0%}  peak tree "
              f"{mib(run.peak_tree):>10}  largest process {mib(run.peak_process):>10} (high-water {mib(run.hwm)})"
              f"  store {mib(store_size)}"
              f"  (load average {os.getloadavg()[0]:.1f})", flush=True)
    ingest = rows[0][1]
    print(f"ingest: {files / ingest.seconds:,.0f} files/s, {nbytes / ingest.seconds / 2**20:,.1f} MiB/s; "
          f"sha256sum/ingest time ratio {baseline / ingest.seconds:.2f}"
          + (f"; {args.workers} workers / 1 worker speed-up {serial.seconds / ingest.seconds:.2f}x" if serial else ""))
    summary = {"scale": args.scale, "workers": args.workers, "cores": cores, **counts, "files": files, "bytes": nbytes,
               "build_s": round(build_s, 1), "sha256sum_s": round(baseline, 1),
               "serial_ingest_s": round(serial.seconds, 1) if serial else None,
               "phases": {name: {"seconds": round(r.seconds, 1), "core_use": round(r.cpu / r.seconds / cores, 2),
                                 "peak_tree_mib": round(r.peak_tree / 2**20), "peak_process_mib":
                                 round(r.peak_process / 2**20), "high_water_mib": round(r.hwm / 2**20),
                                 "store_mib": round(size / 2**20)}
                          for name, r, size in rows}}
    (work / "bench-operation.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(summary))
    if not args.keep:
        shutil.rmtree(manifest.parent)


if __name__ == "__main__":
    main()
