//! The CI recipe of docs/CI_CACHE.md, run outside GitHub: the setup-zcc action's script with
//! GitHub's environment files emulated, the workflow's own build step (read from
//! .github/workflows/ci.yml), the store archived as actions/cache does, and a second "runner"
//! with other paths restoring it: every compile a hit, the same firmware. And the release
//! path: release.yml's own pack and checksum steps make a release, served from loopback, that
//! the action installs (checksum checked), as it does from any repository.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The `run: |` block of the step called `name` in a workflow file.
fn step_script(workflow: &str, name: &str) -> String {
    let mut lines = workflow
        .lines()
        .skip_while(|l| !l.trim_end().ends_with(&format!("- name: {name}")));
    lines
        .next()
        .unwrap_or_else(|| panic!("no step named {name}"));
    let run = lines
        .find(|l| l.trim_start().starts_with("run: |"))
        .unwrap_or_else(|| panic!("step {name} has no `run: |` block"));
    let indent = run.len() - run.trim_start().len();
    let body: Vec<&str> = lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .collect();
    let strip = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    body.iter()
        .map(|l| l.get(strip..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn workflow(name: &str) -> String {
    std::fs::read_to_string(repo_root().join(".github/workflows").join(name)).unwrap()
}

/// `KEY=value` lines of a GitHub environment/output file.
fn key_values(file: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// How the action gets zcc: the script to run (the repository's own, or a copy laid out as
/// GitHub checks out an action of another repository) and its inputs.
struct Install {
    script: PathBuf,
    inputs: Vec<(&'static str, OsString)>,
}

impl Install {
    /// `path: <this checkout>`: build with install.sh.
    fn from_checkout() -> Install {
        Install {
            script: repo_root().join(".github/actions/setup-zcc/setup.sh"),
            inputs: vec![("ZCC_SRC", repo_root().into())],
        }
    }
}

/// One runner: its temp dir, workspace and the state the action left.
struct Runner {
    temp: PathBuf,
    workspace: PathBuf,
    path: String,
    env: BTreeMap<String, String>,
    outputs: BTreeMap<String, String>,
}

impl Runner {
    /// A fresh runner under `root` with the sketch checked out at `workspace_rel`, set up by
    /// the action's script.
    fn set_up(env: &TestEnv, root: &Path, workspace_rel: &str, install: &Install) -> Runner {
        let (run, runner) = Runner::try_set_up(env, root, workspace_rel, install);
        run.success();
        runner
    }

    /// [`Runner::set_up`], returning the script's run whatever its outcome.
    fn try_set_up(
        env: &TestEnv,
        root: &Path,
        workspace_rel: &str,
        install: &Install,
    ) -> (Run, Runner) {
        let temp = root.join("runner-temp");
        let workspace = root.join(workspace_rel);
        std::fs::create_dir_all(&temp).unwrap();
        copy_tree(
            &repo_root().join("fixtures/arduino-sketch"),
            &workspace.join("fixtures/arduino-sketch"),
        );
        let files = ["GITHUB_PATH", "GITHUB_ENV", "GITHUB_OUTPUT"].map(|f| (f, root.join(f)));
        let mut call = env
            .call(Path::new("bash"), &[install.script.to_str().unwrap()])
            .timeout(Duration::from_secs(900));
        call.cmd.envs(install.inputs.iter().cloned());
        call.cmd
            .current_dir(&workspace)
            .env("ZCC_STORE_INPUT", "")
            .env("RUNNER_TEMP", &temp)
            .env("HOME", root.join("home"))
            .env("CARGO_TARGET_DIR", install_target_dir());
        // HOME is the runner's; rustup's toolchains and cargo's registry stay the real ones.
        let real_home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default();
        for (var, default) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
            let value = std::env::var_os(var)
                .map(PathBuf::from)
                .unwrap_or_else(|| real_home.join(default));
            call.cmd.env(var, value);
        }
        for (name, file) in &files {
            call.cmd.env(name, file);
        }
        let run = call.run();
        let added = std::fs::read_to_string(&files[0].1).unwrap_or_default();
        let path = format!(
            "{}:{}",
            added.trim_end().replace('\n', ":"),
            std::env::var("PATH").unwrap()
        );
        let runner = Runner {
            env: key_values(&files[1].1),
            outputs: key_values(&files[2].1),
            temp,
            workspace,
            path,
        };
        (run, runner)
    }

    fn store_path(&self) -> PathBuf {
        PathBuf::from(&self.outputs["store-path"])
    }

    /// Runs a workflow `run:` script the way GitHub does (bash -e, the action's env and PATH).
    fn run_step(&self, env: &TestEnv, script: &str) -> Run {
        let mut call = env
            .call(Path::new("bash"), &["-e", "-c", script])
            .timeout(Duration::from_secs(600));
        call.cmd
            .current_dir(&self.workspace)
            .env("PATH", &self.path)
            .env("RUNNER_TEMP", &self.temp)
            .env("ZCC_READONLY", "0");
        for (k, v) in &self.env {
            call.cmd.env(k, v);
        }
        let run = call.run();
        run.success();
        run
    }

    fn counters(&self, env: &TestEnv) -> BTreeMap<String, u64> {
        let run = self.run_step(env, "zcc stats --json");
        let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        json["counters"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect()
    }
}

#[test]
fn setup_action_and_build_step_then_the_restored_store_hits_on_another_runner() {
    require_arduino();
    require_tool("make");
    require_tool("tar");
    let env = TestEnv::new();
    let ci = workflow("ci.yml");
    let build = step_script(&ci, "Build the sketch through zcc");
    // The trim keeps what the job used: on both runners, everything.
    let trim = step_script(&ci, "Keep only what this job used");
    assert!(build.contains("zcc avr-gcc"), "{build}");

    // Runner A: empty store, every compile a miss; then "actions/cache/save".
    let a = Runner::set_up(
        &env,
        &env.root.join("a"),
        "work/project",
        &Install::from_checkout(),
    );
    assert_eq!(a.outputs["format-version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(a.env["ZCC_DIR"], a.outputs["store-path"]);
    assert!(a.store_path().starts_with(&a.temp));
    a.run_step(&env, &build);
    a.run_step(&env, &trim);
    let filled = a.counters(&env);
    let compiles = filled["miss"];
    assert_eq!(compiles, 27, "{filled:?}");
    let hex_a = std::fs::read(a.temp.join("sketch-build/firmware.hex")).unwrap();
    let archive = env.root.join("cache.tar");
    let tar = std::process::Command::new("tar")
        .arg("-cf")
        .arg(&archive)
        .arg("-C")
        .arg(a.store_path())
        .arg(".")
        .status()
        .unwrap();
    assert!(tar.success());

    // Runner B: other paths everywhere; "actions/cache/restore", then the same build.
    let b = Runner::set_up(
        &env,
        &env.root.join("b/other"),
        "elsewhere/deeper/checkout",
        &Install::from_checkout(),
    );
    assert_ne!(a.store_path(), b.store_path());
    let untar = std::process::Command::new("tar")
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(b.store_path())
        .status()
        .unwrap();
    assert!(untar.success());
    b.run_step(&env, &build);
    b.run_step(&env, &trim);
    let restored = b.counters(&env);
    let hits = restored.get("direct_hit").copied().unwrap_or(0)
        + restored.get("preprocessed_hit").copied().unwrap_or(0);
    assert_eq!(
        (hits, restored.get("miss").copied().unwrap_or(0)),
        (compiles, 0),
        "{restored:?}"
    );
    let entries = |runner: &Runner| -> Vec<PathBuf> {
        files_under(&runner.store_path())
            .into_iter()
            .filter(|f| f.starts_with("v1/results") || f.starts_with("v1/manifests"))
            .collect()
    };
    assert_eq!(
        entries(&b),
        entries(&a),
        "the trim kept what runner B used: {restored:?}"
    );
    assert_bytes_eq(
        "firmware.hex (runner B, from the restored store)",
        &hex_a,
        &std::fs::read(b.temp.join("sketch-build/firmware.hex")).unwrap(),
    );
}

#[test]
fn the_workflows_and_the_action_pass_actionlint() {
    let actionlint = std::env::var_os("ZCC_TEST_ACTIONLINT")
        .map(PathBuf::from)
        .or_else(|| find_in_path("actionlint"))
        .expect("actionlint not found: `bash .ci/run` installs it (ZCC_TEST_ACTIONLINT)");
    // actionlint reads the local action's action.yml through the workflow's `uses:`.
    let out = std::process::Command::new(actionlint)
        .args([".github/workflows/ci.yml", ".github/workflows/release.yml"])
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The release target triple setup.sh picks on this machine.
fn host_target() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-gnu",
        ("linux", "aarch64") => "aarch64-unknown-linux-gnu",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        other => panic!("no zcc release target for {other:?}"),
    }
}

/// Runs release.yml's own "Pack the executable" and "Write SHA256SUMS" steps on the zcc under
/// test (put where the build step leaves it) in `workspace`; returns the release directory.
fn make_release(env: &TestEnv, workspace: &Path) -> PathBuf {
    let built = workspace.join("target").join(host_target()).join("release");
    std::fs::create_dir_all(&built).unwrap();
    std::fs::copy(ZCC, built.join("zcc")).unwrap();
    let release = workflow("release.yml");
    for step in ["Pack the executable", "Write SHA256SUMS"] {
        let script = step_script(&release, step);
        let mut call = env.call(Path::new("bash"), &["-e", "-c", &script]);
        call.cmd.current_dir(workspace).env("TARGET", host_target());
        call.run().success();
    }
    workspace.join("dist")
}

/// A file server on loopback: `GET <prefix>/<name>` answers `<dir>/<name>`, anything else is
/// a 404. Returns the server's base URL (`http://127.0.0.1:<port>`) and the paths asked for.
fn serve(prefix: &str, dir: &Path) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let (prefix, dir, log) = (format!("{prefix}/"), dir.to_path_buf(), asked.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap_or_default();
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = request.split(' ').nth(1).unwrap_or("").to_string();
            log.lock().unwrap().push(path.clone());
            let body = path
                .strip_prefix(&prefix)
                .filter(|name| !name.contains('/') && !name.starts_with('.'))
                .and_then(|name| std::fs::read(dir.join(name)).ok());
            let (status, body) = match body {
                Some(body) => ("200 OK", body),
                None => ("404 Not Found", b"not found\n".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    (base, asked)
}

fn release_inputs(version: &str, url: &str) -> Vec<(&'static str, OsString)> {
    vec![
        ("ZCC_SRC", "".into()),
        ("ZCC_VERSION", version.into()),
        ("ZCC_RELEASE_BASE_URL", url.into()),
    ]
}

#[test]
fn the_action_installs_a_release_from_loopback_and_refuses_a_bad_checksum() {
    require_tool("gcc");
    require_tool("curl");
    let env = TestEnv::new();
    let version = env!("CARGO_PKG_VERSION");
    let dist = make_release(&env, &env.root.join("release"));
    let archive = format!("zcc-{version}-{}.tar.gz", host_target());
    let listing = std::process::Command::new("tar")
        .arg("-tzf")
        .arg(dist.join(&archive))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&listing.stdout), "zcc\n");
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    assert!(sums.contains(&format!("  {archive}\n")), "{sums}");

    let (base, asked) = serve("/mirror/zcc", &dist);
    let install = Install {
        script: repo_root().join(".github/actions/setup-zcc/setup.sh"),
        inputs: release_inputs(version, &format!("{base}/mirror/zcc")),
    };
    let started = Instant::now();
    let runner = Runner::set_up(&env, &env.root.join("runner"), "firmware", &install);
    eprintln!(
        "setup-zcc installed zcc {version} from {base} in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        *asked.lock().unwrap(),
        [
            "/mirror/zcc/SHA256SUMS".to_string(),
            format!("/mirror/zcc/{archive}")
        ]
    );
    let installed = runner.temp.join("zcc-install/bin/zcc");
    assert_eq!(runner.env["ZCC_BIN"], installed.to_str().unwrap());
    assert_bytes_eq(
        "the installed zcc",
        &std::fs::read(ZCC).unwrap(),
        &std::fs::read(&installed).unwrap(),
    );
    assert_eq!(runner.outputs["format-version"], version);
    let start = runner.env["ZCC_JOB_START"].strip_prefix('@').unwrap();
    assert!(start.parse::<u64>().is_ok(), "{start}");

    // On PATH, and caching: a compile, then the same compile again.
    std::fs::write(
        runner.workspace.join("blink.c"),
        "int blink(int n) { return n * 2; }\n",
    )
    .unwrap();
    let compile = "test \"$(command -v zcc)\" = \"$ZCC_BIN\"\n\
                   zcc gcc -O2 -c blink.c -o blink.o";
    runner.run_step(&env, compile);
    runner.run_step(&env, compile);
    let counters = runner.counters(&env);
    assert_eq!(
        (counters["miss"], counters["direct_hit"]),
        (1, 1),
        "{counters:?}"
    );

    // An archive that does not match SHA256SUMS fails the step and installs nothing.
    let bad = env.root.join("bad-release");
    copy_tree(&dist, &bad);
    let mut bytes = std::fs::read(bad.join(&archive)).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    std::fs::write(bad.join(&archive), bytes).unwrap();
    let (bad_base, _) = serve("/bad", &bad);
    let install = Install {
        script: install.script,
        inputs: release_inputs(version, &format!("{bad_base}/bad")),
    };
    let (run, runner) = Runner::try_set_up(&env, &env.root.join("bad-runner"), "fw", &install);
    assert_eq!(run.code, Some(1), "{}", run.stdout_text());
    assert!(
        run.stdout_text().contains("does not match SHA256SUMS"),
        "{}",
        run.stdout_text()
    );
    assert!(!runner.temp.join("zcc-install").exists());
    assert!(
        runner.env.is_empty() && runner.outputs.is_empty(),
        "{:?} {:?}",
        runner.env,
        runner.outputs
    );
}

/// `uses: <owner>/zcc/.github/actions/setup-zcc@<ref>` from another repository: GitHub checks
/// the action's repository out under `_actions/<owner>/<name>/<ref>/`; with no inputs the
/// action installs its own version from that repository's GitHub release.
#[test]
fn the_action_from_another_repository_installs_its_own_release_by_default() {
    require_tool("curl");
    let env = TestEnv::new();
    let version = env!("CARGO_PKG_VERSION");
    let dist = make_release(&env, &env.root.join("release"));
    let checkout = env
        .root
        .join(format!("actions/_actions/acme/zcc/v{version}"));
    let action = checkout.join(".github/actions/setup-zcc");
    copy_tree(&repo_root().join(".github/actions/setup-zcc"), &action);
    std::fs::copy(repo_root().join("Cargo.toml"), checkout.join("Cargo.toml")).unwrap();
    let (base, asked) = serve(&format!("/acme/zcc/releases/download/v{version}"), &dist);
    let install = Install {
        script: action.join("setup.sh"),
        inputs: vec![
            ("ZCC_SRC", "".into()),
            ("ZCC_VERSION", "".into()),
            ("ZCC_RELEASE_BASE_URL", "".into()),
            ("GITHUB_SERVER_URL", base.into()),
            ("GITHUB_REPOSITORY", "someone/firmware".into()),
        ],
    };
    let runner = Runner::set_up(&env, &env.root.join("runner"), "firmware", &install);
    assert_eq!(runner.outputs["format-version"], version);
    let archive = format!("zcc-{version}-{}.tar.gz", host_target());
    assert!(
        asked
            .lock()
            .unwrap()
            .contains(&format!("/acme/zcc/releases/download/v{version}/{archive}")),
        "{asked:?}"
    );
}

/// docs/CI_CACHE.md shows the `sketch` job's steps as they are in ci.yml, verbatim.
#[test]
fn the_ci_cache_doc_shows_the_workflows_own_steps() {
    let doc = std::fs::read_to_string(repo_root().join("docs/CI_CACHE.md")).unwrap();
    let blocks: Vec<&str> = doc
        .split("```yaml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .collect();
    let steps = blocks
        .iter()
        .find(|block| block.contains("- name: Set up zcc"))
        .expect("CI_CACHE.md has a yaml block with the sketch job's steps");
    assert!(steps.contains("zcc gc --unused-since"), "{steps}");
    let ci = workflow("ci.yml");
    assert!(
        ci.contains(steps),
        "CI_CACHE.md's steps are not ci.yml's:\n{steps}"
    );
}
