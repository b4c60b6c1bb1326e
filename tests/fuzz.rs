//! Property tests: the parsers and decoders that see outside input never panic, whatever it is.
//!
//! - `args::classify` on arbitrary argument vectors (options zcc knows, response files,
//!   arbitrary text);
//! - the dependency-file parser (`depfile::store`, `prerequisites`, and `render` of whatever
//!   `store` accepted) on arbitrary bytes and on make-like byte soup;
//! - the entry and manifest decoders on arbitrary bytes and on damaged valid encodings (the
//!   store's checksum normally stops damage before them; this is the second line).
//!
//! Case counts are kept small so the suite stays quick on a 2-core machine.

use std::path::PathBuf;

use proptest::prelude::*;
use zcc::args;
use zcc::depfile;
use zcc::entry::{Entry, Text};
use zcc::manifest::Manifest;
use zcc::paths::Roots;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Arguments that steer the classifier into its interesting paths, mixed with free text.
fn argument() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "-c",
            "-S",
            "-E",
            "-o",
            "-",
            "--",
            "-x",
            "c",
            "c++",
            "assembler-with-cpp",
            "-MD",
            "-MMD",
            "-MF",
            "-MT",
            "-MQ",
            "-M",
            "-MM",
            "-MP",
            "-I",
            "-include",
            "-isystem",
            "-D",
            "-U",
            "-g",
            "-g3",
            "-g0",
            "-O2",
            "-flto",
            "-save-temps",
            "-fdebug-prefix-map=/a=b",
            "-ffile-prefix-map=",
            "-Wa,-adhln",
            "-Xassembler",
            "-Xpreprocessor",
            "--specs=x",
            "-B",
            "@rsp",
            "@",
            "-fprofile-generate",
            "-frecord-gcc-switches",
            "x.c",
            "y.cpp",
            "z.S",
            "a.s",
            "b.i",
            "out.o",
            "-std=gnu11",
            "-fsyntax-only",
            "-###",
            "-v",
        ])
        .prop_map(String::from),
        "[-@a-zA-Z0-9_.=/,+]{0,16}",
        any::<String>(),
    ]
}

/// Bytes that look somewhat like a make rule set.
fn make_like() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            &b":"[..],
            b"::",
            b" ",
            b"\t",
            b"\n",
            b"\r\n",
            b"\\\n",
            b"\\ ",
            b"\\",
            b"$$",
            b"$",
            b"#",
            b"%",
            b"x.o",
            b"x.o:",
            b"/usr/include/stdio.h",
            b"/ws/src/a.h",
            b"../b.h",
            b"C:\\x\\y.h",
            b"|",
            b"\0",
        ])
        .prop_map(<[u8]>::to_vec),
        prop::collection::vec(any::<u8>(), 0..4),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn roots() -> Roots {
    Roots::new(vec![
        ("WS0".to_string(), PathBuf::from("/ws")),
        ("TC0".to_string(), PathBuf::from("/usr")),
    ])
}

fn exercise_depfile(bytes: &[u8]) {
    let _ = depfile::prerequisites(bytes);
    for target in [None, Some("x.o")] {
        if let Some(stored) = depfile::store(bytes, &roots(), target) {
            let _ = depfile::render(&stored, &roots(), Some("other/y.o"), "src/");
            let _ = depfile::render(&stored, &roots(), target, "");
        }
        // Names under the input's directory stored as placeholders, rendered for others.
        for dir in ["", "a/"] {
            let style = depfile::Style::Gcc;
            if let Some(stored) =
                depfile::store_preferring(bytes, &roots(), target, style, Some(dir))
            {
                let _ = depfile::render(&stored, &roots(), target, "/elsewhere/");
            }
        }
    }
}

fn sample_entry(output: Vec<u8>, stderr: Vec<u8>) -> Entry {
    Entry {
        output: Some(output),
        depfile: depfile::store(
            b"x.o: x.c /ws/a.h \\\n /usr/include/b.h\n",
            &roots(),
            Some("x.o"),
        ),
        extras: Vec::new(),
        stdout: Text::Raw(Vec::new()),
        stderr: Text::Tokenized(stderr),
        spelled: None,
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn classify_never_panics(
        argv in prop::collection::vec(argument(), 0..14),
        response in prop::collection::vec(argument(), 0..6),
    ) {
        let text = response.join(" ");
        let read = |_: &str| Some(text.clone());
        let _ = args::classify(&argv, &read);
        let _ = args::classify(&argv, &|_: &str| None);
    }

    #[test]
    fn depfile_parser_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        exercise_depfile(&bytes);
    }

    #[test]
    fn depfile_parser_never_panics_on_make_like_text(bytes in make_like()) {
        exercise_depfile(&bytes);
    }

    #[test]
    fn decoders_never_panic_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Entry::decode(&bytes);
        let _ = Manifest::decode(&bytes);
    }

    #[test]
    fn decoders_never_panic_on_damaged_encodings(
        output in prop::collection::vec(any::<u8>(), 0..64),
        stderr in prop::collection::vec(any::<u8>(), 0..32),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let encoded = sample_entry(output, stderr).encode();
        let mut damaged = encoded.clone();
        for (at, value) in flips {
            let i = at.index(damaged.len());
            damaged[i] = value;
        }
        let _ = Entry::decode(&damaged);
        let _ = Manifest::decode(&damaged);
        let truncated = &encoded[..cut.index(encoded.len() + 1)];
        let _ = Entry::decode(truncated);
        let _ = Manifest::decode(truncated);
    }
}
