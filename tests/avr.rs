//! avr-gcc/avr-g++ on Arduino core files with PlatformIO's uno flags.
//!
//! With `-flto` GCC writes a random seed into every object, so two plain
//! compiles differ; comparisons with a plain compile pin `-frandom-seed=zcc`.
//! Without a pinned seed a hit must still give back exactly the object stored
//! by the miss.

mod common;
use common::*;

fn core_file(name: &str) -> String {
    format!("{ARDUINO_CORE}/{name}")
}

/// `compiler <uno flags> <language flags> -frandom-seed=zcc -I… -c <core file> -o <output>`
fn uno_args(compiler: &str, lang: &[&str], source: &str, output: &str, seed: bool) -> Vec<String> {
    let mut args = vec![compiler.to_string()];
    args.extend(lang.iter().map(|s| s.to_string()));
    args.extend(UNO_FLAGS.iter().map(|s| s.to_string()));
    if seed {
        args.push("-frandom-seed=zcc".into());
    }
    args.push(format!("-I{ARDUINO_CORE}"));
    args.push(format!("-I{ARDUINO_VARIANT}"));
    args.extend(["-c".into(), core_file(source), "-o".into(), output.into()]);
    args
}

/// Miss, hit with the same command, hit with another `-o` in a deeper
/// directory: each byte-identical to the plain compile.
fn miss_then_hits_identical_to_plain(compiler: &str, lang: &[&str], source: &str) {
    require_arduino();
    let env = TestEnv::new();
    env.mkdir(".pio/build/uno/FrameworkArduino");
    env.mkdir("other/build/dir/deeper");
    let first = uno_args(
        compiler,
        lang,
        source,
        ".pio/build/uno/FrameworkArduino/x.o",
        true,
    );
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    let miss = env.assert_zcc_matches_plain(&first);
    assert!(
        miss.output(".pio/build/uno/FrameworkArduino/x.o")
            .starts_with(b"\x7fELF"),
        "expected an ELF object"
    );
    env.assert_counters(&[("miss", 1)]);
    env.assert_zcc_matches_plain(&first);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
    let second = uno_args(compiler, lang, source, "other/build/dir/deeper/y.o", true);
    let second: Vec<&str> = second.iter().map(String::as_str).collect();
    env.assert_zcc_matches_plain(&second);
    env.assert_counters(&[("miss", 1), ("hit", 2)]);
}

#[test]
fn avr_gxx_hardware_serial_cpp_uno_flags_hit_identical_to_plain() {
    miss_then_hits_identical_to_plain("avr-g++", UNO_CXX_FLAGS, "HardwareSerial.cpp");
}

#[test]
fn avr_gcc_wiring_c_uno_flags_hit_identical_to_plain() {
    miss_then_hits_identical_to_plain("avr-gcc", UNO_C_FLAGS, "wiring.c");
}

#[test]
fn avr_gcc_wiring_pulse_upper_s_uno_flags_hit_identical_to_plain() {
    miss_then_hits_identical_to_plain("avr-gcc", UNO_ASM_FLAGS, "wiring_pulse.S");
}

#[test]
fn avr_lto_without_pinned_seed_hit_returns_the_object_of_the_miss() {
    require_arduino();
    let env = TestEnv::new();
    let args = uno_args(
        "avr-g++",
        UNO_CXX_FLAGS,
        "HardwareSerial.cpp",
        "hs.o",
        false,
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // The plain compile still tells us the exit status and diagnostics.
    let plain = env.plain(&args).run();
    plain.success();
    let miss = env.zcc(&args).run();
    let hit = env.zcc(&args).run();
    for run in [&miss, &hit] {
        run.success();
        assert_bytes_eq("stderr", &plain.stderr, &run.stderr);
        assert_eq!(
            run.outputs.keys().collect::<Vec<_>>(),
            ["hs.o"],
            "created files"
        );
    }
    assert_bytes_eq(
        "hs.o of the hit vs the miss",
        miss.output("hs.o"),
        hit.output("hs.o"),
    );
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn avr_gxx_without_lto_hit_identical_to_plain() {
    require_arduino();
    let env = TestEnv::new();
    let mut args: Vec<String> = uno_args("avr-g++", UNO_CXX_FLAGS, "Print.cpp", "print.o", false);
    args.retain(|a| a != "-flto");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn avr_same_source_other_mcu_is_a_miss() {
    require_arduino();
    let env = TestEnv::new();
    let uno = uno_args("avr-gcc", UNO_C_FLAGS, "wiring_digital.c", "wd.o", true);
    let mega: Vec<String> = uno
        .iter()
        .map(|a| {
            if a == "-mmcu=atmega328p" {
                "-mmcu=atmega2560".to_string()
            } else {
                a.clone()
            }
        })
        .collect();
    let uno: Vec<&str> = uno.iter().map(String::as_str).collect();
    let mega: Vec<&str> = mega.iter().map(String::as_str).collect();
    let a = env.assert_zcc_matches_plain(&uno);
    let b = env.assert_zcc_matches_plain(&mega);
    assert_ne!(a.output("wd.o"), b.output("wd.o"));
    env.assert_counters(&[("miss", 2)]);
}
