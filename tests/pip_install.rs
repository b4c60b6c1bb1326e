//! `pip install .` (pyproject.toml, maturin's binary packaging) into a fresh virtual
//! environment gives a working `zcc` in its scripts directory: it caches a real compile.
//!
//! Offline: the build backend is the maturin that `bash .ci/run` installs into its tools venv
//! (ZCC_TEST_MATURIN), used through `--no-build-isolation`.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[test]
fn pip_install_of_the_checkout_puts_a_working_zcc_in_the_environment() {
    require_tool("gcc");
    require_tool("python3");
    let maturin = std::env::var_os("ZCC_TEST_MATURIN")
        .map(PathBuf::from)
        .or_else(|| find_in_path("maturin"))
        .expect("maturin not found: `bash .ci/run` installs it (ZCC_TEST_MATURIN)");
    let tools = maturin.parent().unwrap();
    // Where the maturin package lives, for the build backend to import it.
    let site = std::process::Command::new(tools.join("python"))
        .args([
            "-c",
            "import maturin, os; print(os.path.dirname(os.path.dirname(maturin.__file__)))",
        ])
        .output()
        .unwrap();
    assert!(site.status.success(), "{site:?}");
    let site = String::from_utf8(site.stdout).unwrap();

    let env = TestEnv::new();
    let venv = env.root.join("venv");
    env.call(
        Path::new("python3"),
        &["-m", "venv", venv.to_str().unwrap()],
    )
    .run()
    .success();
    let pip = venv.join("bin/pip");
    let mut install = env
        .call(
            &pip,
            &[
                "install",
                "--no-index",
                "--no-build-isolation",
                "--disable-pip-version-check",
                repo_root().to_str().unwrap(),
            ],
        )
        .timeout(Duration::from_secs(1200));
    let path = format!("{}:{}", tools.display(), std::env::var("PATH").unwrap());
    install
        .cmd
        .env("PYTHONPATH", site.trim())
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", install_target_dir());
    // Under `bash .ci/run` (scripts/static-link.sh exported the target and its flags), build
    // as install.sh does, so that the release build of the install tests (tests/github_action.rs,
    // tests/install_script.rs) is reused.
    if let Some(target) = std::env::var_os("ZCC_TARGET") {
        let mut args = std::ffi::OsString::from("--target ");
        args.push(target);
        install.cmd.env("MATURIN_PEP517_ARGS", args);
    }
    let started = Instant::now();
    install.run().success();
    eprintln!(
        "pip install . took {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let zcc = venv.join("bin/zcc");
    let version = env.call(&zcc, &["--version"]).run();
    version.success();
    assert_eq!(
        version.stdout_text(),
        format!("zcc {}\n", env!("CARGO_PKG_VERSION"))
    );
    env.write("wheel.c", "int wheel(int n) { return n + 1; }\n");
    let plain = env
        .plain(&["gcc", "-O2", "-c", "wheel.c", "-o", "wheel.o"])
        .run();
    plain.success();
    for _ in 0..2 {
        let mut call = env.call(&zcc, &["gcc", "-O2", "-c", "wheel.c", "-o", "wheel.o"]);
        env.zcc_env(&mut call.cmd);
        let run = call.run();
        run.success();
        assert_bytes_eq("wheel.o", plain.output("wheel.o"), run.output("wheel.o"));
    }
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
}
