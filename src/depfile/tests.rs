//! Unit tests of `depfile.rs`: parsing, storing and re-rendering dependency files, checked
//! against the files real compilers wrote (`captured.rs`).

use super::*;
use std::path::PathBuf;

#[test]
fn plain_rules_are_what_compilers_write_and_nothing_make_would_run() {
    for good in [
        &b"x.o: x.c\n"[..],
        b"x.o: x.c a/b.h \\\n /usr/include/stdio.h\n",
        b"x.o: x.c a.h\na.h:\n",
        b"x.o: x.c a.h\n\na.h:\n",
        b"x.o: x.c\r\n",
        b"x.o: my$$file.c sp\\ ace.h\n",
        b"x.o y.o: x.c\n",
    ] {
        assert!(is_plain_rules(good), "{}", String::from_utf8_lossy(good));
    }
    // Every file captured from a real compiler is plain.
    for capture in captured::CAPTURES {
        for call in [&capture.first, &capture.second] {
            assert!(is_plain_rules(call.dep.as_bytes()), "{}", capture.what);
        }
    }
    for bad in [
        &b"x.o: $(shell touch pwned) x.c\n"[..],
        b"x.o: x.c\n\ttouch pwned\n",
        b"\tx.o: x.c\n",
        b"x.o: x.c ; touch pwned\n",
        b"x.o: x.c\ninclude /etc/passwd\n",
        b"include /etc/passwd: x\n",
        b"x.o: SHELL = /tmp/evil\n",
        b"x.o: $$(x) $\n",
        b"x.o: ${HOME}\n",
        b".SECONDEXPANSION:\nx.o: $$(shell touch pwned)\n",
        b"x.o: x.c\rinjected\n",
        b"x.o x.c\n",
        b"",
    ] {
        assert!(!is_plain_rules(bad), "{}", String::from_utf8_lossy(bad));
    }
}

fn roots(dir: &str) -> Roots {
    Roots::new(vec![("WS0".to_string(), PathBuf::from(dir))])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn captured_files_render_for_another_call_as_the_compiler_wrote_them() {
    for capture in captured::CAPTURES {
        let preferred = if capture.clang {
            Style::Clang
        } else {
            Style::Gcc
        };
        // Both directions: shorter to longer strings and back.
        for (from, to) in [
            (&capture.first, &capture.second),
            (&capture.second, &capture.first),
        ] {
            let what = capture.what;
            let stored = store_preferring(
                from.dep.as_bytes(),
                &roots(from.root),
                from.target,
                preferred,
                None,
            )
            .unwrap_or_else(|| panic!("{what}: not parsed"));
            assert!(stored.style().is_some(), "{what}: fell back to raw");
            let same = render(&stored, &roots(from.root), from.target, "");
            assert_eq!(text(&same), from.dep, "{what}: same call");
            let other = render(&stored, &roots(to.root), to.target, "");
            assert_eq!(text(&other), to.dep, "{what}: other call");
        }
    }
}

#[test]
fn captured_files_reveal_their_style_without_a_hint() {
    // Every capture wraps somewhere, and the continuation indent tells GCC from clang.
    for capture in captured::CAPTURES {
        let call = &capture.first;
        let stored = store(call.dep.as_bytes(), &roots(call.root), call.target);
        let want = if capture.clang {
            Style::Clang
        } else {
            Style::Gcc
        };
        assert_eq!(
            stored.and_then(|s| s.style()),
            Some(want),
            "{}",
            capture.what
        );
    }
}

#[test]
fn unwrapped_file_uses_the_preferred_style() {
    // Real output for `-o a/x.o` and for a 70-character object directory; the short file
    // looks the same from gcc 12 and clang 14.
    let short = "a/x.o: main.c\n";
    let long_target = format!("build/{}/y.o", "o".repeat(70));
    let gcc_long = format!("{long_target}: \\\n main.c\n");
    let clang_long = format!("{long_target}: \\\n  main.c\n");
    let cases = [(Style::Gcc, gcc_long), (Style::Clang, clang_long)];
    for (preferred, want) in cases {
        let stored = store_preferring(
            short.as_bytes(),
            &Roots::default(),
            Some("a/x.o"),
            preferred,
            None,
        );
        let stored = stored.unwrap_or_else(|| panic!("{preferred:?}: not parsed"));
        assert_eq!(stored.style(), Some(preferred));
        let rendered = render(&stored, &Roots::default(), Some(&long_target), "");
        assert_eq!(text(&rendered), want, "{preferred:?}");
    }
}

#[test]
fn make_quote_cases() {
    let cases = [
        ("a/x.o", "a/x.o"),
        ("", ""),
        ("./a/x.o", "./a/x.o"),
        ("a b.o", r"a\ b.o"),
        ("a\tb.o", "a\\\tb.o"),
        ("$(OBJ)", "$$(OBJ)"),
        ("#1", r"\#1"),
        (r"a\b", r"a\b"),
        (r"a\ b", r"a\\\ b"),
        (r"a\\ b", r"a\\\\\ b"),
        (r"a\#", r"a\\#"),
        // Captured from gcc 12 `-MQ 'q $#\ z'`.
        (r"q $#\ z", r"q\ $$\#\\\ z"),
        ("naïve ü.o", r"naïve\ ü.o"),
    ];
    for (input, want) in cases {
        assert_eq!(make_quote(input), want, "input {input:?}");
    }
}

#[test]
fn prerequisites_cases() {
    let cases: [(&str, &[&str]); 9] = [
        ("x.o: x.c a.h\n", &["x.c", "a.h"]),
        ("x.o: x.c \\\n a.h \\\n  b.h\n", &["x.c", "a.h", "b.h"]),
        // Captured from gcc 12: escaped space, `$$`, `\#`, backslash before space, tab.
        (
            "o/x\\ y$$\\#.o: m\\ a$$in.c my\\ dir/a\\ b.h my\\ dir/d$$ol\\#l.h \\\n my\\ dir/back\\\\\\ sl.h my\\ dir/ta\\\tb.h\n",
            &[
                "m a$in.c",
                "my dir/a b.h",
                "my dir/d$ol#l.h",
                "my dir/back\\ sl.h",
                "my dir/ta\tb.h",
            ],
        ),
        // -MP rules add nothing; duplicates (unguarded headers) are listed once.
        (
            "x.o: x.c a.h b.h a.h\n\na.h:\n\nb.h:\n\na.h:\n",
            &["x.c", "a.h", "b.h"],
        ),
        ("x.o:\n", &[]),
        ("x.o: x.c a.h\r\n", &["x.c", "a.h"]),
        (
            "C:/b/x.o: C:/src/x.c C:\\inc\\y.h\n",
            &["C:/src/x.c", "C:\\inc\\y.h"],
        ),
        ("not a rule\n", &[]),
        ("", &[]),
    ];
    for (dep, want) in cases {
        assert_eq!(prerequisites(dep.as_bytes()), want, "dep {dep:?}");
    }
}

#[test]
fn unparseable_bytes_give_none() {
    let cases: [&[u8]; 10] = [
        b"",
        b"\n\n  \n",
        b"\0",
        b"x.o: a.c\0\n",
        b"hello world\n",
        b": x.c\n",
        b"x.o x.c\n",
        b"x.o: x.c\nstray words\n",
        b"\xff\xfe\xfd",
        b"x.o:x.c\n",
    ];
    for dep in cases {
        assert_eq!(
            store(dep, &Roots::default(), Some("x.o")),
            None,
            "dep {dep:?}"
        );
    }
}

#[test]
fn empty_prerequisite_list() {
    let stored = store(b"a/x.o:\n", &Roots::default(), Some("a/x.o"));
    let stored = stored.unwrap_or_else(|| panic!("not parsed"));
    assert_eq!(stored.style(), Some(Style::Gcc));
    assert_eq!(
        render(&stored, &Roots::default(), Some("b/y.o"), ""),
        b"b/y.o:\n"
    );
}

#[test]
fn default_target_substitution_cases() {
    struct Case {
        dep: &'static str,
        stored_target: Option<&'static str>,
        render_target: Option<&'static str>,
        want: &'static str,
    }
    let cases = [
        // GCC drops `./` from the target; the placeholder repeats that.
        Case {
            dep: "a/x.o: x.c\n",
            stored_target: Some("./a/x.o"),
            render_target: Some("./b/y.o"),
            want: "b/y.o: x.c\n",
        },
        // A kept `./` shows a compiler that keeps it (clang).
        Case {
            dep: "./a/x.o: x.c\n",
            stored_target: Some("./a/x.o"),
            render_target: Some("./b/y.o"),
            want: "./b/y.o: x.c\n",
        },
        // No `./` either way: GCC style drops it later.
        Case {
            dep: "a/x.o: x.c\n",
            stored_target: Some("a/x.o"),
            render_target: Some("./b/y.o"),
            want: "b/y.o: x.c\n",
        },
        // Only the target equal to the default is replaced.
        Case {
            dep: "a/x.o other: x.c\n",
            stored_target: Some("a/x.o"),
            render_target: Some("b/y.o"),
            want: "b/y.o other: x.c\n",
        },
        // A prerequisite that happens to equal the default target is a file, not a target.
        Case {
            dep: "x.o: x.o\n",
            stored_target: Some("x.o"),
            render_target: Some("y.o"),
            want: "y.o: x.o\n",
        },
        // Explicit targets are stored without a default and stay verbatim.
        Case {
            dep: "custom target: x.c\n",
            stored_target: None,
            render_target: None,
            want: "custom target: x.c\n",
        },
        // A placeholder rendered without a default target writes the stored one.
        Case {
            dep: "a/x.o: x.c\n",
            stored_target: Some("a/x.o"),
            render_target: None,
            want: "a/x.o: x.c\n",
        },
    ];
    for case in cases {
        let stored = store(case.dep.as_bytes(), &Roots::default(), case.stored_target);
        let stored = stored.unwrap_or_else(|| panic!("{:?}: not parsed", case.dep));
        let rendered = render(&stored, &Roots::default(), case.render_target, "");
        assert_eq!(text(&rendered), case.want, "dep {:?}", case.dep);
    }
}

#[test]
fn rooted_prerequisites_keep_their_spelling_and_escaping() {
    let dep = "x.o: /tmp/A/my\\ ws/src/../inc/a\\ b.h /tmp/A/my\\ wsx/c.h /tmp/A/my\\ ws\n";
    let stored = store(dep.as_bytes(), &roots("/tmp/A/my ws"), Some("x.o"));
    let stored = stored.unwrap_or_else(|| panic!("not parsed"));
    let rendered = render(&stored, &roots("/elsewhere/our ws"), Some("x.o"), "");
    let want = "x.o: /elsewhere/our\\ ws/src/../inc/a\\ b.h /tmp/A/my\\ wsx/c.h \\\n /elsewhere/our\\ ws\n";
    assert_eq!(text(&rendered), want);
}

#[test]
fn unnormalized_root_spelling_is_expanded_normalized() {
    // The root is reached only after normalization, so the compiler's spelling of this
    // machine cannot be kept; a correct path on the next machine matters more.
    let stored = store(b"x.o: /tmp/A//ws/x.h\n", &roots("/tmp/A/ws"), Some("x.o"));
    let stored = stored.unwrap_or_else(|| panic!("not parsed"));
    assert_eq!(
        render(&stored, &roots("/B/ws"), Some("x.o"), ""),
        b"x.o: /B/ws/x.h\n"
    );
}

#[test]
fn unknown_root_on_this_machine_renders_the_token() {
    let stored = store(b"x.o: /tmp/A/ws/x.h\n", &roots("/tmp/A/ws"), Some("x.o"));
    let stored = stored.unwrap_or_else(|| panic!("not parsed"));
    assert_eq!(
        render(&stored, &Roots::default(), Some("x.o"), ""),
        b"x.o: @WS0/x.h\n"
    );
}

#[test]
fn crlf_files_are_rewrapped_with_crlf() {
    let capture = &captured::CAPTURES[1];
    let crlf = |s: &str| s.replace('\n', "\r\n");
    let (first, second) = (&capture.first, &capture.second);
    let stored = store(crlf(first.dep).as_bytes(), &roots(first.root), first.target);
    let stored = stored.unwrap_or_else(|| panic!("not parsed"));
    assert_eq!(stored.style(), Some(Style::Gcc));
    let rendered = render(&stored, &roots(second.root), second.target, "");
    assert_eq!(text(&rendered), crlf(second.dep));
}

#[test]
fn unknown_layouts_fall_back_to_raw_text() {
    let cases = [
        // No final newline.
        ("a/x.o: /tmp/A/ws/src/main.c", "b/y.o: /B/ws/src/main.c"),
        // An extra rule that is not a -MP rule.
        (
            "a/x.o: /tmp/A/ws/main.c \\\n    /tmp/A/ws/x.h\n.PHONY: extra\n",
            "b/y.o: /B/ws/main.c \\\n    /B/ws/x.h\n.PHONY: extra\n",
        ),
        // -MP rules out of order.
        (
            "a/x.o: m.c /tmp/A/ws/a.h b.h\n\nb.h:\n\n/tmp/A/ws/a.h:\n",
            "b/y.o: m.c /B/ws/a.h b.h\n\nb.h:\n\n/B/ws/a.h:\n",
        ),
        // Odd spacing no compiler writes.
        ("a/x.o :  m.c\n", "b/y.o :  m.c\n"),
    ];
    for (dep, want) in cases {
        let stored = store(dep.as_bytes(), &roots("/tmp/A/ws"), Some("a/x.o"));
        let stored = stored.unwrap_or_else(|| panic!("{dep:?}: not parsed"));
        assert_eq!(stored.style(), None, "dep {dep:?}");
        assert_eq!(
            render(&stored, &roots("/tmp/A/ws"), Some("a/x.o"), ""),
            dep.as_bytes(),
            "dep {dep:?}"
        );
        let rendered = render(&stored, &roots("/B/ws"), Some("b/y.o"), "");
        assert_eq!(text(&rendered), want, "dep {dep:?}");
    }
}

#[test]
fn parse_splits_names_like_make() {
    let cases: [(&str, &[&str], &[&str]); 6] = [
        ("a b: c d\n", &["a", "b"], &["c", "d"]),
        ("a\\ b: c\\\\\\ d\n", &["a\\ b"], &["c\\\\\\ d"]),
        // An even run of backslashes does not escape the blank.
        ("a\\\\ b: c\n", &["a\\\\", "b"], &["c"]),
        ("C:/x.o: C:/x.c\n", &["C:/x.o"], &["C:/x.c"]),
        ("x.o: a:b\n", &["x.o"], &["a:b"]),
        ("x.o \\\n y.o:\\\n a.c\n", &["x.o", "y.o"], &["a.c"]),
    ];
    for (dep, targets, prereqs) in cases {
        let rules = parse(dep.as_bytes()).unwrap_or_else(|| panic!("{dep:?}: not parsed"));
        let names = |words: &[Range<usize>]| -> Vec<String> {
            words.iter().map(|w| dep[w.clone()].to_string()).collect()
        };
        assert_eq!(names(&rules[0].targets), targets, "dep {dep:?}");
        assert_eq!(names(&rules[0].prerequisites), prereqs, "dep {dep:?}");
    }
}

/// Store and render must never panic, and whatever parses must render back to itself.
fn check_no_panic_and_identity(dep: &[u8]) {
    let roots = roots("/tmp/A/ws");
    let _ = prerequisites(dep);
    for target in [None, Some("a/x.o"), Some("./a/x.o")] {
        for preferred in [Style::Gcc, Style::Clang] {
            if let Some(stored) = store_preferring(dep, &roots, target, preferred, None) {
                assert_eq!(
                    render(&stored, &roots, target, ""),
                    dep,
                    "dep {:?}",
                    text(dep)
                );
                let _ = render(&stored, &Roots::default(), Some("y.o"), "");
                let _ = render(&stored, &roots, None, "");
            }
        }
    }
}

#[test]
fn prefixes_of_captures_are_safe() {
    // Truncated files hit every parser state; a stride keeps the test quick.
    for capture in captured::CAPTURES {
        for dep in [capture.first.dep, capture.second.dep] {
            for end in (0..=dep.len()).step_by(7).chain([dep.len()]) {
                check_no_panic_and_identity(&dep.as_bytes()[..end]);
            }
        }
    }
}

#[test]
fn arbitrary_bytes_are_safe() {
    let alphabet = b"\\\\\\  ::\n\n\r$$##a/x.\t\xff@";
    let mut seed = 7u32;
    for _ in 0..5000 {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let len = (seed >> 16) as usize % 24;
        let dep: Vec<u8> = (0..len)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                alphabet[(seed >> 16) as usize % alphabet.len()]
            })
            .collect();
        check_no_panic_and_identity(&dep);
    }
}

/// Names under the input's directory are written with the rendering call's spelling of it,
/// re-wrapped for its length; targets, other relative names and rooted names are not touched.
#[test]
fn names_under_the_input_directory_take_the_rendering_calls_spelling() {
    let names = |dir: &str, ws: &str| -> Vec<Vec<u8>> {
        ["t.c", "INC/a.h", "x.h", "../inc/b.h", "x.h", "inc/c.h"]
            .iter()
            .map(|n| match n.strip_prefix("INC/") {
                Some(rest) => format!("{ws}/inc/{rest}").into_bytes(),
                None if n.starts_with("inc/") => n.as_bytes().to_vec(),
                None => format!("{dir}{n}").into_bytes(),
            })
            .collect()
    };
    let file = |dir: &str, ws: &str| {
        let target = vec![b"build/t.o".to_vec()];
        lay_out(&target, &names(dir, ws), Phony::Compact, Style::Gcc, false)
    };
    let relative = file("src/", "/tmp/A/ws");
    let roots_a = roots("/tmp/A/ws");
    let stored = store_preferring(
        &relative,
        &roots_a,
        Some("build/t.o"),
        Style::Gcc,
        Some("src/"),
    )
    .unwrap();
    assert_eq!(stored.style(), Some(Style::Gcc));
    assert_eq!(
        render(&stored, &roots_a, Some("build/t.o"), "src/"),
        relative
    );
    let absolute = render(
        &stored,
        &roots("/tmp/B/ws"),
        Some("build/t.o"),
        "/tmp/B/ws/src/",
    );
    assert_eq!(absolute, file("/tmp/B/ws/src/", "/tmp/B/ws"));
    assert!(absolute.windows(2).any(|w| w == b"\\\n"), "re-wrapped");
    // A bare name's directory is empty: every relative prerequisite is under it.
    let bare = "t.o: t.c x.h /usr/include/stdio.h\nx.h:\n/usr/include/stdio.h:\n";
    let none = Roots::default();
    let stored = store_preferring(bare.as_bytes(), &none, Some("t.o"), Style::Gcc, Some(""));
    assert_eq!(
        String::from_utf8(render(&stored.unwrap(), &none, Some("t.o"), "/w/")).unwrap(),
        "t.o: /w/t.c /w/x.h /usr/include/stdio.h\n/w/x.h:\n/usr/include/stdio.h:\n"
    );
    // Without the directory, names stay as the compiler wrote them.
    let stored = store_preferring(bare.as_bytes(), &none, Some("t.o"), Style::Gcc, None);
    assert_eq!(
        render(&stored.unwrap(), &none, Some("t.o"), "/w/"),
        bare.as_bytes()
    );
}
