//! Measures what the store lifecycle costs (the numbers in docs/ARCHITECTURE.md, "Size
//! limit and eviction" and "Compression"). Not a test; run it in release mode:
//!
//! ```sh
//! cargo run --release --example store_costs -- <store dir filled by real compiles>
//! ```
//!
//! It reports, for the entries of the given store: the compression ratio as stored; the ratio
//! and the compress/decompress time of the result payloads at zstd levels -3, -1, 1 and 3; the
//! time of a put and a get with and without the size accounting; and the time of a trim walk
//! over a synthetic store of 20,000 entries.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use zcc::store::{Key, Kind, Lookup, Store, TrimGoal};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: store_costs <store dir>");
    let store = Store::open(Path::new(&dir)).expect("open the store");
    let mut payloads = Vec::new();
    let (mut stored_bytes, mut payload_bytes) = (0u64, 0u64);
    for (kind, sub) in [(Kind::Result, "results"), (Kind::Manifest, "manifests")] {
        for fanout in fs::read_dir(Path::new(&dir).join("v1").join(sub)).expect("read_dir") {
            for file in fs::read_dir(fanout.expect("entry").path()).expect("read_dir") {
                let file = file.expect("entry");
                let Some(key) = parse_key(&file.file_name().to_string_lossy()) else {
                    continue;
                };
                let Lookup::Found(payload) = store.get(kind, &key) else {
                    continue;
                };
                stored_bytes += file.metadata().expect("stat").len();
                payload_bytes += payload.len() as u64;
                if kind == Kind::Result {
                    payloads.push(payload);
                }
            }
        }
    }
    println!(
        "entries: {} result payloads; {payload_bytes} payload bytes -> {stored_bytes} stored \
         (ratio {:.2}, zstd level {})",
        payloads.len(),
        payload_bytes as f64 / stored_bytes as f64,
        zcc::store::ZSTD_LEVEL
    );

    let rounds = 20;
    let per_op = |total: Duration, ops: usize| total.as_secs_f64() * 1e6 / ops as f64;
    let ops = rounds * payloads.len();
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    let result_bytes: usize = payloads.iter().map(Vec::len).sum();
    for level in [-3, -1, 1, 3] {
        let compress = time(&|| {
            for _ in 0..rounds {
                for p in &payloads {
                    std::hint::black_box(zstd::bulk::compress(p, level).expect("zstd"));
                }
            }
        });
        let packed: Vec<Vec<u8>> = payloads
            .iter()
            .map(|p| zstd::bulk::compress(p, level).expect("zstd"))
            .collect();
        let decompress = time(&|| {
            for _ in 0..rounds {
                for (p, orig) in packed.iter().zip(&payloads) {
                    std::hint::black_box(zstd::bulk::decompress(p, orig.len()).expect("unzstd"));
                }
            }
        });
        println!(
            "zstd level {level:>2}: results ratio {:.2}; per payload compress {:.1} us, \
             decompress {:.1} us",
            result_bytes as f64 / packed.iter().map(Vec::len).sum::<usize>() as f64,
            per_op(compress, ops),
            per_op(decompress, ops)
        );
    }

    for (label, limit) in [
        ("no limit", None),
        ("limit (accounting per call)", Some(1u64 << 40)),
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut fresh = Store::open(&tmp.path().join("s")).expect("open");
        if let Some(limit) = limit {
            fresh = fresh.with_max_size(limit);
        }
        // Start the estimate, as the first write into a store does.
        fresh.put(Kind::Result, &[0; 32], b"x").expect("put");
        let _ = fresh.trim_if_needed();
        let put = time(&|| {
            for round in 0..rounds {
                for (n, p) in payloads.iter().enumerate() {
                    fresh.put(Kind::Result, &key(round, n), p).expect("put");
                    // Once per call: add the write to the size counters (with a limit).
                    let _ = fresh.trim_if_needed();
                }
            }
        });
        let get = time(&|| {
            for round in 0..rounds {
                for n in 0..payloads.len() {
                    assert!(matches!(
                        fresh.get(Kind::Result, &key(round, n)),
                        Lookup::Found(_)
                    ));
                }
            }
        });
        println!(
            "{label}: put {:.1} us, get (hit) {:.1} us per entry",
            per_op(put, ops),
            per_op(get, ops)
        );
    }

    let tmp = tempfile::tempdir().expect("tempdir");
    let big = Store::open(&tmp.path().join("s")).expect("open");
    let filler: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    for n in 0..20_000 {
        big.put(Kind::Result, &key(99, n), &filler).expect("put");
    }
    let usage = big.usage().expect("usage");
    let walk = time(&|| {
        big.usage().expect("usage");
    });
    let trim_start = Instant::now();
    let report = big
        .gc(TrimGoal {
            max_bytes: Some(usage.bytes() / 10 * 9),
            ..TrimGoal::default()
        })
        .expect("gc");
    println!(
        "trim: {} entries ({} bytes): walk {:.1} ms; trim to 90% (removed {}) {:.1} ms",
        usage.entries,
        usage.bytes(),
        walk.as_secs_f64() * 1e3,
        report.removed_entries,
        trim_start.elapsed().as_secs_f64() * 1e3
    );
}

fn key(round: usize, n: usize) -> Key {
    *blake3::hash(format!("{round}/{n}").as_bytes()).as_bytes()
}

fn parse_key(name: &str) -> Option<Key> {
    if name.len() != 64 {
        return None;
    }
    let mut key = [0; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(name.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}
