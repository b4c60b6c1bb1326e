#!/usr/bin/env python3
"""zcc benchmarks: Arduino AVR core compiled with PlatformIO-style `uno` flags.

    python3 bench/bench.py [all|core|hit|moved|miss|remote|ci ...] [--zcc PATH] [--rounds N]

Prints figures; it is not a test and never fails because of a timing. It does
report (and exit 1 on) functional problems it notices along the way: a compile
that fails, stats counters that do not match what the scenario expects, or
objects replayed from the store that differ from the ones stored.

Standard library only. Needs avr-gcc/avr-g++, Debian's arduino-core-avr, and,
for the comparisons, ccache and hyperfine (rows are skipped when missing).
See bench/README.md.
"""

import argparse
import hashlib
import json
import resource
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARDUINO_AVR = Path(os.environ.get("ARDUINO_AVR", "/usr/share/arduino/hardware/arduino/avr"))
CORE_DIR = ARDUINO_AVR / "cores" / "arduino"
VARIANT_DIR = ARDUINO_AVR / "variants" / "standard"
SCENARIOS = ("core", "sketches", "links", "hit", "moved", "miss", "remote", "ci", "library")
PIXELLIB = REPO / "fixtures" / "pixellib"

# PlatformIO's flags for `board = uno`, `framework = arduino` (Debian's core 1.8.7 needs
# DECIMAL_DIG with gcc-avr 5.4, see fixtures/arduino-sketch/Makefile).
COMMON = ["-Os", "-Wall", "-ffunction-sections", "-fdata-sections", "-flto",
          "-mmcu=atmega328p", "-DF_CPU=16000000L", "-DARDUINO=10808", "-DARDUINO_AVR_UNO",
          "-DARDUINO_ARCH_AVR", "-DDECIMAL_DIG=__DECIMAL_DIG__"]
CXXFLAGS = ["-std=gnu++11", "-fno-exceptions", "-fno-threadsafe-statics", "-fpermissive"]
CFLAGS = ["-std=gnu11", "-fno-fat-lto-objects"]
ASFLAGS = ["-x", "assembler-with-cpp"]
OBJ_DIR = ".pio/build/uno/FrameworkArduino"

PROBLEMS = []


def problem(msg):
    PROBLEMS.append(msg)
    print(f"  !! PROBLEM: {msg}")


# ---------------------------------------------------------------- helpers

def ms(seconds):
    return f"{seconds * 1000:.1f}"


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def pct(x, base):
    return f"{(x / base - 1) * 100:+.1f}%" if base else "n/a"


def table(headers, rows):
    cols = [[str(h)] + [str(r[i]) for r in rows] for i, h in enumerate(headers)]
    widths = [max(len(c) for c in col) for col in cols]
    def line(cells):
        out = []
        for i, c in enumerate(cells):
            out.append(str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i]))
        return "  " + "  ".join(out).rstrip()
    print(line(headers))
    print("  " + "  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "not available"


def base_env():
    """The caller's environment without any ZCC_* / CCACHE_* setting."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ZCC_", "CCACHE_"))}
    env.pop("XDG_CACHE_HOME", None)
    env["LC_ALL"] = "C"
    return env


def zcc_env(store, **extra):
    env = base_env()
    env["ZCC_DIR"] = str(store)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def ccache_env(cdir):
    env = base_env()
    env["CCACHE_DIR"] = str(cdir)
    conf = Path(cdir) / "ccache.conf"
    Path(cdir).mkdir(parents=True, exist_ok=True)
    conf.touch()
    env["CCACHE_CONFIGPATH"] = str(conf)  # ignore /etc/ccache.conf and ~/.config
    env["CCACHE_MAXSIZE"] = "2G"
    return env


def core_sources():
    srcs = sorted(p for p in CORE_DIR.iterdir() if p.suffix in (".c", ".cpp", ".S"))
    return srcs


def compile_cmd(src, obj, extra_includes=()):
    """argv (without any wrapper) for one source, PlatformIO style."""
    src = Path(src)
    incs = [f"-I{d}" for d in extra_includes] + [f"-I{CORE_DIR}", f"-I{VARIANT_DIR}"]
    if src.suffix == ".cpp":
        return ["avr-g++", "-o", str(obj), "-c"] + CXXFLAGS + COMMON + incs + [str(src)]
    if src.suffix == ".c":
        return ["avr-gcc", "-o", str(obj), "-c"] + CFLAGS + COMMON + incs + [str(src)]
    return ["avr-gcc", "-o", str(obj), "-c"] + ASFLAGS + COMMON + incs + [str(src)]


def obj_name(src):
    # PlatformIO names objects <file name>.o (wiring_pulse.c and wiring_pulse.S both exist)
    return f"{OBJ_DIR}/{Path(src).name}.o"


def run_timed(argv, cwd, env):
    t0 = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip().splitlines()
        problem(f"exit {p.returncode}: {' '.join(argv[:3])} … {argv[-1]}: "
                f"{err[-1] if err else '(no stderr)'}")
    return dt


def run_timed_cpu(argv, cwd, env):
    """(wall seconds, CPU seconds of the whole process tree): CPU time is what a call costs
    whatever else the machine does, wall time what a build waits."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run_timed(argv, cwd, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def zcc_stats(zcc, store):
    p = subprocess.run([zcc, "stats", "--json"], env=zcc_env(store),
                       capture_output=True, text=True)
    if p.returncode != 0:
        problem(f"`zcc stats --json` exited {p.returncode}: {p.stderr.strip()}")
        return {}
    try:
        return json.loads(p.stdout).get("counters", {})
    except json.JSONDecodeError as e:
        problem(f"`zcc stats --json` printed invalid JSON ({e}): {p.stdout[:200]!r}")
        return {}


def delta(after, before):
    keys = set(after) | set(before)
    d = {k: after.get(k, 0) - before.get(k, 0) for k in keys}
    return {k: v for k, v in sorted(d.items()) if v}


def fmt_counts(d):
    return ", ".join(f"{k}={v}" for k, v in d.items()) or "(none)"


def expect(label, d, key, n):
    got = d.get(key, 0)
    if got != n or sum(d.values()) != n:
        problem(f"{label}: expected {key}={n}, counters moved by {fmt_counts(d)}")


def ccache_stats(env):
    p = subprocess.run(["ccache", "--print-stats"], env=env, capture_output=True, text=True)
    out = {}
    for line in p.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return {k: out.get(k, 0) for k in ("direct_cache_hit", "preprocessed_cache_hit", "cache_miss")}


def hash_objects(proj, names):
    out = {}
    for n in names:
        p = Path(proj) / n
        out[n] = hashlib.blake2b(p.read_bytes()).hexdigest() if p.exists() else None
    return out


def make_project(root, name="proj"):
    proj = Path(root) / name
    (proj / OBJ_DIR).mkdir(parents=True, exist_ok=True)
    (proj / "platformio.ini").write_text("[env:uno]\nplatform = atmelavr\nboard = uno\n"
                                         "framework = arduino\n")
    return proj


def clean_objects(proj):
    d = Path(proj) / ".pio"
    shutil.rmtree(d, ignore_errors=True)
    (Path(proj) / OBJ_DIR).mkdir(parents=True, exist_ok=True)


def build_pass(jobs, proj, env, wrapper=None):
    """Compile every job once, sequentially; returns per-call seconds."""
    clean_objects(proj)
    times = []
    for argv in jobs:
        full = ([wrapper] if wrapper else []) + argv
        times.append(run_timed(full, proj, env))
    return times


# ---------------------------------------------------------------- scenarios

def scenario_core(ctx):
    srcs = core_sources()
    print(f"\n== core: {len(srcs)} Arduino core sources ({CORE_DIR}), sequential, "
          f"{ctx.rounds} rounds, medians ==")
    zcc, rounds = ctx.zcc, ctx.rounds
    with tempfile.TemporaryDirectory(prefix="zcc-bench-core-") as tmp:
        proj = make_project(tmp)
        jobs = [compile_cmd(s, obj_name(s)) for s in srcs]
        objs = [obj_name(s) for s in srcs]
        n = len(jobs)
        rows = []

        plain = [build_pass(jobs, proj, base_env()) for _ in range(rounds)]
        plain_total = median([sum(t) for t in plain])
        rows.append(["plain avr-gcc/avr-g++", f"{plain_total:.2f}", "", "",
                     ms(median([x for t in plain for x in t])), ""])

        # zcc cold: a fresh store each round
        cold = []
        for r in range(rounds):
            store = Path(tmp) / f"zstore-cold{r}"
            before = zcc_stats(zcc, store)
            cold.append(build_pass(jobs, proj, zcc_env(store), zcc))
            d = delta(zcc_stats(zcc, store), before)
            expect(f"core zcc cold round {r + 1}", d, "miss", n)
        cold_total = median([sum(t) for t in cold])
        store = Path(tmp) / f"zstore-cold{rounds - 1}"
        stored = hash_objects(proj, objs)
        rows.append(["zcc cold (empty store)", f"{cold_total:.2f}", pct(cold_total, plain_total),
                     "", ms(median([x for t in cold for x in t])), f"miss={n}"])

        # zcc warm, direct mode
        warm, counts = [], {}
        for r in range(rounds):
            before = zcc_stats(zcc, store)
            warm.append(build_pass(jobs, proj, zcc_env(store), zcc))
            d = delta(zcc_stats(zcc, store), before)
            counts = d
            expect(f"core zcc warm direct round {r + 1}", d, "direct_hit", n)
            got = hash_objects(proj, objs)
            bad = [k for k in objs if got[k] != stored[k]]
            if bad:
                problem(f"core zcc warm direct round {r + 1}: {len(bad)} replayed objects differ "
                        f"from the stored ones: {', '.join(bad[:5])}")
        t = median([sum(x) for x in warm])
        rows.append(["zcc warm, direct mode", f"{t:.2f}", pct(t, plain_total),
                     f"{plain_total / t:.1f}x", ms(median([x for w in warm for x in w])),
                     fmt_counts(counts)])

        # zcc warm, preprocessor mode (same store)
        nd_env = zcc_env(store, ZCC_NODIRECT=1)
        before = zcc_stats(zcc, store)
        build_pass(jobs, proj, nd_env, zcc)
        first = delta(zcc_stats(zcc, store), before)
        print(f"  note: first ZCC_NODIRECT=1 pass on the store filled by direct mode: "
              f"{fmt_counts(first)}")
        warm_nd = []
        for r in range(rounds):
            before = zcc_stats(zcc, store)
            warm_nd.append(build_pass(jobs, proj, nd_env, zcc))
            d = delta(zcc_stats(zcc, store), before)
            counts = d
            expect(f"core zcc warm ZCC_NODIRECT round {r + 1}", d, "preprocessed_hit", n)
        t = median([sum(x) for x in warm_nd])
        rows.append(["zcc warm, ZCC_NODIRECT=1", f"{t:.2f}", pct(t, plain_total),
                     f"{plain_total / t:.1f}x", ms(median([x for w in warm_nd for x in w])),
                     fmt_counts(counts)])

        if shutil.which("ccache"):
            cc_cold = []
            for r in range(rounds):
                cenv = ccache_env(Path(tmp) / f"ccache{r}")
                cc_cold.append(build_pass(jobs, proj, cenv, "ccache"))
            t = median([sum(x) for x in cc_cold])
            s = ccache_stats(cenv)
            rows.append(["ccache cold (direct mode)", f"{t:.2f}", pct(t, plain_total), "",
                         ms(median([x for w in cc_cold for x in w])),
                         f"miss={s['cache_miss']}"])
            cc_warm = []
            for r in range(rounds):
                b = ccache_stats(cenv)
                cc_warm.append(build_pass(jobs, proj, cenv, "ccache"))
                a = ccache_stats(cenv)
                counts = {k: a[k] - b[k] for k in a if a[k] - b[k]}
            t = median([sum(x) for x in cc_warm])
            rows.append(["ccache warm (direct mode)", f"{t:.2f}", pct(t, plain_total),
                         f"{plain_total / t:.1f}x", ms(median([x for w in cc_warm for x in w])),
                         fmt_counts(counts)])
        else:
            print("  (ccache not found: its rows are skipped)")

    table(["mode", "total s", "vs plain", "speedup", "per-call median ms",
           "counters (last round)"], rows)


SKETCH_MAIN = """#include <Arduino.h>
const int LED = %d;
void setup() { pinMode(LED, OUTPUT); Serial.begin(9600); }
void loop() { digitalWrite(LED, HIGH); delay(%d); digitalWrite(LED, LOW); delay(%d); }
"""


def sketch_project(tmp, i, srcs, main_obj):
    """Sketch project number i: the core sources plus its own main.cpp (compiled to
    main_obj); returns (project directory, compile jobs)."""
    proj = make_project(tmp, f"sketch{i}")
    main = proj / "src" / "main.cpp"
    main.parent.mkdir(parents=True, exist_ok=True)
    main.write_text(SKETCH_MAIN % (13 - i, 100 * (i + 1), 50 * (i + 1)))
    jobs = [compile_cmd(s, obj_name(s)) for s in srcs]
    jobs.append(compile_cmd(main, main_obj))
    return proj, jobs


def scenario_sketches(ctx, n_sketches=3):
    """The issue's warm rebuild: N sketch projects, each compiling the whole core plus its
    main.cpp (26 compiles), sharing one store, against the same compiles uncached."""
    srcs = core_sources()
    rounds = ctx.rounds
    per = len(srcs) + 1
    print(f"\n== sketches: {n_sketches} sketch projects x ({len(srcs)} core + main.cpp) = "
          f"{n_sketches * per} compiles, sequential, one shared store, {rounds} rounds, "
          f"medians ==")
    zcc = ctx.zcc
    with tempfile.TemporaryDirectory(prefix="zcc-bench-sketches-") as tmp:
        projects = [sketch_project(tmp, i, srcs, f"{OBJ_DIR}/main.cpp.o")
                    for i in range(n_sketches)]

        def all_projects(env, wrapper=None):
            return sum(sum(build_pass(jobs, proj, env, wrapper)) for proj, jobs in projects)

        plain = median([all_projects(base_env()) for _ in range(rounds)])
        cold, warm = [], []
        cold_counts = warm_counts = {}
        for r in range(rounds):
            store = Path(tmp) / f"zstore{r}"
            before = zcc_stats(zcc, store)
            cold.append(all_projects(zcc_env(store), zcc))
            cold_counts = delta(zcc_stats(zcc, store), before)
            before = zcc_stats(zcc, store)
            warm.append(all_projects(zcc_env(store), zcc))
            warm_counts = delta(zcc_stats(zcc, store), before)
            expect(f"sketches warm round {r + 1}", warm_counts, "direct_hit", n_sketches * per)
        c, w = median(cold), median(warm)
        table(["pass", "total s", "vs uncached", "speedup", "counters (last round)"], [
            ["uncached avr-gcc/avr-g++", f"{plain:.2f}", "", "", ""],
            ["zcc, empty store (core shared across sketches)", f"{c:.2f}", pct(c, plain),
             f"{plain / c:.1f}x", fmt_counts(cold_counts)],
            ["zcc warm rebuild of all sketches", f"{w:.2f}", pct(w, plain), f"{plain / w:.1f}x",
             fmt_counts(warm_counts)],
        ])


def link_steps(main_obj):
    """PlatformIO's steps after the compiles of one sketch: the core archive (avr-gcc-ar with
    real member timestamps, rebuilt every build), the LTO link, the hex."""
    build = ".pio/build/uno"
    elf = f"{build}/firmware.elf"
    return [
        ("archive", None),  # filled in per pass: the object list is known then
        ("link", ["avr-g++", "-o", elf, "-Os", "-mmcu=atmega328p", "-Wl,--gc-sections",
                  "-flto", "-fuse-linker-plugin", main_obj, f"-L{build}",
                  "-Wl,--start-group", "-lFrameworkArduino", "-lm", "-Wl,--end-group"]),
        ("hex", ["avr-objcopy", "-O", "ihex", "-R", ".eeprom", elf, f"{build}/firmware.hex"]),
    ]


def scenario_links(ctx, n_sketches=3):
    """Warm builds of N sketches including archive, link and hex: uncached, warm with the
    compile cache only (ZCC_NOLINK=1), warm with the link cache; the time spent in links."""
    srcs = core_sources()
    rounds = ctx.rounds
    print(f"\n== links: {n_sketches} sketch projects x ({len(srcs)} core + main.cpp compiles, "
          f"core archive, LTO link, hex), sequential, one shared store, {rounds} rounds, "
          f"medians ==")
    zcc = ctx.zcc
    with tempfile.TemporaryDirectory(prefix="zcc-bench-links-") as tmp:
        main_obj = ".pio/build/uno/src/main.cpp.o"
        projects = []
        for i in range(n_sketches):
            proj, jobs = sketch_project(tmp, i, srcs, main_obj)
            (proj / ".pio/build/uno/src").mkdir(parents=True, exist_ok=True)
            projects.append((proj, jobs, main_obj))

        def build_all(env, wrapper=None):
            """One build of every sketch; (total, compile, archive, link, hex) seconds and the
            hex files."""
            t = {"compile": 0.0, "archive": 0.0, "link": 0.0, "hex": 0.0}
            hexes = []
            for proj, jobs, main_obj in projects:
                clean_objects(proj)
                (proj / ".pio/build/uno/src").mkdir(parents=True, exist_ok=True)
                t["compile"] += sum(run_timed(([wrapper] if wrapper else []) + j, proj, env)
                                    for j in jobs)
                for step, argv in link_steps(main_obj):
                    if step == "archive":
                        argv = ["avr-gcc-ar", "rc", ".pio/build/uno/libFrameworkArduino.a"]
                        argv += [obj_name(s) for s in srcs]
                        t[step] += run_timed(argv, proj, env)
                        continue
                    if step == "link" and wrapper:
                        argv = [wrapper] + argv
                    t[step] += run_timed(argv, proj, env)
                hexes.append((proj / ".pio/build/uno/firmware.hex").read_bytes())
            return sum(t.values()), t, hexes

        plain = [build_all(base_env()) for _ in range(rounds)]
        reference = plain[0][2]
        compile_only, linked = [], []
        counts = {}
        for r in range(rounds):
            store = Path(tmp) / f"zstore{r}"
            build_all(zcc_env(store), zcc)  # fill the store
            before = zcc_stats(zcc, store)
            compile_only.append(build_all(zcc_env(store, ZCC_NOLINK=1), zcc))
            d = delta(zcc_stats(zcc, store), before)
            expect(f"links compile-cache round {r + 1}", {k: v for k, v in d.items()
                   if k != "passthrough_link"}, "direct_hit", n_sketches * len(projects[0][1]))
            before = zcc_stats(zcc, store)
            linked.append(build_all(zcc_env(store), zcc))
            counts = delta(zcc_stats(zcc, store), before)
            if counts.get("link_hit", 0) != n_sketches:
                problem(f"links warm round {r + 1}: expected link_hit={n_sketches}, counters "
                        f"moved by {fmt_counts(counts)}")
            for name, (_, _, hexes) in (("compile cache", compile_only[-1]),
                                        ("link cache", linked[-1])):
                if hexes != reference:
                    problem(f"links round {r + 1}: {name} firmware.hex differs from uncached")

        def row(name, runs):
            total = median([x[0] for x in runs])
            part = {k: median([x[1][k] for x in runs]) for k in runs[0][1]}
            return [name, f"{total:.2f}", f"{part['compile']:.2f}", f"{part['archive']:.3f}",
                    f"{part['link']:.3f}", f"{part['hex']:.3f}"]

        table(["pass", "total s", "compiles s", "archives s", "links s", "hex s"], [
            row("uncached", plain),
            row("zcc warm, compile cache only (ZCC_NOLINK=1)", compile_only),
            row("zcc warm, link cache too", linked),
        ])
        print(f"  counters of the last warm pass with the link cache: {fmt_counts(counts)}")


def hyperfine_one(name, argv, cwd, env, json_path):
    cmd = ["hyperfine", "-N", "--warmup", "3", "--runs", "30", "--style", "none",
           "--export-json", str(json_path), "--command-name", name,
           " ".join(_shq(a) for a in argv)]
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        problem(f"hyperfine for {name!r} failed: {p.stderr.strip().splitlines()[-1:]}")
        return None
    r = json.loads(Path(json_path).read_text())["results"][0]
    return r


def _shq(a):
    # hyperfine -N splits the command line shell-style; quote what needs it
    if a and all(c.isalnum() or c in "-_=./:+,@%" for c in a):
        return a
    return "'" + a.replace("'", "'\\''") + "'"


def scenario_hit(ctx):
    print("\n== hit: one file (HardwareSerial.cpp, uno flags), "
          "hyperfine -N --warmup 3 --runs 30 ==")
    if not shutil.which("hyperfine"):
        print("  hyperfine not found: skipped")
        return
    zcc = ctx.zcc
    src = CORE_DIR / "HardwareSerial.cpp"
    with tempfile.TemporaryDirectory(prefix="zcc-bench-hit-") as tmp:
        proj = make_project(tmp)
        argv = compile_cmd(src, obj_name(src))
        store = Path(tmp) / "zstore"
        cases = [("plain avr-g++", argv, base_env()),
                 ("zcc direct hit", [zcc] + argv, zcc_env(store)),
                 ("zcc preprocessor hit (ZCC_NODIRECT=1)", [zcc] + argv,
                  zcc_env(store, ZCC_NODIRECT=1))]
        if ctx.baseline:
            # the same hit through another zcc (an earlier commit, say), with its own store
            cases.append(("baseline direct hit", [ctx.baseline] + argv,
                          zcc_env(Path(tmp) / "bstore")))
        have_ccache = shutil.which("ccache") is not None
        if have_ccache:
            cases.append(("ccache direct hit", ["ccache"] + argv,
                          ccache_env(Path(tmp) / "ccache")))
        cases.append(("zcc --version", [zcc, "--version"], base_env()))
        if have_ccache:
            cases.append(("ccache --version", ["ccache", "--version"], base_env()))
        # prime the stores (miss, then one hit each) so that every timed run is a hit
        for name, a, env in cases[1:]:
            if "--version" not in a:
                run_timed(a, proj, env)
                run_timed(a, proj, env)
        before = zcc_stats(zcc, store)
        rows, med = [], {}
        for i, (name, a, env) in enumerate(cases):
            r = hyperfine_one(name, a, proj, env, Path(tmp) / f"h{i}.json")
            if r is None:
                continue
            med[name] = r["median"]
            rows.append([name, ms(r["median"]), ms(r["mean"]), ms(r["stddev"] or 0),
                         ms(r["min"])])
        d = delta(zcc_stats(zcc, store), before)
        runs = 33  # warmup + runs, per zcc command
        if d.get("direct_hit", 0) != runs or d.get("preprocessed_hit", 0) != runs or \
                sum(d.values()) != 2 * runs:
            problem(f"hit: expected direct_hit={runs} and preprocessed_hit={runs}, "
                    f"counters moved by {fmt_counts(d)}")
    table(["command", "median ms", "mean ms", "stddev ms", "min ms"], rows)
    if "zcc direct hit" in med and "ccache direct hit" in med:
        print(f"  ratio zcc direct / ccache direct (medians): "
              f"{med['zcc direct hit'] / med['ccache direct hit']:.2f}")
    print(f"  zcc counters during the timed runs: {fmt_counts(d)}")


def scenario_moved(ctx):
    print("\n== moved: store built on machine A, restored on machine B "
          "(other workspace path, other HOME, fresh mtimes) ==")
    zcc, rounds = ctx.zcc, ctx.rounds
    sketch = REPO / "fixtures" / "arduino-sketch"
    with tempfile.TemporaryDirectory(prefix="zcc-bench-moved-") as tmp:
        tmp = Path(tmp)

        def machine(root, proj_rel, packages=".platformio/packages"):
            home = root / "home"
            fw = home / packages / "framework-arduino-avr"
            (fw / "cores").mkdir(parents=True)
            # the manifest every PlatformIO package ships
            (fw / "package.json").write_text(
                '{"name": "framework-arduino-avr", "version": "1.8.7"}\n')
            (fw / "variants").mkdir(parents=True)
            # copy (not copy2): new mtimes, as on a fresh checkout / package unpack
            shutil.copytree(CORE_DIR, fw / "cores" / "arduino", copy_function=shutil.copy)
            shutil.copytree(VARIANT_DIR, fw / "variants" / "standard",
                            copy_function=shutil.copy)
            proj = make_project(root, proj_rel)
            if (sketch / "src").is_dir():
                for sub in ("src", "include", "lib"):
                    if (sketch / sub).is_dir():
                        shutil.copytree(sketch / sub, proj / sub, copy_function=shutil.copy)
            return home, fw, proj

        def jobs_for(fw, proj):
            core = fw / "cores" / "arduino"
            var = fw / "variants" / "standard"
            jobs = []
            # the project's own sources: relative paths, as PlatformIO passes them
            own = sorted(proj.glob("src/*.cpp")) + sorted(proj.glob("lib/*/src/*.cpp"))
            own_inc = ["include"] + sorted(str(p.relative_to(proj)) for p in proj.glob("lib/*/src"))
            for s in own:
                rel = s.relative_to(proj)
                argv = compile_cmd(rel, f".pio/build/uno/{rel}.o")
                argv = [a for a in argv if not a.startswith("-I")] + \
                    [f"-I{i}" for i in own_inc] + [f"-I{core}", f"-I{var}"]
                jobs.append(argv)
            for s in sorted(p for p in core.iterdir() if p.suffix in (".c", ".cpp", ".S")):
                argv = compile_cmd(s, obj_name(s))
                argv = [a for a in argv if not a.startswith("-I")] + [f"-I{core}", f"-I{var}"]
                jobs.append(argv)
            return jobs

        def outputs(jobs):
            return [a[a.index("-o") + 1] for a in jobs]

        def build(jobs, proj, env):
            for o in outputs(jobs):
                (proj / o).parent.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            for argv in jobs:
                run_timed([zcc] + argv, proj, env)
            return time.perf_counter() - t0

        def wipe(proj):
            shutil.rmtree(proj / ".pio", ignore_errors=True)

        # machine A
        homeA, fwA, projA = machine(tmp / "A", "work/firmware")
        storeA = homeA / ".cache" / "zcc"
        envA = zcc_env(storeA, HOME=homeA)
        jobsA = jobs_for(fwA, projA)
        n = len(jobsA)
        print(f"  {n} compiles: project sources relative, core under HOME "
              f"(-I{fwA / 'cores' / 'arduino'})")
        before = zcc_stats(zcc, storeA)
        cold = build(jobsA, projA, envA)
        dA = delta(zcc_stats(zcc, storeA), before)
        expect("moved: cold build on A", dA, "miss", n)
        objsA = hash_objects(projA, outputs(jobsA))
        warm_same, dS = [], {}
        for r in range(rounds):
            wipe(projA)
            before = zcc_stats(zcc, storeA)
            warm_same.append(build(jobsA, projA, envA))
            dS = delta(zcc_stats(zcc, storeA), before)
            expect(f"moved: warm same-path round {r + 1}", dS, "direct_hit", n)

        # ship the store: tar on A, untar for B
        tarball = tmp / "store.tar"
        with tarfile.open(tarball, "w") as tf:
            tf.add(storeA, arcname="zcc")
        size = tarball.stat().st_size

        # machine B: other workspace path, other HOME, files copied anew
        homeB, fwB, projB = machine(tmp / "B-runner", "ws/checkout/firmware")
        (homeB / ".cache").mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as tf:
            kw = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}
            tf.extractall(homeB / ".cache", **kw)
        storeB = homeB / ".cache" / "zcc"
        envB = zcc_env(storeB, HOME=homeB)
        subprocess.run([zcc, "stats", "--zero"], env=envB, capture_output=True)
        jobsB = jobs_for(fwB, projB)
        moved = []
        hit_rates = []
        for r in range(rounds):
            wipe(projB)
            before = zcc_stats(zcc, storeB)
            moved.append(build(jobsB, projB, envB))
            dB = delta(zcc_stats(zcc, storeB), before)
            hits = dB.get("direct_hit", 0) + dB.get("preprocessed_hit", 0)
            hit_rates.append((r + 1, hits, dB))
            if r == 0:
                first_moved = dB
                objsB = hash_objects(projB, outputs(jobsB))
                same = sum(1 for a, b in zip(outputs(jobsA), outputs(jobsB))
                           if objsA[a] is not None and objsA[a] == objsB[b])
        if first_moved.get("direct_hit", 0) != n:
            problem(f"moved: first build on B expected direct_hit={n}, "
                    f"counters moved by {fmt_counts(first_moved)}")
        if same != n:
            problem(f"moved: only {same}/{n} objects on B are identical to A's")

        # machine C: like B, but the packages sit elsewhere under HOME (another build tool's
        # package directory): found as package roots, no configuration
        homeC, fwC, projC = machine(tmp / "C-runner", "ws/checkout/firmware",
                                    ".cache/fbuild/packages")
        (homeC / ".cache").mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as tf:
            kw = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}
            tf.extractall(homeC / ".cache", **kw)
        storeC = homeC / ".cache" / "zcc"
        envC = zcc_env(storeC, HOME=homeC)
        jobsC = jobs_for(fwC, projC)
        before = zcc_stats(zcc, storeC)
        reshaped = build(jobsC, projC, envC)
        dC = delta(zcc_stats(zcc, storeC), before)
        if dC.get("direct_hit", 0) != n:
            problem(f"moved: first build on C (packages elsewhere) expected direct_hit={n}, "
                    f"counters moved by {fmt_counts(dC)}")

    ws = median(warm_same)
    mv = moved[0]
    rows = [["cold on A (empty store)", f"{cold:.2f}", "100%", fmt_counts(dA)],
            ["warm, same paths (A)", f"{ws:.2f}", f"{ws / cold * 100:.1f}%",
             fmt_counts(dS)],
            ["warm, moved to B (first build)", f"{mv:.2f}", f"{mv / cold * 100:.1f}%",
             fmt_counts(first_moved)]]
    if len(moved) > 1:
        m2 = median(moved[1:])
        rows.append(["warm on B, later builds (median)", f"{m2:.2f}",
                     f"{m2 / cold * 100:.1f}%", fmt_counts(hit_rates[-1][2])])
    rows.append(["warm, reshaped to C (packages elsewhere)", f"{reshaped:.2f}",
                 f"{reshaped / cold * 100:.1f}%", fmt_counts(dC)])
    table(["build", "total s", "of cold", "zcc stats --json counters"], rows)
    h = first_moved.get("direct_hit", 0) + first_moved.get("preprocessed_hit", 0)
    print(f"  hit rate when moved: {h}/{n} = {h / n * 100:.0f}% "
          f"(direct {first_moved.get('direct_hit', 0)}, "
          f"preprocessed {first_moved.get('preprocessed_hit', 0)}); "
          f"objects identical to A's: {same}/{n}; store tar: {size / 1024:.0f} KiB")
    print(f"  goal: 100% hits when moved, compile phase <= 5% of cold -> "
          f"{'met' if h == n and mv <= 0.05 * cold else 'NOT met'} "
          f"({mv / cold * 100:.1f}%)")


def scenario_miss(ctx):
    """What a miss costs over a plain compile, two ways: with an empty store (a first CI build:
    every call also hashes its headers, and the first per compiler and flag set hashes the
    compiler and asks it for its include path), and with a warm store after editing the source
    (the everyday miss: compiler and headers are known)."""
    srcs = core_sources()
    rounds = ctx.rounds
    # Variants compiled for each file, interleaved: plain, zcc, and (--baseline) another zcc.
    variants = [("plain", None), ("zcc", ctx.zcc)]
    if ctx.baseline:
        variants.append(("baseline", ctx.baseline))
    against = f" vs baseline {ctx.baseline}" if ctx.baseline else ""
    with tempfile.TemporaryDirectory(prefix="zcc-bench-miss-") as tmp:
        proj = make_project(tmp)
        print(f"\n== miss, empty store: {len(srcs)} core files, plain vs zcc{against}, a fresh "
              f"store each round, interleaved, {rounds} rounds, median per file; wall and CPU "
              f"(process tree) ==")
        times = miss_rounds(ctx, variants, proj, srcs, lambda name, r: Path(tmp) / f"{name}{r}",
                            edit=None)
        miss_table(variants, srcs, times)
        print("  (the first call per compiler and per flag set also hashes the compiler and asks "
              "it for its include path)")

        # The edited copies include their own headers ("Arduino.h" next to them).
        core = proj / "core"
        shutil.copytree(CORE_DIR, core)
        copies = [core / s.name for s in srcs]
        print(f"\n== miss, warm store, edited sources: each compile gets a source with a new "
              f"comment (plain too); {rounds} rounds, median per file ==")
        warm = {name: Path(tmp) / f"warm-{name}" for name, binary in variants if binary}
        for s in copies:  # fill each store: compiler, include paths and headers known
            for name, binary in variants[1:]:
                run_timed([binary] + compile_cmd(s, obj_name(s)), proj, zcc_env(warm[name]))

        def edit(src):
            with open(src, "a") as f:
                f.write(f"// zcc bench edit {time.time_ns()}\n")
        times = miss_rounds(ctx, variants, proj, copies, lambda name, r: warm[name], edit=edit)
        miss_table(variants, copies, times)


def miss_rounds(ctx, variants, proj, srcs, store_of, edit):
    """Compile every source with every variant, interleaved, `ctx.rounds` times; check each
    zcc call was a miss. `store_of(name, round)` is a variant's store, `edit(src)` (if given)
    runs before each compile."""
    times = {name: {s.name: [] for s in srcs} for name, _ in variants}
    for r in range(ctx.rounds):
        stores = {name: store_of(name, r) for name, binary in variants if binary}
        befores = {name: zcc_stats(dict(variants)[name], st) for name, st in stores.items()}
        for i, s in enumerate(srcs):
            argv = compile_cmd(s, obj_name(s))
            order = variants[i % len(variants):] + variants[:i % len(variants)]
            if r % 2:
                order.reverse()  # alternate who goes first
            for name, binary in order:
                out = proj / obj_name(s)
                if out.exists():
                    out.unlink()
                if edit:
                    edit(s)
                if binary:
                    run = run_timed_cpu([binary] + argv, proj, zcc_env(stores[name]))
                else:
                    run = run_timed_cpu(argv, proj, base_env())
                times[name][s.name].append(run)
        for name, st in stores.items():
            d = delta(zcc_stats(dict(variants)[name], st), befores[name])
            expect(f"miss round {r + 1} ({name})", d, "miss", len(srcs))
    return times


def miss_table(variants, srcs, times):
    def medians(name, s):
        return (median([w for w, _ in times[name][s.name]]),
                median([c for _, c in times[name][s.name]]))
    headers = ["file", "plain ms", "plain CPU ms"]
    for name, binary in variants[1:]:
        headers += [f"{name} ms", "wall +", f"{name} CPU ms", "CPU +"]
    rows = []
    totals = {name: [0.0, 0.0] for name, _ in variants}
    for s in list(srcs) + [None]:
        if s is None:
            cells = {name: tuple(totals[name]) for name, _ in variants}
            label = "TOTAL (sum of medians)"
        else:
            cells = {name: medians(name, s) for name, _ in variants}
            for name in cells:
                totals[name] = [t + x for t, x in zip(totals[name], cells[name])]
            label = s.name
        pw, pc = cells["plain"]
        row = [label, ms(pw), ms(pc)]
        for name, _ in variants[1:]:
            w, c = cells[name]
            row += [ms(w), pct(w, pw), ms(c), pct(c, pc)]
        rows.append(row)
    table(headers, rows)


# ---------------------------------------------------------------- library

def library_projects(root):
    """One PlatformIO-style project per PixelLib example: the library copied into the
    project's `lib/`, jobs for the 25 core files, the library's unity files and the sketch."""
    projects = []
    for example in sorted((PIXELLIB / "examples").iterdir()):
        proj = make_project(root, example.name)
        lib = proj / "lib" / "PixelLib"
        shutil.copytree(PIXELLIB / "src", lib / "src")
        main = proj / "src" / "main.ino.cpp"
        main.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(example / f"{example.name}.ino.cpp", main)
        jobs = [compile_cmd(s, obj_name(s)) for s in core_sources()]
        for unit in sorted((lib / "src").glob("*.cpp")):
            jobs.append(compile_cmd(unit, f"{OBJ_DIR}/lib_{unit.name}.o", [lib / "src"]))
        jobs.append(compile_cmd(main, f"{OBJ_DIR}/main.ino.cpp.o", [lib / "src"]))
        projects.append((proj, jobs))
    return projects


def build_parallel(projects, env, wrapper, jobs=2):
    """Build every project, one after another, each with `jobs` compiles at a time (objects
    wiped first); returns the wall time of all of them."""
    from concurrent.futures import ThreadPoolExecutor
    t0 = time.perf_counter()
    for proj, argvs in projects:
        clean_objects(proj)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(lambda argv: run_timed([wrapper] + argv, proj, env), argvs))
    return time.perf_counter() - t0


def edit_library_header(projects, text):
    for proj, _ in projects:
        with open(proj / "lib" / "PixelLib" / "src" / "PixelLib.h", "a") as f:
            f.write(text)


def scenario_library(ctx):
    """The FastLED workload with fixtures/pixellib: warm builds, a no-op edit of the library's
    main header, the share of direct hits, zcc against ccache; then what `-MMD` adds to a
    miss."""
    rounds = ctx.rounds
    with tempfile.TemporaryDirectory(prefix="zcc-bench-library-") as tmp:
        projects = library_projects(Path(tmp))
        n = sum(len(jobs) for _, jobs in projects)
        print(f"\n== library: {len(projects)} PixelLib example projects x ({len(core_sources())} "
              f"core + {len(projects[0][1]) - len(core_sources()) - 1} library unity files + "
              f"sketch) = {n} compiles, 2 jobs, one store per tool, {rounds} warm rounds ==")
        edits = [("no-op edit 1: `#define SOME_FLAG 1` appended to PixelLib.h",
                  "#define SOME_FLAG 1\n"),
                 ("no-op edit 2: a comment appended to PixelLib.h",
                  "// nothing to see here\n")]
        rows, figures = [], {}
        # zcc as it is by default, and with the first compile of each source preprocessed
        # alongside (ZCC_PREPROCESS_MISSES=1), which makes the first no-op edit a hit.
        tools = [("zcc", ctx.zcc), ("zcc+pp", ctx.zcc)]
        if shutil.which("ccache"):
            tools.append(("ccache", "ccache"))
        for name, wrapper in tools:
            for proj, _ in projects:  # the same library text for every tool
                shutil.rmtree(proj / "lib" / "PixelLib" / "src")
                shutil.copytree(PIXELLIB / "src", proj / "lib" / "PixelLib" / "src")
            store = Path(tmp) / f"store-{name}"
            if name.startswith("zcc"):
                env = zcc_env(store, **({"ZCC_PREPROCESS_MISSES": 1} if name == "zcc+pp" else {}))

                def counters():
                    return zcc_stats(ctx.zcc, store)
            else:
                env = ccache_env(store)
                env["CCACHE_BASEDIR"] = tmp  # the projects share results, as zcc's roots do

                def counters():
                    return ccache_stats(env)
            before = counters()
            cold = build_parallel(projects, env, wrapper)
            figures[name] = {"cold": cold}
            rows.append([name, "cold (empty store)", f"{cold:.2f}",
                         fmt_counts(delta(counters(), before))])
            warm = []
            for r in range(rounds):
                before = counters()
                warm.append(build_parallel(projects, env, wrapper))
                d = delta(counters(), before)
            figures[name].update({"warm": median(warm), "warm_counts": d})
            rows.append([name, "warm (median)", f"{median(warm):.2f}", fmt_counts(d)])
            for label, text in edits:
                edit_library_header(projects, text)
                before = counters()
                t = build_parallel(projects, env, wrapper)
                d = delta(counters(), before)
                rows.append([name, label, f"{t:.2f}", fmt_counts(d)])
                before = counters()
                t = build_parallel(projects, env, wrapper)
                rows.append([name, "  then warm again", f"{t:.2f}",
                             fmt_counts(delta(counters(), before))])
                figures[name][label] = d
        table(["tool", "build", "wall s", "counters"], rows)
        z = figures["zcc"]
        hits = z["warm_counts"].get("direct_hit", 0) + z["warm_counts"].get("preprocessed_hit", 0)
        print(f"  zcc warm: {z['warm_counts'].get('direct_hit', 0)} of {hits} hits direct "
              f"(goal: all)")
        if z["warm_counts"].get("direct_hit", 0) != n:
            problem(f"library: warm zcc build was not all direct hits: "
                    f"{fmt_counts(z['warm_counts'])}")
        for name in ("zcc", "zcc+pp"):
            for label, _ in edits:
                misses = figures[name][label].get("miss", 0)
                print(f"  {name} {label.split(':')[0]}: {misses} recompiles (goal: none)")
        print(f"  cold build zcc+pp / zcc: {figures['zcc+pp']['cold']:.2f} / {z['cold']:.2f} s "
              f"(the first compile of each source also preprocesses)")
        if "ccache" in figures:
            c = figures["ccache"]
            print(f"  warm build zcc / ccache: {z['warm']:.2f} / {c['warm']:.2f} s = "
                  f"{z['warm'] / c['warm']:.2f}x (goal: at most 0.7x)")
        library_mmd_misses(ctx, projects[0][0], tmp)


def library_mmd_misses(ctx, proj, tmp):
    """A genuine miss (the source edited before each run) without dependency flags, with
    `-MD` and with `-MMD -MP`, plain against zcc (and --baseline), interleaved: what a miss
    and asking for a dependency file cost."""
    lib_src = proj / "lib" / "PixelLib" / "src"
    core = proj / "core"
    shutil.copytree(CORE_DIR, core)
    files = [(core / "CDC.cpp", []), (lib_src / "pixel_fx.cpp", [lib_src])]
    runs = max(10, 4 * ctx.rounds)
    # zcc+pp: ZCC_PREPROCESS_MISSES=1, the first compile of a source preprocesses alongside.
    zccs = [("zcc", ctx.zcc), ("zcc+pp", ctx.zcc)]
    zccs += [("baseline", ctx.baseline)] if ctx.baseline else []
    envs = {}
    for name, _ in zccs:
        extra = {"ZCC_PREPROCESS_MISSES": 1} if name == "zcc+pp" else {}
        envs[name] = zcc_env(Path(tmp) / f"store-mmd-{name}", **extra)
        # A store in use has its shard directories: no mkdir in the measured misses.
        for kind in ("results", "manifests", "aux"):
            for i in range(256):
                (Path(tmp) / f"store-mmd-{name}" / "v1" / kind / f"{i:02x}").mkdir(
                    parents=True, exist_ok=True)
    print(f"\n== library: a miss without and with dependency flags: each file edited before "
          f"every compile, {runs} runs, interleaved, medians of wall and CPU (process tree) ms ==")
    rows = []
    for src, incs in files:
        for deps in ([], ["-MD"], ["-MMD", "-MP"]):
            argv = compile_cmd(src, f"{OBJ_DIR}/{src.name}.o", incs) + deps
            for name, binary in zccs:  # compiler, include path, headers known
                run_timed([binary] + argv, proj, envs[name])
            variants = [("plain", None)] + zccs
            times = {name: [] for name, _ in variants}
            for r in range(runs):
                order = variants[r % len(variants):] + variants[:r % len(variants)]
                for who, wrapper in order:
                    with open(src, "a") as f:
                        f.write(f"// zcc bench edit {time.time_ns()}\n")
                    full = ([wrapper] if wrapper else []) + argv
                    times[who].append(run_timed_cpu(full, proj, envs.get(who, base_env())))
            pw, pc = (median([run[k] for run in times["plain"]]) for k in (0, 1))
            row = [src.name, " ".join(deps) or "none", ms(pw), ms(pc)]
            for name, _ in zccs:
                zw, zc = (median([run[k] for run in times[name]]) for k in (0, 1))
                row += [ms(zw), pct(zw, pw), ms(zc), pct(zc, pc)]
            rows.append(row)
    headers = ["file", "dependency flags", "plain ms", "plain CPU ms"]
    for name, _ in zccs:
        headers += [f"{name} ms", "wall +", f"{name} CPU ms", "CPU +"]
    table(headers, rows)
    print("  (goal: a miss with -MMD within 10 % of a plain compile)")


# ---------------------------------------------------------------- remote

def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, what, proc):
    import socket
    t0 = time.time()
    while time.time() - t0 < 20:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port}")


def start_redis(tmp):
    port = free_port()
    d = Path(tmp) / "redis"
    d.mkdir()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(d)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    wait_port(port, "redis-server", proc)
    return proc, f"redis://127.0.0.1:{port}"


def start_nginx(tmp):
    port = free_port()
    d = Path(tmp) / "nginx"
    (d / "www").mkdir(parents=True)
    (d / "tmp").mkdir()
    user = "user root;" if os.geteuid() == 0 else ""
    temps = "".join(f"  {k}_temp_path {d}/tmp;\n"
                    for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (d / "nginx.conf").write_text(
        f"daemon off;\nmaster_process off;\nworker_processes 1;\n{user}\n"
        f"error_log {d}/error.log;\npid {d}/nginx.pid;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n  access_log off;\n{temps}"
        f"  server {{\n    listen 127.0.0.1:{port};\n    root {d}/www;\n"
        f"    client_max_body_size 0;\n"
        f"    location / {{ dav_methods PUT; create_full_put_path on; }}\n  }}\n}}\n")
    proc = subprocess.Popen(["nginx", "-c", str(d / "nginx.conf"), "-p", str(d),
                             "-e", str(d / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    wait_port(port, "nginx", proc)
    return proc, f"http://127.0.0.1:{port}/zcc"


def stop_server(proc):
    import signal
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def remote_get_ms(log):
    """Per-GET latencies of remote hits from a ZCC_LOGFILE ("... (N bytes in X ms)")."""
    out = []
    if Path(log).exists():
        for line in Path(log).read_text().splitlines():
            if " remote hit " in line and " ms)" in line:
                try:
                    out.append(float(line.rsplit(" in ", 1)[1].split(" ms)")[0]))
                except (IndexError, ValueError):
                    pass
    return out


def scenario_remote(ctx):
    srcs = core_sources()
    rounds, zcc = ctx.rounds, ctx.zcc
    n = len(srcs)
    print(f"\n== remote: {n} core files, sequential; Redis and nginx (WebDAV PUT) on loopback, "
          f"{rounds} rounds, medians ==")
    missing = [t for t in ("redis-server", "nginx") if not shutil.which(t)]
    if missing:
        print(f"  {', '.join(missing)} not found: skipped (apt-get install redis-server nginx)")
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="zcc-bench-remote-") as tmp:
        servers = []
        try:
            for name, start in (("redis", start_redis), ("http", start_nginx)):
                proc, url = start(tmp)
                servers.append(proc)
                rows += remote_rows(ctx, Path(tmp) / name, srcs, url, name)
                stop_server(proc)
                servers.remove(proc)
        finally:
            for proc in servers:
                stop_server(proc)
    table(["tier / pass", "total s", "per-call median ms", "counters (last round)"], rows)
    print("  per remote hit = per-call median of the warm-from-remote pass minus the warm local "
          "one: two GETs (manifest, result), the local back-fill, and hashing the headers "
          "once for the new store's stat cache; GET = one remote read as logged by zcc.")


def remote_rows(ctx, root, srcs, url, name):
    zcc, rounds, n = ctx.zcc, ctx.rounds, len(srcs)
    root.mkdir(parents=True, exist_ok=True)
    a = make_project(root / "A", "firmware")
    jobs = [compile_cmd(s, obj_name(s)) for s in srcs]
    objs = [obj_name(s) for s in srcs]
    rows = []

    # cold, local only (reference) and cold filling the remote
    cold_local = []
    for r in range(rounds):
        store = root / f"cold-local{r}"
        cold_local.append(build_pass(jobs, a, zcc_env(store), zcc))
    t = median([sum(x) for x in cold_local])
    rows.append([f"{name}: cold, no remote (reference)", f"{t:.2f}",
                 ms(median([x for c in cold_local for x in c])), f"miss={n}"])

    store_a = root / "storeA"
    before = zcc_stats(zcc, store_a)
    cold = build_pass(jobs, a, zcc_env(store_a, ZCC_REMOTE=url), zcc)
    d = delta(zcc_stats(zcc, store_a), before)
    expect(f"remote {name} cold", {k: v for k, v in d.items() if k == "miss"}, "miss", n)
    stored = hash_objects(a, objs)
    rows.append([f"{name}: cold, filling the remote", f"{sum(cold):.2f}",
                 ms(median(cold)), fmt_counts(d)])

    warm, counts = [], {}
    for r in range(rounds):
        before = zcc_stats(zcc, store_a)
        warm.append(build_pass(jobs, a, zcc_env(store_a, ZCC_REMOTE=url), zcc))
        counts = delta(zcc_stats(zcc, store_a), before)
        expect(f"remote {name} warm local round {r + 1}", counts, "direct_hit", n)
    t_local = median([sum(x) for x in warm])
    per_local = median([x for w in warm for x in w])
    rows.append([f"{name}: warm, local store", f"{t_local:.2f}", ms(per_local),
                 fmt_counts(counts)])

    # machine B: another project path, an empty local store each round, the remote filled
    b = make_project(root / "B" / "other" / "path", "fw")
    remote, gets = [], []
    for r in range(rounds):
        store_b = root / f"storeB{r}"
        log = root / f"b{r}.log"
        before = zcc_stats(zcc, store_b)
        remote.append(build_pass(jobs, b, zcc_env(store_b, ZCC_REMOTE=url, ZCC_LOGFILE=log),
                                 zcc))
        counts = delta(zcc_stats(zcc, store_b), before)
        if counts.get("direct_hit") != n or counts.get("remote_hit") != n or counts.get("miss"):
            problem(f"remote {name} warm from remote round {r + 1}: expected "
                    f"direct_hit={n} remote_hit={n}, got {fmt_counts(counts)}")
        got = hash_objects(b, objs)
        bad = [k for k in objs if got[k] != stored[k]]
        if bad:
            problem(f"remote {name} round {r + 1}: {len(bad)} objects from the remote differ "
                    f"from machine A's: {', '.join(bad[:5])}")
        gets += remote_get_ms(log)
    t_remote = median([sum(x) for x in remote])
    per_remote = median([x for w in remote for x in w])
    rows.append([f"{name}: warm from the remote alone (empty local store)", f"{t_remote:.2f}",
                 ms(per_remote), fmt_counts(counts)])
    rows.append([f"{name}: per remote hit (vs local hit)", "", ms(per_remote - per_local),
                 f"GET median {median(gets):.2f} ms, max {max(gets) if gets else 0:.2f} ms "
                 f"({len(gets)} GETs)"])
    return rows


# ---------------------------------------------------------------- main

class Ctx:
    pass


def scenario_ci(ctx, runs=10, edits_per_run=3):
    """A CI store over many runs, as docs/CI_CACHE.md's recipe keeps it: each run restores the
    store the previous run saved (a tar archive, mtimes kept, as actions/cache does), records
    its start (ZCC_JOB_START), builds the core with a few sources edited since the last run,
    and saves the store again; with the trim, `zcc gc --unused-since` the start runs before
    the save. Runs are seconds apart, closer than the hour after which a hit refreshes a file
    without ZCC_JOB_START."""
    srcs = core_sources()
    print(f"\n== ci: {runs} simulated CI runs of the core ({len(srcs)} files), {edits_per_run} "
          f"sources edited per run; store saved and restored as a tar archive; without and with "
          f"`zcc gc --unused-since $ZCC_JOB_START` before the save ==")
    variants = ("no trim", "trim")
    with tempfile.TemporaryDirectory(prefix="zcc-bench-ci-") as tmp:
        tmp = Path(tmp)
        proj = make_project(tmp)
        core = proj / "core"
        shutil.copytree(CORE_DIR, core)
        copies = [core / s.name for s in srcs]
        archives = {v: tmp / f"saved-{i}.tar" for i, v in enumerate(variants)}
        rows = []
        for run in range(1, runs + 1):
            if run > 1:
                for k in range(edits_per_run):
                    src = copies[((run - 2) * edits_per_run + k) % len(copies)]
                    with open(src, "a") as f:
                        f.write(f"// zcc bench ci run {run}\n")
            row = [str(run)]
            for v in variants:
                store = tmp / f"runner-{run}-{v.replace(' ', '-')}"
                if archives[v].exists():
                    with tarfile.open(archives[v]) as t:
                        t.extractall(store)
                time.sleep(1.1)  # the job starts in a later second than the last save
                start = f"@{int(time.time())}"
                env = zcc_env(store, ZCC_JOB_START=start)
                subprocess.run([ctx.zcc, "stats", "--zero"], env=env, check=True,
                               capture_output=True)
                clean_objects(proj)
                for s in copies:
                    run_timed([ctx.zcc] + compile_cmd(s, obj_name(s)), proj, env)
                d = zcc_stats(ctx.zcc, store)
                hits = d.get("direct_hit", 0) + d.get("preprocessed_hit", 0)
                want = len(copies) if run == 1 else edits_per_run
                if d.get("miss", 0) != want or hits != len(copies) - want:
                    problem(f"ci run {run} ({v}): expected {want} misses and "
                            f"{len(copies) - want} hits, got {fmt_counts(d)}")
                if v == "trim":
                    subprocess.run([ctx.zcc, "gc", "--unused-since", start], env=env,
                                   check=True, capture_output=True)
                info = json.loads(subprocess.run([ctx.zcc, "stats", "--json"], env=env,
                                                 check=True, capture_output=True,
                                                 text=True).stdout)
                with tarfile.open(archives[v], "w") as t:
                    t.add(store, arcname=".")
                shutil.rmtree(store)
                row += [f"{info['size_bytes'] / 1024:.0f}", str(info["entries"]),
                        f"{d.get('miss', 0)}/{hits}"]
            rows.append(row)
    table(["run", "KiB (no trim)", "entries", "miss/hit", "KiB (trim)", "entries",
           "miss/hit"], rows)


def find_zcc(arg):
    """The binary to measure: --zcc, else the one install.sh would ship (built with
    scripts/static-link.sh's settings, up to date: cargo only rebuilds what changed)."""
    if arg:
        p = Path(arg).resolve()
        if not p.is_file():
            sys.exit(f"bench: --zcc {arg}: no such file")
        return str(p)
    print("bench: building zcc as install.sh does (scripts/static-link.sh)…", flush=True)
    built = subprocess.run(
        ["bash", "-c", '. scripts/static-link.sh && cargo build --release --quiet --target '
         '"$ZCC_TARGET" && echo "$ZCC_TARGET"'],
        cwd=REPO, check=True, stdout=subprocess.PIPE, text=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    return str(target / built.stdout.strip() / "release" / "zcc")


def main():
    ap = argparse.ArgumentParser(description="zcc benchmarks (prints figures, never fails "
                                 "on timings)")
    ap.add_argument("scenarios", nargs="*", default=["all"],
                    help=f"all (default) or any of: {', '.join(SCENARIOS)}")
    ap.add_argument("--zcc", help="zcc binary (default: built as install.sh builds it, "
                    "target/<host triple>/release/zcc)")
    ap.add_argument("--rounds", type=int, default=3, help="repetitions of each pass (default 3)")
    ap.add_argument("--baseline", help="another zcc binary, compiled interleaved in the miss "
                    "scenario and timed next to zcc in the hit scenario (e.g. a build of an "
                    "earlier commit)")
    args = ap.parse_args()
    chosen = []
    for s in args.scenarios:
        if s == "all":
            chosen += [x for x in SCENARIOS if x not in chosen]
        elif s in SCENARIOS:
            chosen += [s] if s not in chosen else []
        else:
            ap.error(f"unknown scenario {s!r} (choose from all, {', '.join(SCENARIOS)})")
    if args.rounds < 1:
        ap.error("--rounds must be >= 1")
    for tool in ("avr-gcc", "avr-g++"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} not found (apt-get install gcc-avr avr-libc)")
    if not (CORE_DIR / "Arduino.h").is_file():
        sys.exit(f"bench: {CORE_DIR} missing (apt-get install arduino-core-avr)")

    ctx = Ctx()
    ctx.zcc = find_zcc(args.zcc)
    ver = first_line([ctx.zcc, "--version"])
    if not ver.startswith("zcc "):
        sys.exit(f"bench: `{ctx.zcc} --version` printed {ver!r}, not 'zcc <version>' (a binary "
                 f"whose file name is not zcc masquerades as a compiler of that name)")
    ctx.rounds = args.rounds
    ctx.baseline = str(Path(args.baseline).resolve()) if args.baseline else None

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    print("== machine ==")
    print(f"  nproc:     {os.cpu_count()} ({cpu})")
    print(f"  os:        {platform.system()} {platform.release()} {platform.machine()}")
    print(f"  compiler:  {first_line(['avr-gcc', '--version'])}")
    print(f"  zcc:       {first_line([ctx.zcc, '--version'])} ({ctx.zcc})")
    print(f"  ccache:    {first_line(['ccache', '--version'])}")
    print(f"  hyperfine: {first_line(['hyperfine', '--version'])}")
    print(f"  core:      {CORE_DIR} ({len(core_sources())} sources: .c .cpp .S)")
    print(f"  rounds:    {ctx.rounds}")
    try:
        la = os.getloadavg()
        print(f"  load:      {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} (1/5/15 min; above nproc "
              f"means other work competes with the timings)")
    except OSError:
        pass

    for s in chosen:
        {"core": scenario_core, "sketches": scenario_sketches, "links": scenario_links,
         "hit": scenario_hit,
         "moved": scenario_moved,
         "miss": scenario_miss, "remote": scenario_remote, "ci": scenario_ci,
         "library": scenario_library}[s](ctx)

    if PROBLEMS:
        print(f"\n== {len(PROBLEMS)} problem(s) seen (figures above may be meaningless) ==")
        seen = {}
        for p in PROBLEMS:
            seen[p] = seen.get(p, 0) + 1
        for p, k in seen.items():
            print(f"  - {p}" + (f" (x{k})" if k > 1 else ""))
        sys.exit(1)


if __name__ == "__main__":
    main()
