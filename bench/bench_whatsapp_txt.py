"""Benchmark: WhatsApp .txt export parsing, Tantalio vs whatstk and chat-miner, same file, same process.

    /work/venv/bin/python bench/bench_whatsapp_txt.py [--messages 200000]

Generates a synthetic Android export (benign invented chat, UK 24 h headers, ~5 % system lines,
multi-line messages, media placeholders), then times each parser on it (best of 3 runs each: the
machine is shared) and prints messages per second, the ratio against Tantalio, and how many of
the system lines each one keeps. Peers that are not installed (``pip install whatstk
chat-miner``) are skipped. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from tantalio.ingest.base import BatchSink, ExhibitInfo
from tantalio.ingest.context import ExhibitContext, hash_tree, parse_file
from tantalio.ingest.parsers.whatsapp_txt import WhatsAppTxtParser
from tantalio.ingest.sources import EvidenceTree
from tantalio.model.records import MessageRecord

NAMES = ["Ann Lee", "Bo", "Sandrine - French", "🦊✨", "+44 7700 900123", "+1 555-0142", "Carol", "Dave"]
WORDS = "the meeting is moved to thursday bring the maps and snacks see you at the station ok".split()


def generate(path: Path, n: int, seed: int = 7) -> set[str]:
    """Write an export of ``n`` line groups; return the texts of its system lines."""
    rnd = random.Random(seed)
    t = datetime(2023, 1, 1, 8, 0)  # noqa: DTZ001 - device-local time as an export writes it
    system: set[str] = set()
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{t:%d/%m/%y, %H:%M} - Messages and calls are end-to-end encrypted. No one outside of this "
                "chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n")
        f.write(f'{t:%d/%m/%y, %H:%M} - Ann Lee created group "Hiking club"\n')
        for i in range(n - 2):
            t += timedelta(seconds=rnd.randint(5, 90))
            head = f"{t:%d/%m/%y, %H:%M} - "
            r = rnd.random()
            if r < 0.05:
                who = rnd.choice(NAMES)
                line = rnd.choice([f"Ann Lee added {who}", f"{who} left", f"Ann Lee removed {who}",
                                   f"{who} joined using this group's invite link"])
                system.add(line)
                f.write(head + line + "\n")
            elif r < 0.08:
                f.write(head + f"{rnd.choice(NAMES)}: <Media omitted>\n")
            else:
                text = " ".join(rnd.choices(WORDS, k=rnd.randint(2, 14)))
                if r > 0.9:
                    text += "\n" + " ".join(rnd.choices(WORDS, k=5))
                f.write(head + f"{rnd.choice(NAMES)}: {text} {i}\n")
    return system


def time_ours(path: Path, rounds: int = 3) -> tuple[float, int, int]:
    tree = EvidenceTree([path.parent])
    files = [f for f in hash_tree(tree) if f.name == path.name]
    parser = WhatsAppTxtParser()
    ctx = ExhibitContext(ExhibitInfo("EX-B", "Europe/London"), tree, files, path.parent / "scratch", parser.NAME)
    best = float("inf")
    sink = BatchSink()
    for _ in range(rounds):
        sink = BatchSink()
        start = time.perf_counter()
        parse_file(parser, files[0], ctx, sink)  # what ingest runs per source file
        best = min(best, time.perf_counter() - start)
    msgs = [r for r in sink.batch.records if isinstance(r, MessageRecord)]
    return best, len(msgs), sum(m.kind == "system" for m in msgs)


def time_whatstk(path: Path, system: set[str], rounds: int = 3) -> tuple[float, int, int] | None:
    try:
        from whatstk.whatsapp.parser import df_from_whatsapp
    except ImportError:
        return None
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        df = df_from_whatsapp(str(path), max_size=None)
        best = min(best, time.perf_counter() - start)
    kept = sum(1 for m in df["message"] if m in system)
    return best, len(df), kept


def time_chat_miner(path: Path, system: set[str], rounds: int = 3) -> tuple[float, int, int] | None:
    try:
        from chatminer.chatparsers import WhatsAppParser
    except ImportError:
        return None
    logging.getLogger("chatminer").setLevel(logging.ERROR)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        parser = WhatsAppParser(str(path))
        parser.parse_file()
        best = min(best, time.perf_counter() - start)
    msgs = parser.parsed_messages._parsed_messages
    kept = sum(1 for m in msgs if m.message in system or f"{m.author} {m.message}" in system)
    return best, len(msgs), kept


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=200_000)
    args = ap.parse_args()
    os.environ.setdefault("TQDM_DISABLE", "1")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "WhatsApp Chat with Hiking club.txt"
        system = generate(path, args.messages)
        n_system = sum(1 for line in path.read_text(encoding="utf-8").splitlines()
                       if " - " in line and ": " not in line.split(" - ", 1)[1])
        print(f"export: {args.messages} line groups, {n_system} system lines, {path.stat().st_size / 1e6:.1f} MB")
        ours = time_ours(path)
        rows = [("tantalio", ours), ("whatstk", time_whatstk(path, system)),
                ("chat-miner", time_chat_miner(path, system))]
        print(f"{'parser':<12}{'seconds':>9}{'msgs/s':>11}{'records':>9}{'vs ours':>9}{'system kept':>13}")
        for name, got in rows:
            if got is None:
                print(f"{name:<12} not installed (pip install {name})")
                continue
            took, count, kept = got
            print(f"{name:<12}{took:>9.2f}{count / took:>11,.0f}{count:>9}{took / ours[0]:>8.1f}x"
                  f"{kept:>7}/{n_system}")


if __name__ == "__main__":
    main()
