//! The store is input from strangers (a CI cache that pull requests wrote, a shared remote):
//! crafted entries with valid checksums and files planted in the store never make zcc touch a
//! file outside the store and the outputs the call asked for, break a build, run anything or
//! exhaust memory. Each test plants what an attacker could and checks the victim file, the
//! build's result against a plain compile, or both.

mod common;
use common::*;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use std::time::{Duration, SystemTime};
use zcc::entry::Entry;
use zcc::store::{Key, Kind, decode_entry, encode_entry};

const SOURCE: &str = "int answer(void) { return 42; }\n";

/// A file outside the store that an attacker wants destroyed.
fn victim(env: &TestEnv, name: &str) -> PathBuf {
    let dir = env.root.join("outside");
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    fs::write(&path, b"precious").unwrap();
    path
}

fn assert_intact(path: &Path) {
    assert_eq!(
        fs::read(path).unwrap_or_default(),
        b"precious",
        "{} was changed through the store",
        path.display()
    );
}

/// Replace `link` (a file or directory in the store) with a symlink to `target`.
fn plant_link(link: &Path, target: &Path) {
    if fs::symlink_metadata(link).is_ok_and(|m| m.is_dir()) {
        fs::remove_dir_all(link).unwrap();
    } else {
        let _ = fs::remove_file(link);
    }
    fs::create_dir_all(link.parent().unwrap()).unwrap();
    symlink(target, link).unwrap();
}

/// Files under `dir` whose name starts with `prefix` (not following links).
fn named(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// The key an entry file is named after (64 hex digits).
fn key_of(file: &Path) -> Key {
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&name[2 * i..2 * i + 2], 16).unwrap();
    }
    key
}

/// The result entries in the store, with their keys.
fn results(env: &TestEnv) -> Vec<(Key, PathBuf)> {
    let mut out = Vec::new();
    for fanout in named(&env.store.join("v1/results"), "") {
        for file in named(&fanout, "") {
            out.push((key_of(&file), file));
        }
    }
    assert!(!out.is_empty(), "no result entry in the store");
    out
}

/// Rewrite every result entry with `edit`, re-signed with a valid checksum (what an attacker
/// who can write the store or a remote can always do: the checksum is not a signature).
fn forge_results(env: &TestEnv, edit: impl Fn(&mut Entry)) {
    for (key, path) in results(env) {
        let payload = decode_entry(Kind::Result, &key, &fs::read(&path).unwrap()).unwrap();
        let mut entry = Entry::decode(&payload).unwrap();
        edit(&mut entry);
        fs::write(&path, encode_entry(Kind::Result, &key, &entry.encode())).unwrap();
    }
}

const COMPILE: [&str; 6] = ["gcc", "-O2", "-c", "a.c", "-o", "a.o"];

/// A store holding the result of [`COMPILE`].
fn filled_store() -> TestEnv {
    let env = TestEnv::new();
    env.write("a.c", SOURCE);
    env.assert_zcc_matches_plain(&COMPILE);
    env
}

// ---------------------------------------------------------------- 1: planted symlinks

#[test]
fn gc_and_trim_never_delete_through_a_symlinked_aux_directory() {
    let env = filled_store();
    let outside = victim(&env, "old-file");
    set_mtime(
        &outside,
        SystemTime::now() - Duration::from_secs(30 * 86_400),
    );
    plant_link(&env.store.join("v1/aux"), outside.parent().unwrap());
    let run = env.zcc(&["gc", "--older-than", "1d"]).run();
    run.success();
    assert_intact(&outside);
    // The automatic trim of a store over its limit walks the same way.
    plant_link(&env.store.join("v1/aux"), outside.parent().unwrap());
    env.write("b.c", "int b(void) { return 2; }\n");
    env.zcc(&["gcc", "-c", "b.c", "-o", "b.o"])
        .env("ZCC_MAXSIZE", "1k")
        .run()
        .success();
    assert_intact(&outside);
}

#[test]
fn gc_never_walks_a_symlinked_fanout_directory() {
    let env = filled_store();
    let outside = victim(
        &env,
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    );
    set_mtime(
        &outside,
        SystemTime::now() - Duration::from_secs(30 * 86_400),
    );
    plant_link(&env.store.join("v1/results/zz"), outside.parent().unwrap());
    env.zcc(&["gc", "--older-than", "1d"]).run().success();
    assert_intact(&outside);
}

#[test]
fn a_symlinked_size_marker_is_not_written_through() {
    let env = filled_store();
    let outside = victim(&env, "counted");
    plant_link(&env.store.join("v1/size/counted"), &outside);
    env.write("b.c", "int b(void) { return 2; }\n");
    env.zcc(&["gcc", "-c", "b.c", "-o", "b.o"])
        .env("ZCC_MAXSIZE", "1k")
        .run()
        .success();
    assert_intact(&outside);
}

#[test]
fn symlinked_explain_records_and_stats_shards_are_not_written_through() {
    let env = filled_store();
    let mut victims = Vec::new();
    for (i, record) in named(&env.store.join("v1/aux"), "explain-")
        .into_iter()
        .chain(named(&env.store.join("stats"), "shard-"))
        .enumerate()
    {
        let outside = victim(&env, &format!("v{i}"));
        plant_link(&record, &outside);
        victims.push(outside);
    }
    assert!(victims.len() >= 2, "no explain record or stats shard");
    // Every shard, whichever this call picks.
    for i in 0..16 {
        let shard = env.store.join(format!("stats/shard-{i:02}"));
        if fs::symlink_metadata(&shard).is_err() {
            let outside = victim(&env, &format!("shard{i}"));
            plant_link(&shard, &outside);
            victims.push(outside);
        }
    }
    env.write("a.c", "int answer(void) { return 43; }\n");
    env.assert_zcc_matches_plain(&COMPILE);
    for v in &victims {
        assert_intact(v);
    }
}

#[test]
fn a_symlinked_remote_marker_is_not_written_through() {
    let env = filled_store();
    // Nothing listens on port 9: the tier fails and the call leaves a marker.
    let remote = "redis://127.0.0.1:9";
    env.write("b.c", "int b(void) { return 2; }\n");
    env.zcc(&["gcc", "-c", "b.c", "-o", "b.o"])
        .env("ZCC_REMOTE", remote)
        .run()
        .success();
    let markers = named(&env.store.join("v1/aux"), "remote-down.");
    assert_eq!(markers.len(), 1, "{markers:?}\n{}", env.log_tail());
    let outside = victim(&env, "marker");
    // Old, so the tier is asked again and fails again.
    set_mtime(&outside, SystemTime::now() - Duration::from_secs(3600));
    plant_link(&markers[0], &outside);
    env.write("c.c", "int c(void) { return 3; }\n");
    env.zcc(&["gcc", "-c", "c.c", "-o", "c.o"])
        .env("ZCC_REMOTE", remote)
        .run()
        .success();
    assert_intact(&outside);
}

#[test]
fn a_refused_store_gets_nothing_written_not_even_counters() {
    let env = TestEnv::new();
    env.write("a.c", SOURCE);
    fs::create_dir(&env.store).unwrap();
    fs::set_permissions(&env.store, fs::Permissions::from_mode(0o777)).unwrap();
    // The first call says once why the store is refused (its marker lives outside the store).
    let first = env.zcc(&COMPILE).run();
    first.success();
    assert!(
        first.stderr_text().starts_with("zcc: refusing the store"),
        "{}",
        first.stderr_text()
    );
    // A compile, and a call that passes through (preprocess only).
    for args in [&COMPILE[..], &["gcc", "-E", "a.c", "-o", "a.i"]] {
        let plain = env.plain(args).run();
        let cached = env.zcc(args).run();
        env.assert_same_run(&plain, &cached);
    }
    let inside: Vec<_> = fs::read_dir(&env.store).unwrap().flatten().collect();
    assert!(
        inside.is_empty(),
        "the refused store was written: {:?}",
        inside.iter().map(|e| e.file_name()).collect::<Vec<_>>()
    );
}

#[test]
fn reading_the_counters_of_a_refused_store_writes_nothing() {
    let env = TestEnv::new();
    fs::create_dir_all(env.store.join("stats")).unwrap();
    fs::write(env.store.join("stats/shard-03"), "miss 4\n").unwrap();
    fs::set_permissions(&env.store, fs::Permissions::from_mode(0o777)).unwrap();
    let before = snapshot(&env.store);
    let _ = env.zcc(&["stats", "--json"]).run();
    let zero = env.zcc(&["stats", "--zero"]).run();
    assert_ne!(zero.code, Some(0), "zeroing a refused store's counters");
    assert_eq!(snapshot(&env.store), before);
}

// ---------------------------------------------------------------- 2: unwritable store

/// Run `args` (a shell command line) as user `nobody` in `dir`.
fn as_nobody(dir: &Path, env_vars: &[(&str, &Path)], args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("LC_ALL", "C");
    for (k, v) in env_vars {
        cmd.env(k, v);
    }
    cmd.output().expect("setpriv")
}

#[test]
fn a_store_whose_aux_directory_cannot_be_written_still_compiles() {
    require_tool("setpriv");
    // SAFETY: geteuid cannot fail.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "this test needs root (CI runs as root)"
    );
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
    let work = root.join("work");
    let store = root.join("store");
    fs::create_dir_all(store.join("v1/aux")).unwrap();
    fs::create_dir_all(&work).unwrap();
    fs::write(work.join("a.c"), SOURCE).unwrap();
    let chown = |p: &Path| {
        let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::chown(c.as_ptr(), 65534, 65534) }, 0);
    };
    for p in [&work, &store, &store.join("v1"), &store.join("v1/aux")] {
        chown(p);
    }
    for p in [&store, &store.join("v1")] {
        fs::set_permissions(p, fs::Permissions::from_mode(0o700)).unwrap();
    }
    // The store's own user cannot write its aux directory (a full or read-only disk).
    fs::set_permissions(store.join("v1/aux"), fs::Permissions::from_mode(0o500)).unwrap();
    let plain = as_nobody(&work, &[], &["gcc", "-c", "a.c", "-o", "plain.o"]);
    assert!(plain.status.success());
    for readonly in ["0", "1"] {
        let out = as_nobody(
            &work,
            &[("ZCC_DIR", &store)],
            &[
                "env",
                &format!("ZCC_READONLY={readonly}"),
                ZCC,
                "gcc",
                "-c",
                "a.c",
                "-o",
                "a.o",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "ZCC_READONLY={readonly}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            fs::read(work.join("a.o")).unwrap(),
            fs::read(work.join("plain.o")).unwrap()
        );
        fs::remove_file(work.join("a.o")).unwrap();
    }
}

/// Every file under `dir` with its length and mtime, not following links.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let meta = fs::symlink_metadata(e.path()).unwrap();
            if meta.is_dir() {
                dirs.push(e.path());
            }
            out.push((e.path(), meta.len(), meta.modified().unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn a_read_only_call_never_writes_the_store() {
    let env = filled_store();
    let before = snapshot(&env.store.join("v1"));
    // A miss (new content), a hit, and a miss with another file name.
    env.write("a.c", "int answer(void) { return 43; }\n");
    for _ in 0..2 {
        env.zcc(&COMPILE).env("ZCC_READONLY", "1").run().success();
    }
    env.write("b.c", "int b(void) { return 2; }\n");
    env.zcc(&["gcc", "-c", "b.c", "-o", "b.o"])
        .env("ZCC_READONLY", "1")
        .run()
        .success();
    assert_eq!(snapshot(&env.store.join("v1")), before);
}

/// `zcc <args>` in an address space of 512 MiB: plenty for zcc and a small compile, not for
/// what a bomb asks for (and the machine is shared: a test must not take its memory).
/// Also returns the peak resident memory of the process in KiB (GNU time's `%M`).
fn with_memory_limit(env: &TestEnv, args: &[&str]) -> (Run, u64) {
    require_path("/usr/bin/time");
    require_tool("prlimit");
    let peak = env.root.join("peak-rss");
    let mut call = env.call(Path::new("/usr/bin/time"), &[]);
    env.zcc_env(&mut call.cmd);
    call.cmd
        .args(["-f", "%M", "-o"])
        .arg(&peak)
        .args(["prlimit", "--as=536870912", "--", ZCC])
        .args(args);
    let run = call.run();
    let kib = fs::read_to_string(&peak).unwrap_or_default();
    let kib = kib.lines().last().and_then(|l| l.trim().parse().ok());
    (run, kib.unwrap_or(u64::MAX))
}

/// `zcc <args>` gives what the plain compile gives, with a peak resident memory under
/// 128 MiB.
fn assert_like_plain_in_little_memory(env: &TestEnv, args: &[&str]) {
    let plain = env.plain(args).run();
    let (cached, peak_kib) = with_memory_limit(env, args);
    env.assert_same_run(&plain, &cached);
    assert!(peak_kib < 128 << 10, "peak memory {peak_kib} KiB");
}

// ---------------------------------------------------------------- 3: poisoned dependency files

#[test]
fn a_dependency_file_with_make_functions_is_never_served() {
    let env = TestEnv::new();
    env.write("a.c", SOURCE);
    let args = ["gcc", "-c", "a.c", "-o", "a.o", "-MD"];
    env.assert_zcc_matches_plain(&args);
    for poison in [
        &b"a.o: $(shell touch pwned) a.c\n"[..],
        b"a.o: a.c\n\ttouch pwned\n",
        b"a.o: a.c ; touch pwned\n",
        b"a.o: a.c\ninclude /etc/passwd\n",
        b"a.o: a.c\n$(shell touch pwned):\n",
    ] {
        let roots = zcc::paths::Roots::default();
        let stored = zcc::depfile::store(poison, &roots, Some("a.o"));
        forge_results(&env, |e| e.depfile = stored.clone());
        let plain = env.plain(&args).run();
        let cached = env.zcc(&args).run();
        env.assert_same_run(&plain, &cached);
    }
}

// ---------------------------------------------------------------- 4: decompression bombs

/// A result entry file holding `stored` as its zstd-compressed payload, with a valid header
/// and checksum (the layout in `store.rs`'s module doc).
fn signed_zstd_entry(key: &Key, stored: &[u8]) -> Vec<u8> {
    let mut checksum = blake3::Hasher::new();
    checksum.update(key);
    checksum.update(stored);
    let mut bytes = b"ZCCE".to_vec();
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&[1, 1]);
    bytes.extend_from_slice(&(stored.len() as u64).to_le_bytes());
    bytes.extend_from_slice(checksum.finalize().as_bytes());
    bytes.extend_from_slice(stored);
    bytes
}

/// An entry whose zstd frame claims (and holds) `size` zero bytes as its object.
fn bomb_entry(size: usize) -> Entry {
    Entry {
        output: Some(vec![0; size]),
        depfile: None,
        extras: Vec::new(),
        stdout: zcc::entry::Text::Raw(Vec::new()),
        stderr: zcc::entry::Text::Raw(Vec::new()),
        spelled: None,
    }
}

#[test]
fn a_decompression_bomb_is_a_miss_and_is_removed() {
    let env = filled_store();
    // 640 MiB of zeros compresses to a few tens of KB (zcc itself stores such a payload
    // uncompressed; an attacker need not).
    let bomb = zstd::bulk::compress(&bomb_entry(640 << 20).encode(), 1).unwrap();
    assert!(bomb.len() < 1 << 20);
    for (key, path) in results(&env) {
        fs::write(&path, signed_zstd_entry(&key, &bomb)).unwrap();
    }
    let plain = env.plain(&COMPILE).run();
    env.assert_same_run(&plain, &with_memory_limit(&env, &COMPILE).0);
    assert!(env.counter("error_store_read") >= 1, "{}", env.log_tail());
    env.assert_zcc_matches_plain(&COMPILE);
    assert_eq!(env.hits(), 1, "the bomb was replaced by a good entry");
}

#[test]
fn an_entry_claiming_sixteen_gib_never_aborts() {
    let env = filled_store();
    // A zstd frame claiming 16 GiB of content and holding one raw block of 16 bytes.
    let claimed: u64 = 16 << 30;
    // Magic, then descriptor 0xe0: an 8-byte content size, single segment.
    let mut forged = vec![0x28, 0xb5, 0x2f, 0xfd, 0xe0];
    forged.extend_from_slice(&claimed.to_le_bytes());
    // Block header: last block, raw, 16 bytes.
    let block: u32 = 1 | (16 << 3);
    forged.extend_from_slice(&block.to_le_bytes()[..3]);
    forged.extend_from_slice(&[7; 16]);
    for (key, path) in results(&env) {
        fs::write(&path, signed_zstd_entry(&key, &forged)).unwrap();
    }
    for _ in 0..2 {
        let plain = env.plain(&COMPILE).run();
        env.assert_same_run(&plain, &with_memory_limit(&env, &COMPILE).0);
    }
}

// ---------------------------------------------------------------- 5: remote limits

/// A "Redis server" on loopback that answers every request with a 100-byte value, one byte
/// every 200 ms: each read gets data well within a 300 ms timeout, the reply takes 20 s.
fn dribbling_server() -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(b"$100\r\n");
                for _ in 0..102 {
                    std::thread::sleep(Duration::from_millis(200));
                    if stream.write_all(b"x").is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

#[test]
fn a_remote_that_dribbles_its_reply_costs_one_timeout() {
    let env = TestEnv::new();
    env.write("a.c", SOURCE);
    let port = dribbling_server();
    let plain = env.plain(&COMPILE).run();
    let cached = env
        .zcc(&COMPILE)
        .env("ZCC_REMOTE", format!("redis://127.0.0.1:{port}"))
        .env("ZCC_REMOTE_TIMEOUT", "300ms")
        // Far below the 20 s the reply takes: a hang check, not a timing.
        .timeout(Duration::from_secs(10))
        .run();
    env.assert_same_run(&plain, &cached);
    assert_eq!(env.counter("remote_timeout"), 1, "{}", env.log_tail());
}

// 6, temp files with predictable names in output directories: `replay`'s unit test
// `atomic_write_never_writes_through_a_planted_link`.

// ---------------------------------------------------------------- 7: outputs that are not files

#[test]
fn an_output_linked_to_standard_output_is_written_as_the_compiler_would() {
    let env = filled_store();
    let run_with_stdout_to = |program: &str, args: &[&str], stdout: &Path| {
        symlink("/proc/self/fd/1", env.path("a.o")).unwrap();
        let mut cmd = Command::new(program);
        env.zcc_env(cmd.args(args).current_dir(&env.work))
            .stdout(Stdio::from(fs::File::create(stdout).unwrap()));
        assert!(cmd.status().unwrap().success());
        let kept_link = fs::symlink_metadata(env.path("a.o"))
            .unwrap()
            .file_type()
            .is_symlink();
        fs::remove_file(env.path("a.o")).unwrap();
        (kept_link, fs::read(stdout).unwrap())
    };
    let plain = run_with_stdout_to("gcc", &COMPILE[1..], &env.root.join("plain.out"));
    let cached = run_with_stdout_to(ZCC, &COMPILE, &env.root.join("zcc.out"));
    assert!(plain.0, "gcc writes through the link");
    assert_eq!(cached, plain, "{}", env.log_tail());
}

#[test]
fn an_output_that_never_ends_is_not_read_back() {
    let env = TestEnv::new();
    env.write("a.c", SOURCE);
    assert_like_plain_in_little_memory(&env, &["gcc", "-c", "a.c", "-o", "/dev/zero"]);
}

// ---------------------------------------------------------------- 8: inputs that are not files

#[test]
fn a_response_file_that_never_ends_is_not_read_without_bound() {
    let env = TestEnv::new();
    env.write("a.c", SOURCE);
    // gcc reads such a file as empty; zcc must not hang or eat the memory first.
    assert_like_plain_in_little_memory(&env, &["gcc", "@/dev/zero", "-c", "a.c", "-o", "a.o"]);
}

#[test]
fn a_fifo_source_is_compiled_once_by_the_compiler() {
    let env = TestEnv::new();
    let fifo = env.path("a.c");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let writer = std::thread::spawn(move || {
        // Keep feeding: one reader gets the source; a second opener would block.
        let _ = fs::write(&fifo, SOURCE);
    });
    let run = env
        .zcc(&["gcc", "-c", "a.c", "-o", "a.o"])
        .timeout(Duration::from_secs(60))
        .run();
    writer.join().unwrap();
    run.success();
    assert_eq!(env.counter("miss"), 0, "a FIFO input is not cached");
}

// ---------------------------------------------------------------- 9: smaller ones

#[test]
fn with_umask_000_the_store_stays_private() {
    let env = TestEnv::new();
    env.write("a.c", SOURCE);
    env.write("b.c", "int b(void) { return 2; }\n");
    let zcc_in_umask_0 = |args: &str| {
        let mut call = env.call(
            Path::new("sh"),
            &["-c", &format!("umask 000; exec {ZCC} {args}")],
        );
        env.zcc_env(&mut call.cmd);
        call.run().success();
    };
    zcc_in_umask_0("gcc -c a.c -o a.o");
    zcc_in_umask_0("gcc -c a.c -o a.o");
    zcc_in_umask_0("gcc -c b.c -o b.o -MD");
    for (path, _, _) in snapshot(&env.store) {
        let mode = fs::symlink_metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o022, 0, "{} has mode {mode:o}", path.display());
    }
}

#[test]
fn a_hit_writes_only_the_extra_outputs_the_call_asked_for() {
    let env = filled_store();
    forge_results(&env, |e| {
        e.extras = vec![(zcc::args::Extra::StackUsage, 0, b"planted\n".to_vec())];
    });
    let plain = env.plain(&COMPILE).run();
    env.assert_same_run(&plain, &env.zcc(&COMPILE).run());
}

#[test]
fn a_hit_never_replays_terminal_control_sequences() {
    let env = filled_store();
    forge_results(&env, |e| {
        e.stderr = zcc::entry::Text::Raw(b"\x1b]0;owned\x07\x1b]52;c;cm0gLXJmIH4=\x07".to_vec());
    });
    let plain = env.plain(&COMPILE).run();
    env.assert_same_run(&plain, &env.zcc(&COMPILE).run());
}

#[test]
fn a_missing_compiler_exits_127_as_a_shell_says() {
    let env = TestEnv::new();
    env.write("a.c", SOURCE);
    let shell = env
        .call(Path::new("sh"), &["-c", "./no-such-gcc -c a.c"])
        .run();
    let run = env.zcc(&["./no-such-gcc", "-c", "a.c"]).run();
    assert_eq!(shell.code, Some(127));
    assert_eq!(run.code, shell.code, "{}", run.stderr_text());
    assert_one_error_line(&run);
}

#[test]
fn debug_objects_in_directories_with_non_utf8_names_keep_their_own_paths() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    let args = ["gcc", "-g", "-c", "a.c", "-o", "a.o"];
    let mut objects = Vec::new();
    // Both names read the same once made UTF-8 lossily.
    for name in [&b"dir\xff"[..], b"dir\xfe"] {
        let dir = env.work.join(std::ffi::OsStr::from_bytes(name));
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("a.c"), SOURCE).unwrap();
        let mut plain = Command::new("gcc");
        plain.args(&args[1..]).current_dir(&dir);
        assert!(plain.status().unwrap().success());
        let expected = fs::read(dir.join("a.o")).unwrap();
        fs::remove_file(dir.join("a.o")).unwrap();
        let mut cached = Command::new(ZCC);
        env.zcc_env(cached.args(args).current_dir(&dir));
        assert!(cached.status().unwrap().success());
        assert_eq!(
            fs::read(dir.join("a.o")).unwrap(),
            expected,
            "{}",
            env.log_tail()
        );
        objects.push(expected);
    }
    assert_ne!(objects[0], objects[1], "the test needs objects that differ");
}

#[test]
fn passwords_with_unencoded_separators_never_reach_the_log_or_an_error() {
    let env = TestEnv::new();
    env.write("a.c", SOURCE);
    for remote in [
        "redis://:q7/z9@127.0.0.1:9",
        "redis://:q7?z9@127.0.0.1:9",
        "redis://:q7#z9@127.0.0.1:9",
        "redis://:q7 z9@127.0.0.1:9",
        "http://u:q7/z9@127.0.0.1:9/zcc",
    ] {
        let run = env.zcc(&COMPILE).env("ZCC_REMOTE", remote).run();
        let log = fs::read_to_string(&env.log).unwrap_or_default();
        for secret in ["q7", "z9"] {
            assert!(
                !run.stderr_text().contains(secret) && !log.contains(secret),
                "{remote}: {}\n{log}",
                run.stderr_text()
            );
        }
    }
}

// ---------------------------------------------------------------- property: crafted entries

mod crafted {
    use super::*;
    use proptest::prelude::*;
    use zcc::args::Extra;
    use zcc::entry::Text;

    /// Make-like and terminal-like soup: names, separators, make functions, escapes.
    fn soup() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop::sample::select(vec![
            &b"a.o"[..],
            b"a.c",
            b":",
            b" ",
            b"\n",
            b"\t",
            b"\\\n",
            b";",
            b"=",
            b"$$",
            b"$(shell touch pwned)",
            b"include",
            b".SECONDEXPANSION",
            b"../outside/victim",
            b"@WS0/x.h",
            b"@HOME/",
            b"\x1b[31m",
            b"\x1b]0;title\x07",
            b"\x1b]8;;u\x1b\\",
            b"\r",
            b"\0",
        ]);
        prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
    }

    fn text() -> impl Strategy<Value = Text> {
        prop_oneof![
            soup().prop_map(Text::Raw),
            soup().prop_map(Text::Tokenized),
            soup().prop_map(Text::Spelled),
        ]
    }

    fn extra() -> impl Strategy<Value = (Extra, u8, Vec<u8>)> {
        (
            prop::sample::select(vec![
                Extra::StackUsage,
                Extra::Coverage,
                Extra::SplitDwarf,
                Extra::CallgraphInfo,
            ]),
            0u8..3,
            prop::collection::vec(any::<u8>(), 0..16),
        )
    }

    fn entry() -> impl Strategy<Value = Entry> {
        (
            prop::option::weighted(0.9, prop::collection::vec(any::<u8>(), 1..64)),
            // Mostly a rule that parses, with soup after it.
            prop::option::weighted(0.9, soup().prop_map(|s| [&b"a.o: a.c "[..], &s].concat())),
            prop::collection::vec(extra(), 0..3),
            text(),
            text(),
            prop::option::of(prop::sample::select(vec!["a.c", "src/a.c", "@WS0/a.c"])),
        )
            .prop_map(|(output, dep, extras, stdout, stderr, spelled)| Entry {
                output,
                depfile: dep.and_then(|d| {
                    zcc::depfile::store(&d, &zcc::paths::Roots::default(), Some("a.o"))
                }),
                extras,
                stdout,
                stderr,
                spelled: spelled.map(str::to_string),
            })
    }

    /// What is written where an entry or manifest was: a crafted payload with a valid
    /// checksum, stored plain or zstd-compressed, or bytes no decoder accepts.
    #[derive(Debug, Clone)]
    enum Payload {
        Entry(Entry, bool),
        Bytes(Vec<u8>, bool),
    }

    fn payload() -> impl Strategy<Value = Payload> {
        prop_oneof![
            3 => (entry(), any::<bool>()).prop_map(|(e, z)| Payload::Entry(e, z)),
            1 => (prop::collection::vec(any::<u8>(), 0..256), any::<bool>())
                .prop_map(|(b, z)| Payload::Bytes(b, z)),
        ]
    }

    fn signed(kind: Kind, key: &Key, payload: &Payload) -> Vec<u8> {
        let (bytes, zstd) = match payload {
            Payload::Entry(e, z) => (e.encode(), *z),
            Payload::Bytes(b, z) => (b.clone(), *z),
        };
        if zstd && kind == Kind::Result {
            signed_zstd_entry(key, &zstd::bulk::compress(&bytes, 1).unwrap())
        } else {
            encode_entry(kind, key, &bytes)
        }
    }

    /// Entry and manifest files of the store, with their kinds and keys.
    fn stored(env: &TestEnv) -> Vec<(Kind, Key, PathBuf)> {
        let mut out: Vec<_> = results(env)
            .into_iter()
            .map(|(k, p)| (Kind::Result, k, p))
            .collect();
        for fanout in named(&env.store.join("v1/manifests"), "") {
            for file in named(&fanout, "") {
                out.push((Kind::Manifest, key_of(&file), file));
            }
        }
        out
    }

    #[test]
    fn crafted_entries_and_manifests_with_valid_checksums_never_hurt() {
        let env = TestEnv::new();
        env.write("a.c", SOURCE);
        let args = ["gcc", "-c", "a.c", "-o", "a.o", "-MD"];
        let plain = env.plain(&args).run();
        env.assert_same_run(&plain, &env.zcc(&args).run());
        let files = stored(&env);
        assert!(files.iter().any(|(k, _, _)| *k == Kind::Manifest));
        let config = ProptestConfig {
            cases: 40,
            failure_persistence: None,
            ..ProptestConfig::default()
        };
        let originals: std::collections::BTreeMap<PathBuf, Vec<u8>> = files
            .iter()
            .map(|(_, _, p)| (p.clone(), fs::read(p).unwrap()))
            .collect();
        proptest!(config, |(result in payload(), manifest in prop::option::weighted(0.2, payload()))| {
            for (kind, key, path) in &files {
                let _ = fs::create_dir_all(path.parent().unwrap());
                match (kind, &manifest) {
                    (Kind::Result, _) => fs::write(path, signed(*kind, key, &result)).unwrap(),
                    // The real manifest, so that the crafted result is what a hit serves.
                    (Kind::Manifest, None) => fs::write(path, &originals[path]).unwrap(),
                    (Kind::Manifest, Some(m)) => fs::write(path, signed(*kind, key, m)).unwrap(),
                }
            }
            // The checksum is no signature: a crafted entry may carry any object and any text.
            // What it can never do: abort (a 512 MiB address space), write another file, put
            // anything but rules in the dependency file or control sequences on a terminal.
            let (cached, _) = with_memory_limit(&env, &args);
            prop_assert_eq!(cached.code, Some(0), "{}", cached.stderr_text());
            let outputs: Vec<&String> = cached.outputs.keys().collect();
            prop_assert_eq!(outputs, vec!["a.d", "a.o"]);
            prop_assert!(zcc::depfile::is_plain_rules(cached.output("a.d")));
            prop_assert!(zcc::color::is_plain(&cached.stdout));
            prop_assert!(zcc::color::is_plain(&cached.stderr));
            let mut beside: Vec<String> = fs::read_dir(&env.root)
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            beside.sort();
            prop_assert_eq!(beside, vec!["peak-rss", "store", "work", "zcc.log"]);
        });
        assert_eq!(env.counter("error_internal"), 0, "{}", env.log_tail());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

        /// Remote values go through `decode_entry` and then the entry and manifest decoders:
        /// none panics, and no claimed size is allocated beyond the bound.
        #[test]
        fn crafted_remote_values_decode_or_fail_cleanly(
            payload in payload(),
            claimed in prop_oneof![
                Just(None),
                prop::sample::select(vec![16u64, 1 << 20, 1 << 30, 2 << 30, 16 << 30, u64::MAX])
                    .prop_map(Some),
                any::<u64>().prop_map(Some),
            ],
        ) {
            let key = [7u8; 32];
            let mut value = signed(Kind::Result, &key, &payload);
            if let Some(claimed) = claimed {
                // A zstd frame header claiming any size, over a raw block of 16 bytes.
                let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0xe0];
                frame.extend_from_slice(&claimed.to_le_bytes());
                frame.extend_from_slice(&(1u32 | (16 << 3)).to_le_bytes()[..3]);
                frame.extend_from_slice(&[7; 16]);
                value = signed_zstd_entry(&key, &frame);
            }
            for kind in [Kind::Result, Kind::Manifest] {
                if let Ok(bytes) = decode_entry(kind, &key, &value) {
                    prop_assert!(bytes.len() <= 2 << 30);
                    let _ = Entry::decode(&bytes);
                    let _ = zcc::manifest::Manifest::decode(&bytes);
                }
            }
        }
    }
}
