//! Link the `zcc` binary as a position-dependent executable on Linux.
//!
//! A PIE Rust binary carries thousands of relative relocations (vtables, string tables) that
//! the dynamic loader applies at every start, dirtying a few dozen pages; zcc starts once per
//! compile, so that is paid on every cache hit. Measured on the hit path (docs/PERFORMANCE.md):
//! 8,669 relocations, ~120,000 instructions and ~35 page faults per call, about 0.1-0.2 ms of
//! a 2 ms hit. What is given up is address-space randomization of the executable itself (not
//! of the stack, heap or libraries) for a short-lived program that only reads build inputs.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
