//! Measures whether a per-file memo pays for itself (the thresholds `filehash::MEMO_MIN_SIZE`
//! and `HASH_MEMO_MIN_SIZE`):
//! for each given file, the time to read, hash and scan it, against the time to read a memo of
//! its facts and to write one (`memo::write`, temp file + rename; `memo::write_once`, one
//! creation). Not a test; run it in release mode:
//!
//! ```sh
//! cargo run --release --example memo_costs -- $(find /usr/lib/avr/include -name '*.h')
//! ```
//!
//! Prints the medians per size bucket over 5 rounds.

use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let files: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    assert!(!files.is_empty(), "usage: memo_costs FILE...");
    let tmp = tempfile::tempdir().expect("tempdir");
    let memo_dir = tmp.path().join("memo");
    // Per size bucket (upper bound in KiB): scan, memo read, memo write, memo write_once.
    let buckets = [4u64, 16, 64, 256, u64::MAX];
    let mut samples: Vec<[Vec<Duration>; 4]> = buckets.iter().map(|_| Default::default()).collect();
    for round in 0..5 {
        for (i, file) in files.iter().enumerate() {
            let Ok(meta) = std::fs::metadata(file) else {
                continue;
            };
            let bucket = buckets
                .iter()
                .position(|&kib| meta.len() < kib.saturating_mul(1024))
                .unwrap_or(buckets.len() - 1);
            let t = Instant::now();
            let info = zcc::filehash::file_info(file, &memo_dir).expect("hash");
            let scan = t.elapsed();
            // A memo as big as file_info's: hash, flags, include names.
            let mut payload = info.hash.to_vec();
            payload.push(info.flags.bits());
            payload.extend(info.quoted.join("\n").into_bytes());
            let memo = memo_dir.join(format!("{:02x}/{round}-{i}", i % 256));
            let t = Instant::now();
            zcc::memo::write(&memo, &payload);
            let write = t.elapsed();
            let t = Instant::now();
            let back = zcc::memo::read(&memo);
            let read = t.elapsed();
            assert!(back.is_some());
            let once = memo_dir.join(format!("{:02x}/once-{round}-{i}", i % 256));
            let t = Instant::now();
            zcc::memo::write_once(&once, &payload);
            let write_once = t.elapsed();
            for (slot, d) in samples[bucket]
                .iter_mut()
                .zip([scan, read, write, write_once])
            {
                slot.push(d);
            }
        }
    }
    println!(
        "size bucket       files  read+hash+scan  memo read  memo write  write_once  (medians, µs)"
    );
    let mut low = 0;
    for (bound, s) in buckets.iter().zip(&mut samples) {
        let label = if *bound == u64::MAX {
            format!(">= {low} KiB")
        } else {
            format!("{low}-{bound} KiB")
        };
        if !s[0].is_empty() {
            let med = |v: &mut Vec<Duration>| {
                v.sort();
                v[v.len() / 2].as_secs_f64() * 1e6
            };
            println!(
                "{label:<16} {:>6}  {:>14.1}  {:>9.1}  {:>10.1}  {:>10.1}",
                s[0].len() / 5,
                med(&mut s[0]),
                med(&mut s[1]),
                med(&mut s[2]),
                med(&mut s[3])
            );
        }
        low = *bound;
    }
}
