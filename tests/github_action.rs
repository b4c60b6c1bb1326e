//! The CI recipe of docs/CI_CACHE.md, run outside GitHub: the setup-zcc action's script with
//! GitHub's environment files emulated, the workflow's own build step (read from
//! .github/workflows/ci.yml), the store archived as actions/cache does, and a second "runner"
//! with other paths restoring it: every compile a hit, the same firmware.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// `KEY=value` lines of a GitHub environment/output file.
fn key_values(file: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
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
    fn set_up(env: &TestEnv, root: &Path, workspace_rel: &str) -> Runner {
        let temp = root.join("runner-temp");
        let workspace = root.join(workspace_rel);
        std::fs::create_dir_all(&temp).unwrap();
        copy_tree(
            &repo_root().join("fixtures/arduino-sketch"),
            &workspace.join("fixtures/arduino-sketch"),
        );
        let files = ["GITHUB_PATH", "GITHUB_ENV", "GITHUB_OUTPUT"].map(|f| (f, root.join(f)));
        let script = repo_root().join(".github/actions/setup-zcc/setup.sh");
        let mut call = env
            .call(Path::new("bash"), &[script.to_str().unwrap()])
            .timeout(std::time::Duration::from_secs(900));
        call.cmd
            .current_dir(&workspace)
            .env("ZCC_SRC", repo_root())
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
        call.run().success();
        let added = std::fs::read_to_string(&files[0].1).unwrap();
        let path = format!(
            "{}:{}",
            added.trim_end().replace('\n', ":"),
            std::env::var("PATH").unwrap()
        );
        Runner {
            env: key_values(&files[1].1),
            outputs: key_values(&files[2].1),
            temp,
            workspace,
            path,
        }
    }

    fn store_path(&self) -> PathBuf {
        PathBuf::from(&self.outputs["store-path"])
    }

    /// Runs a workflow `run:` script the way GitHub does (bash -e, the action's env and PATH).
    fn run_step(&self, env: &TestEnv, script: &str) -> Run {
        let mut call = env
            .call(Path::new("bash"), &["-e", "-c", script])
            .timeout(std::time::Duration::from_secs(600));
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
    let workflow = std::fs::read_to_string(repo_root().join(".github/workflows/ci.yml")).unwrap();
    let build = step_script(&workflow, "Build the sketch through zcc");
    assert!(build.contains("zcc avr-gcc"), "{build}");

    // Runner A: empty store, every compile a miss; then "actions/cache/save".
    let a = Runner::set_up(&env, &env.root.join("a"), "work/project");
    assert_eq!(a.outputs["format-version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(a.env["ZCC_DIR"], a.outputs["store-path"]);
    assert!(a.store_path().starts_with(&a.temp));
    a.run_step(&env, &build);
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
    let b = Runner::set_up(&env, &env.root.join("b/other"), "elsewhere/deeper/checkout");
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
    let restored = b.counters(&env);
    let hits = restored.get("direct_hit").copied().unwrap_or(0)
        + restored.get("preprocessed_hit").copied().unwrap_or(0);
    assert_eq!(
        (hits, restored.get("miss").copied().unwrap_or(0)),
        (compiles, 0),
        "{restored:?}"
    );
    assert_bytes_eq(
        "firmware.hex (runner B, from the restored store)",
        &hex_a,
        &std::fs::read(b.temp.join("sketch-build/firmware.hex")).unwrap(),
    );
}

#[test]
fn the_workflow_and_the_action_pass_actionlint() {
    let actionlint = std::env::var_os("ZCC_TEST_ACTIONLINT")
        .map(PathBuf::from)
        .or_else(|| find_in_path("actionlint"))
        .expect("actionlint not found: `bash .ci/run` installs it (ZCC_TEST_ACTIONLINT)");
    // actionlint reads the local action's action.yml through the workflow's `uses:`.
    let out = std::process::Command::new(actionlint)
        .arg(".github/workflows/ci.yml")
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
