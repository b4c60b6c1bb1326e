//! Many zcc processes on one store at once (`make -j`): every compile succeeds
//! with the right object, no internal errors, and afterwards all are hits.

mod common;
use common::*;

const N: usize = 8;

fn source(i: usize) -> String {
    format!(
        "#include <stdio.h>\nint value_{i}(void) {{ return {i} * 3; }}\n\
         void print_{i}(void) {{ printf(\"%d\\n\", value_{i}()); }}\n"
    )
}

/// Runs all `commands` through zcc at the same time; asserts each exits 0.
fn run_all_at_once(env: &TestEnv, commands: &[Vec<String>]) {
    let running: Vec<Running> = commands
        .iter()
        .map(|args| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            env.zcc(&args).spawn()
        })
        .collect();
    for run in running {
        let run = run.wait();
        run.success();
        assert!(run.stderr.is_empty(), "{}: {}", run.what, run.stderr_text());
    }
}

fn no_errors(env: &TestEnv) {
    let stats = env.stats();
    let errors: Vec<_> = stats
        .iter()
        .filter(|(k, v)| k.starts_with("error_") && **v > 0)
        .collect();
    assert!(
        errors.is_empty(),
        "internal errors counted: {errors:?}\n{}",
        env.log_tail()
    );
}

#[test]
fn eight_processes_compiling_the_same_file_into_one_store() {
    let env = TestEnv::new();
    env.write("same.c", source(0));
    let plain = env
        .plain(&["gcc", "-O2", "-c", "same.c", "-o", "plain.o"])
        .run();
    plain.success();
    let commands: Vec<Vec<String>> = (0..N)
        .map(|i| {
            ["gcc", "-O2", "-c", "same.c", "-o", &format!("out{i}.o")]
                .map(String::from)
                .to_vec()
        })
        .collect();
    run_all_at_once(&env, &commands);
    for i in 0..N {
        assert_bytes_eq(
            &format!("out{i}.o"),
            plain.output("plain.o"),
            &env.read(&format!("out{i}.o")),
        );
    }
    no_errors(&env);
    let first_round = env.counter("miss") + env.hits();
    assert_eq!(
        first_round,
        N as u64,
        "each call is a miss or a hit: {:?}",
        env.stats()
    );
    let hits = env.hits();
    for i in 0..N {
        std::fs::remove_file(env.path(&format!("out{i}.o"))).unwrap();
    }
    run_all_at_once(&env, &commands);
    assert_eq!(
        env.hits(),
        hits + N as u64,
        "second round: all hits\n{:?}",
        env.stats()
    );
    for i in 0..N {
        assert_bytes_eq(
            &format!("out{i}.o"),
            plain.output("plain.o"),
            &env.read(&format!("out{i}.o")),
        );
    }
    no_errors(&env);
}

#[test]
fn eight_processes_compiling_different_files_into_one_store() {
    let env = TestEnv::new();
    let mut expected = Vec::new();
    for i in 0..N {
        env.write(&format!("f{i}.c"), source(i));
        let run = env
            .plain(&["gcc", "-O2", "-c", &format!("f{i}.c"), "-o", "plain.o"])
            .run();
        run.success();
        expected.push(run.output("plain.o").to_vec());
    }
    let commands: Vec<Vec<String>> = (0..N)
        .map(|i| {
            [
                "gcc",
                "-O2",
                "-c",
                &format!("f{i}.c"),
                "-o",
                &format!("f{i}.o"),
            ]
            .map(String::from)
            .to_vec()
        })
        .collect();
    run_all_at_once(&env, &commands);
    for (i, want) in expected.iter().enumerate() {
        assert_bytes_eq(&format!("f{i}.o"), want, &env.read(&format!("f{i}.o")));
    }
    no_errors(&env);
    env.assert_counters(&[("miss", N as u64)]);
    run_all_at_once(&env, &commands);
    env.assert_counters(&[("miss", N as u64), ("hit", N as u64)]);
    for (i, want) in expected.iter().enumerate() {
        assert_bytes_eq(&format!("f{i}.o"), want, &env.read(&format!("f{i}.o")));
    }
}
