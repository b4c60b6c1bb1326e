//! The library API as a build tool embeds it: one `zcc::Cache`, cloned into many
//! threads, compiling at once without spawning zcc; objects byte-identical to
//! plain compiles; passthroughs and a missing compiler reported to the caller.
//! Also drives `examples/embed.rs` (included below as a module).

mod common;
use common::*;

#[path = "../examples/embed.rs"]
#[allow(dead_code)]
mod embed;

use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::sync::Barrier;
use zcc::{
    Cache, CompileError, CompileRequest, Config, Counter, LinkRefusal, Outcome, Passthrough, Served,
};

const THREADS: usize = 8;

/// A cache over the test's store, logging to the test's log.
fn open_cache(env: &TestEnv) -> Cache {
    Cache::open(Config {
        logfile: Some(env.log.clone()),
        ..Config::defaults(env.store.clone())
    })
}

/// This process's environment without zcc's and make's variables, with `LC_ALL=C`
/// (what [`TestEnv::plain`] gives the plain compiler).
fn clean_env() -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os()
        .filter(|(k, _)| {
            let k = k.to_string_lossy();
            !is_scrubbed_var(&k) && k != "LC_ALL"
        })
        .collect();
    env.push(("LC_ALL".into(), "C".into()));
    env
}

fn request(env: &TestEnv, compiler: &str, args: &[&str]) -> CompileRequest {
    CompileRequest {
        compiler: compiler.into(),
        args: args.iter().map(OsString::from).collect(),
        cwd: env.work.clone(),
        env: clean_env(),
        stderr_is_terminal: false,
    }
}

fn compile_args<'a>(source: &'a str, object: &'a str) -> [&'a str; 7] {
    ["-Iinclude", "-O2", "-Wall", "-c", source, "-o", object]
}

/// `f<i>.c`; f3.c warns (unused variable), so stderr replay is checked too.
fn source(i: usize) -> String {
    let unused = if i == 3 { "    int unused = 1;\n" } else { "" };
    format!(
        "#include <string.h>\n#include \"common.h\"\n\
         int f{i}(const char *s) {{\n{unused}    return (int)strlen(s) * {i} + BASE;\n}}\n"
    )
}

/// What plain gcc gives for `compile_args(source, ...)`: (object, stderr).
fn plain_compile(env: &TestEnv, source: &str) -> (Vec<u8>, Vec<u8>) {
    let mut args = vec!["gcc"];
    args.extend(compile_args(source, "plain.o"));
    let run = env.plain(&args).run();
    run.success();
    (run.output("plain.o").to_vec(), run.stderr)
}

/// Compiles `source` into `object` through `cache`, asserts the result equals
/// `expected` (object and stderr), returns how it was served.
fn compile_and_check(
    cache: &Cache,
    env: &TestEnv,
    source: &str,
    object: &str,
    expected: &(Vec<u8>, Vec<u8>),
) -> Served {
    let req = request(env, "gcc", &compile_args(source, object));
    let done = match cache.compile(&req) {
        Ok(Outcome::Completed(done)) => done,
        other => panic!("{source}: expected Outcome::Completed, got {other:?}"),
    };
    assert_eq!(
        done.status,
        0,
        "{source} -> {object}: status {} ({:?})\n{}",
        done.status,
        done.served,
        String::from_utf8_lossy(&done.stderr)
    );
    let written = fs::read(env.path(object)).unwrap_or_else(|e| panic!("read {object}: {e}"));
    assert_bytes_eq(
        &format!("{object} ({:?})", done.served),
        &expected.0,
        &written,
    );
    assert_bytes_eq(
        &format!("stderr of {source} ({:?})", done.served),
        &expected.1,
        &done.stderr,
    );
    assert!(done.stdout.is_empty(), "{:?}", done.stdout);
    done.served
}

#[test]
fn eight_threads_share_one_cache_then_all_hit() {
    let env = TestEnv::new();
    env.write("include/common.h", "#define BASE 100\n");
    env.write("same.c", source(99));
    let mut expected = vec![plain_compile(&env, "same.c")];
    for i in 0..THREADS {
        env.write(&format!("f{i}.c"), source(i));
        expected.push(plain_compile(&env, &format!("f{i}.c")));
    }
    assert!(
        !expected[4].1.is_empty(),
        "precondition: f3.c warns with -Wall"
    );
    env.mkdir("round0");
    env.mkdir("round1");

    let cache = open_cache(&env);
    let mut rounds: Vec<Vec<(Served, Served)>> = Vec::new();
    for round in 0..2 {
        let start = Barrier::new(THREADS);
        let served: Vec<(Served, Served)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS)
                .map(|i| {
                    let cache = cache.clone();
                    let (env, expected, start) = (&env, &expected, &start);
                    scope.spawn(move || {
                        start.wait();
                        let same = compile_and_check(
                            &cache,
                            env,
                            "same.c",
                            &format!("round{round}/same-{i}.o"),
                            &expected[0],
                        );
                        let own = compile_and_check(
                            &cache,
                            env,
                            &format!("f{i}.c"),
                            &format!("round{round}/f{i}.o"),
                            &expected[i + 1],
                        );
                        (same, own)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        rounds.push(served);
    }

    let hit = |s: &Served| matches!(s, Served::DirectHit | Served::PreprocessedHit);
    for (i, (same, own)) in rounds[0].iter().enumerate() {
        assert!(
            hit(same) || *same == Served::Miss,
            "round 0, thread {i}, same.c: {same:?}\n{}",
            env.log_tail()
        );
        assert_eq!(*own, Served::Miss, "round 0, f{i}.c\n{}", env.log_tail());
    }
    for (i, (same, own)) in rounds[1].iter().enumerate() {
        assert!(
            hit(same) && hit(own),
            "round 1, thread {i}: same.c {same:?}, f{i}.c {own:?}\n{}",
            env.log_tail()
        );
    }
    let stats = env.stats();
    let errors: Vec<_> = stats
        .iter()
        .filter(|(k, n)| k.starts_with("error_") && **n > 0)
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{}", env.log_tail());
    assert_eq!(
        env.hits() + env.counter("miss"),
        4 * THREADS as u64,
        "every call counted once: {stats:?}"
    );
}

/// A link that also compiles its sources is passed through; a link of objects is cached.
#[test]
fn a_link_with_sources_is_a_passthrough_that_run_uncached_runs() {
    let env = TestEnv::new();
    env.write(
        "main.c",
        "#include <stdio.h>\nint main(void) { puts(\"linked\"); return 0; }\n",
    );
    let cache = open_cache(&env);
    let compile = request(&env, "gcc", &["-c", "main.c", "-o", "main.o"]);
    match cache.compile(&compile) {
        Ok(Outcome::Completed(done)) => assert_eq!(done.status, 0, "{done:?}"),
        other => panic!("compile: {other:?}"),
    }

    let link = request(&env, "gcc", &["main.c", "-o", "prog"]);
    let (compiler, reason, report) = match cache.compile(&link) {
        Ok(Outcome::Passthrough {
            compiler,
            reason,
            report,
        }) => (compiler, reason, report),
        other => panic!("a link must be a passthrough, got {other:?}"),
    };
    assert!(compiler.is_absolute(), "{}", compiler.display());
    assert_eq!(reason, Passthrough::LinkRefused(LinkRefusal::Sources));
    assert_eq!(report.counters, [Counter::Passthrough("link_sources")]);
    assert!(
        report
            .log
            .iter()
            .any(|l| l.starts_with("passthrough: link_sources")),
        "{report:?}"
    );
    assert!(
        !env.path("prog").exists(),
        "compile() must not run a passthrough itself"
    );
    let done = cache.run_uncached(&compiler, &link);
    assert_eq!(done.status, 0, "{}", String::from_utf8_lossy(&done.stderr));
    let run = env.call(&env.path("prog"), &[]).run();
    run.success();
    assert_eq!(run.stdout_text(), "linked\n");
    env.assert_counters(&[("miss", 1), ("passthrough_link_sources", 1)]);

    let objects = request(&env, "gcc", &["main.o", "-o", "prog2"]);
    match cache.compile(&objects) {
        Ok(Outcome::Completed(done)) => assert_eq!(done.status, 0, "{done:?}"),
        other => panic!("a link of objects is cached, got {other:?}"),
    }
    assert_eq!(
        fs::read(env.path("prog2")).unwrap(),
        fs::read(env.path("prog")).unwrap()
    );
    env.assert_counters(&[
        ("miss", 1),
        ("passthrough_link_sources", 1),
        ("link_miss", 1),
    ]);
}

#[test]
fn missing_compiler_is_compiler_not_found() {
    let env = TestEnv::new();
    env.write("a.c", "int a;\n");
    let cache = open_cache(&env);
    for compiler in ["zcc-test-no-such-compiler", "/nonexistent/dir/gcc"] {
        let req = request(&env, compiler, &["-c", "a.c", "-o", "a.o"]);
        match cache.compile(&req) {
            Err(CompileError::CompilerNotFound(message)) => {
                assert!(!message.is_empty(), "{compiler}")
            }
            other => panic!("{compiler}: expected CompilerNotFound, got {other:?}"),
        }
    }
    assert!(!env.path("a.o").exists());
    env.assert_counters(&[]);
}

#[test]
fn embed_example_builds_the_fixture_project_then_serves_it_from_the_cache() {
    let env = TestEnv::new();
    copy_tree(&repo_root().join("fixtures/host-project"), &env.path("hp"));
    let dir = env.path("hp/src");
    let cache = open_cache(&env);
    let names = |results: &[embed::FileResult]| -> Vec<String> {
        results
            .iter()
            .map(|r| r.source.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };

    let first = embed::compile_all(&cache, &dir, &env.path("out1"), 2).unwrap();
    assert_eq!(
        names(&first),
        ["checksum.c", "main.cpp", "report.cpp", "ring.c"]
    );
    let second = embed::compile_all(&cache, &dir, &env.path("out2"), 2).unwrap();
    assert_eq!(names(&second), names(&first));

    for (one, two) in first.iter().zip(&second) {
        let name = one.source.file_name().unwrap().to_string_lossy();
        assert!(
            matches!(one.how, embed::How::Cached(Served::Miss)),
            "{name}: first build {:?}\n{}",
            one.how,
            env.log_tail()
        );
        assert!(
            matches!(
                two.how,
                embed::How::Cached(Served::DirectHit | Served::PreprocessedHit)
            ),
            "{name}: second build {:?}\n{}",
            two.how,
            env.log_tail()
        );
        assert_eq!((one.status, two.status), (0, 0), "{name}");
        // The plain compiler, given the same command.
        let (compiler, args) = embed::command(&dir, &env.path("plain"), &one.source);
        env.mkdir("plain");
        let args: Vec<&str> = std::iter::once(compiler)
            .chain(args.iter().map(|a| a.to_str().unwrap()))
            .collect();
        // The example passes this process's environment, so its locale too.
        let plain = match std::env::var_os("LC_ALL") {
            Some(v) => env.plain(&args).env("LC_ALL", v),
            None => env.plain(&args).env_remove("LC_ALL"),
        }
        .run();
        plain.success();
        let object = format!("plain/{name}.o");
        for r in [one, two] {
            assert_bytes_eq(
                &r.object.display().to_string(),
                plain.output(&object),
                &fs::read(&r.object).unwrap(),
            );
            assert_bytes_eq(&format!("stderr of {name}"), &plain.stderr, &r.stderr);
        }
    }
    assert!(
        !first[0].stderr.is_empty(),
        "checksum.c warns on purpose; the warning must be reported"
    );
    assert!(Path::new(&env.path("out2/ring.c.o")).is_file());
}

#[test]
fn each_call_reports_its_counters_and_the_lines_it_logged() {
    let env = TestEnv::new();
    env.write("f.c", "int f(void) { return 1; }\n");
    let cache = open_cache(&env);
    let req = request(&env, "gcc", &["-c", "f.c", "-o", "f.o"]);
    let miss = cache.compile(&req).expect("compiles");
    let hit = cache.compile(&req).expect("compiles");
    assert_eq!(miss.report().counters, [Counter::Miss], "{miss:?}");
    assert_eq!(hit.report().counters, [Counter::DirectHit], "{hit:?}");
    for (outcome, first_line) in [(&miss, "miss f.c: "), (&hit, "direct_hit ")] {
        let log = &outcome.report().log;
        assert!(log.iter().any(|l| l.starts_with(first_line)), "{log:?}");
    }
    // The report holds the lines ZCC_LOGFILE received, in order, without their stamps.
    let logged: Vec<String> = fs::read_to_string(&env.log)
        .expect("log written")
        .lines()
        .map(|l| l.split_once("] ").expect("stamped line").1.to_string())
        .collect();
    let reported: Vec<String> = [&miss, &hit]
        .iter()
        .flat_map(|o| o.report().log.clone())
        .collect();
    assert_eq!(logged, reported);
}

#[test]
fn a_read_only_cache_writes_nothing_while_another_cache_in_the_process_writes() {
    let env = TestEnv::new();
    env.write("f.c", "int f(void) { return 1; }\n");
    let read_only_store = env.root.join("read-only-store");
    let read_only = Cache::open(Config {
        readonly: true,
        ..Config::defaults(read_only_store.clone())
    });
    // Opened after the read-only one: its settings must not leak into the other's calls.
    let writable = open_cache(&env);
    let req = request(&env, "gcc", &["-c", "f.c", "-o", "f.o"]);
    let stored = writable.compile(&req).expect("compiles");
    let served = read_only.compile(&req).expect("compiles");
    assert_eq!(stored.report().counters, [Counter::Miss]);
    assert_eq!(
        served.report().counters,
        [Counter::Miss, Counter::NotStoredReadonly]
    );
    let written = files_under(&read_only_store.join("v1"));
    assert!(
        written.is_empty(),
        "the read-only store was written: {written:?}"
    );
}
