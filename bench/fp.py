#!/usr/bin/env python3
"""Time `zcc fp check` over an Arduino-sized tree.

    python3 bench/fp.py [--zcc PATH] [--tree DIR] [--runs N]

The tree (default: Debian's /usr/share/arduino/hardware/arduino/avr, about 180 files)
is copied to a temporary directory. Rows: a cold check (no cache file: every file
hashed), a warm check (unchanged, every hash from the stat cache), a check after one
file was edited, and the first check of the tree and cache file copied to another path
(new inodes and mtimes: every file re-hashed, answer still "unchanged"). Medians of
--runs runs, each a separate `zcc` process timed from Python (spawn included), plus
hyperfine for the warm check when it is installed.

Prints figures; it is not a test. It exits 1 if a check gives the wrong answer.
Standard library only. See bench/README.md.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHANGED, UNCHANGED = 0, 1
PROBLEMS = []


def zcc_binary(arg):
    if arg:
        return Path(arg)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    binary = target / "release" / "zcc"
    if not binary.exists():
        subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)
    return binary


def run_check(zcc, state, root, want):
    args = [str(zcc), "fp", "--cache-file", str(state), "check", "--root", str(root), "-v"]
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != want:
        PROBLEMS.append(f"{' '.join(args)} exited {proc.returncode}, wanted {want}: {proc.stderr.strip()}")
    return elapsed, proc.stderr.strip()


def mark_success(zcc, state):
    subprocess.run([str(zcc), "fp", "--cache-file", str(state), "mark-success"], check=True)


def row(name, times, note):
    med = statistics.median(times) * 1000
    print(f"{name:<34} {med:8.2f} ms   min {min(times) * 1000:7.2f} ms   {note}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zcc")
    ap.add_argument("--tree", default="/usr/share/arduino/hardware/arduino/avr")
    ap.add_argument("--runs", type=int, default=15)
    opts = ap.parse_args()
    zcc = zcc_binary(opts.zcc)
    tree = Path(opts.tree)
    if not tree.is_dir():
        sys.exit(f"{tree} is missing (apt-get install arduino-core-avr, or pass --tree)")
    files = [p for p in tree.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(f"zcc fp check over {tree}: {len(files)} files, {size / 1024:.0f} KiB")
    print(f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}; {opts.runs} runs per row\n")

    with tempfile.TemporaryDirectory(prefix="zcc-fp-bench-") as tmp:
        tmp = Path(tmp)
        root = tmp / "a" / "avr"
        shutil.copytree(tree, root, symlinks=True)
        state = tmp / "a.fp"
        # Let the copy's ctimes age past the racy margin (2 s), or the stat cache would
        # rightly refuse to remember them.
        time.sleep(2.5)

        cold, note = [], ""
        for _ in range(opts.runs):
            state.unlink(missing_ok=True)
            t, note = run_check(zcc, state, root, CHANGED)
            cold.append(t)
        row("cold (no cache file)", cold, note)

        mark_success(zcc, state)
        warm = []
        for _ in range(opts.runs):
            t, note = run_check(zcc, state, root, UNCHANGED)
            warm.append(t)
        row("warm, unchanged", warm, note)

        edited = []
        target = root / "cores" / "arduino" / "main.cpp"
        original = target.read_bytes()
        for i in range(opts.runs):
            target.write_bytes(original + f"// edit {i}\n".encode())
            t, note = run_check(zcc, state, root, CHANGED)
            edited.append(t)
        row("one file edited", edited, note)
        target.write_bytes(original)
        run_check(zcc, state, root, CHANGED)
        mark_success(zcc, state)
        time.sleep(2.5)
        run_check(zcc, state, root, UNCHANGED)  # re-records main.cpp in the stat cache

        moved = []
        for i in range(opts.runs):
            other = tmp / f"b{i}" / "avr"
            shutil.copytree(root, other, symlinks=True)
            other_state = tmp / f"b{i}.fp"
            shutil.copy(state, other_state)
            t, note = run_check(zcc, other_state, other, UNCHANGED)
            moved.append(t)
        row("moved tree + cache file (1st check)", moved, note)

        floor = []
        for _ in range(opts.runs):
            start = time.perf_counter()
            subprocess.run([str(zcc), "--version"], capture_output=True, check=True)
            floor.append(time.perf_counter() - start)
        row("zcc --version (process floor)", floor, "")

        if shutil.which("hyperfine"):
            print("\nhyperfine, warm unchanged check (exit 1 is the expected answer):")
            subprocess.run(["hyperfine", "-N", "-i", "--warmup", "5", "--runs", "100",
                            f"{zcc} fp --cache-file {state} check --root {root}",
                            f"{zcc} --version"])

    if PROBLEMS:
        print("\nPROBLEMS:")
        for p in PROBLEMS:
            print("  " + p)
        sys.exit(1)


if __name__ == "__main__":
    main()
