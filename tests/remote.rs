//! The remote tiers (`ZCC_REMOTE`) and `ZCC_PREFIX`, against real servers on loopback that
//! the tests start and stop themselves: `redis-server`, nginx with WebDAV `PUT`, `distccd`,
//! and small fault servers written here (one that never answers, one that answers garbage).
//!
//! The workload is a few Arduino core files compiled with PlatformIO's uno flags, copied into
//! a project whose path differs between "machines" (separate `TestEnv`s: separate stores,
//! separate work trees). `-frandom-seed=zcc` is pinned so that every object can be compared
//! with a plain compile byte for byte (GCC otherwise writes a random seed into LTO objects).

mod common;
use common::*;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Core files of the workload: two C++ and two C files.
const SOURCES: &[&str] = &["Print.cpp", "WString.cpp", "wiring.c", "WInterrupts.c"];

/// What one remote operation may cost in the fault tests.
const TIMEOUT_MS: u64 = 200;

/// A port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port")
        .port()
}

/// Wait until something accepts connections on `port`.
fn wait_for_port(port: u16, what: &str) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what} did not start listening on port {port}"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

/// A server process in its own process group; dropping it kills the whole group (distccd
/// forks workers) and reaps it, so no test leaves a server behind.
struct Server {
    child: Option<Child>,
    what: &'static str,
}

impl Server {
    fn spawn(mut cmd: Command, what: &'static str) -> Server {
        require_tool(cmd.get_program().to_str().unwrap());
        cmd.process_group(0).stdin(Stdio::null());
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        Server {
            child: Some(child),
            what,
        }
    }

    /// Kill it now (a server going down in the middle of a build).
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.stop();
        }
        let _ = self.what;
    }
}

/// `redis-server` on a loopback port and a Unix socket, nothing persisted.
struct Redis {
    server: Server,
    port: u16,
    socket: PathBuf,
}

impl Redis {
    fn start(dir: &Path) -> Redis {
        fs::create_dir_all(dir).unwrap();
        let port = free_port();
        let socket = dir.join("redis.sock");
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--unixsocket")
            .arg(&socket)
            .args(["--unixsocketperm", "700", "--daemonize", "no"])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let server = Server::spawn(cmd, "redis-server");
        wait_for_port(port, "redis-server");
        Redis {
            server,
            port,
            socket,
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn unix_url(&self) -> String {
        format!("redis+unix://{}", self.socket.display())
    }

    fn client(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection())
            .expect("connect to the test redis-server")
    }

    /// Every key the server holds, sorted.
    fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = redis::cmd("KEYS")
            .arg("*")
            .query(&mut self.client())
            .expect("KEYS");
        keys.sort();
        keys
    }
}

/// nginx in the foreground (one process) serving a directory, with WebDAV `PUT`.
struct Nginx {
    _server: Server,
    port: u16,
    root: PathBuf,
}

impl Nginx {
    fn start(dir: &Path) -> Nginx {
        let root = dir.join("www");
        let temp = dir.join("tmp");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&temp).unwrap();
        let port = free_port();
        // Workers of an nginx started as root run as nobody, who cannot write the tempdir.
        // SAFETY: geteuid has no preconditions and cannot fail.
        let user = if unsafe { libc::geteuid() } == 0 {
            "user root;"
        } else {
            ""
        };
        let d = dir.display();
        let config = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\n{user}\n\
             error_log {d}/error.log;\npid {d}/nginx.pid;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log {d}/access.log;\n\
             client_body_temp_path {d}/tmp;\n  proxy_temp_path {d}/tmp;\n\
             fastcgi_temp_path {d}/tmp;\n  uwsgi_temp_path {d}/tmp;\n  scgi_temp_path {d}/tmp;\n\
             server {{\n    listen 127.0.0.1:{port};\n    root {root};\n\
             client_max_body_size 0;\n\
             location / {{ dav_methods PUT; create_full_put_path on; dav_access user:rw all:r; }}\n\
             }}\n}}\n",
            root = root.display()
        );
        let conf = dir.join("nginx.conf");
        fs::write(&conf, config).unwrap();
        let mut cmd = Command::new("nginx");
        cmd.arg("-c")
            .arg(&conf)
            .arg("-p")
            .arg(dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let server = Server::spawn(cmd, "nginx");
        wait_for_port(port, "nginx");
        Nginx {
            _server: server,
            port,
            root,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/zcc-cache", self.port)
    }

    /// Files stored under the URL prefix, relative to it.
    fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = files_under(&self.root.join("zcc-cache"))
            .into_iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        files.sort();
        files
    }
}

/// A project on one "machine": its own store, its own work tree, the project at `proj`.
struct Machine {
    env: TestEnv,
    proj: &'static str,
    /// Compile with `-flto` (PlatformIO's default for the uno).
    lto: bool,
}

impl Machine {
    fn new(proj: &'static str) -> Machine {
        let env = TestEnv::new();
        env.write(&format!("{proj}/platformio.ini"), "[env:uno]\n");
        for source in SOURCES {
            let text = fs::read(format!("{ARDUINO_CORE}/{source}")).unwrap();
            env.write(&format!("{proj}/src/{source}"), text);
        }
        env.mkdir(&format!("{proj}/.pio/build/uno/src"));
        Machine {
            env,
            proj,
            lto: true,
        }
    }

    /// The compile of `source`, as PlatformIO runs it in the project directory.
    fn args(&self, source: &str) -> Vec<String> {
        let cxx = source.ends_with(".cpp");
        let mut args = vec![if cxx { "avr-g++" } else { "avr-gcc" }.to_string()];
        args.extend(["-o".into(), obj(source), "-c".into()]);
        let lang = if cxx { UNO_CXX_FLAGS } else { UNO_C_FLAGS };
        let lto = |a: &&&str| self.lto || !a.contains("lto");
        args.extend(lang.iter().filter(lto).map(|s| s.to_string()));
        args.extend(UNO_FLAGS.iter().filter(lto).map(|s| s.to_string()));
        args.push("-frandom-seed=zcc".into());
        args.push(format!("-I{ARDUINO_CORE}"));
        args.push(format!("-I{ARDUINO_VARIANT}"));
        args.push(format!("src/{source}"));
        args
    }

    /// `zcc <compile of source>` with the given environment.
    fn zcc(&self, source: &str, vars: &[(&str, &str)]) -> Call {
        let args = self.args(source);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut call = self.env.zcc(&args).cwd(self.proj);
        for (k, v) in vars {
            call = call.env(k, *v);
        }
        call
    }

    /// Compile `source` through zcc; returns the object and how long the call took.
    fn compile(&self, source: &str, vars: &[(&str, &str)]) -> (Vec<u8>, Duration) {
        let started = Instant::now();
        let run = self.zcc(source, vars).run();
        let took = started.elapsed();
        run.success();
        let object = run
            .output(&format!("{}/{}", self.proj, obj(source)))
            .to_vec();
        (object, took)
    }

    /// Every source through zcc: object per source.
    fn build(&self, vars: &[(&str, &str)]) -> BTreeMap<&'static str, Vec<u8>> {
        SOURCES
            .iter()
            .map(|s| (*s, self.compile(s, vars).0))
            .collect()
    }

    /// The plain compile's object of `source`.
    fn plain(&self, source: &str) -> Vec<u8> {
        let args = self.args(source);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = self.env.plain(&args).cwd(self.proj).run();
        run.success();
        run.output(&format!("{}/{}", self.proj, obj(source)))
            .to_vec()
    }

    /// Entry files (results and manifests) in the local store.
    fn local_entries(&self) -> usize {
        self.env
            .store_files()
            .iter()
            .filter(|p| {
                let p = p.to_string_lossy();
                p.starts_with("v1/results/") || p.starts_with("v1/manifests/")
            })
            .count()
    }
}

fn obj(source: &str) -> String {
    format!(".pio/build/uno/src/{source}.o")
}

/// Assert that every object equals the plain compile's on `machine`.
fn assert_objects_are_plain(machine: &Machine, objects: &BTreeMap<&'static str, Vec<u8>>) {
    for (source, object) in objects {
        assert_bytes_eq(source, &machine.plain(source), object);
    }
}

/// Machine A fills the remote; machine B (empty store, project elsewhere) gets every object
/// from it, byte-identical, and its local store is back-filled: with the server gone, B still
/// hits everything, without asking the remote.
fn machine_b_hits_from_the_remote(url: &str, stop: impl FnOnce()) {
    let a = Machine::new("proj");
    let from_a = a.build(&[("ZCC_REMOTE", url)]);
    let n = SOURCES.len() as u64;
    a.env.assert_counters(&[("miss", n), ("remote_miss", n)]);

    let b = Machine::new("elsewhere/deeper/firmware");
    let from_b = b.build(&[("ZCC_REMOTE", url)]);
    assert_eq!(from_a, from_b, "objects served from the remote differ");
    assert_objects_are_plain(&b, &from_b);
    b.env
        .assert_counters(&[("direct_hit", n), ("remote_hit", n)]);
    let human = b.env.zcc(&["stats"]).run().stdout_text();
    assert!(
        human.contains(&format!("remote\n  hits           {n}\n")),
        "{human}"
    );
    assert_eq!(b.local_entries(), 2 * SOURCES.len(), "back-filled entries");

    stop();
    let again = b.build(&[("ZCC_REMOTE", url)]);
    assert_eq!(again, from_b);
    b.env
        .assert_counters(&[("direct_hit", 2 * n), ("remote_hit", n)]);
}

#[test]
fn redis_machine_b_gets_every_object_from_the_remote() {
    require_arduino();
    let dir = tempfile::tempdir().unwrap();
    let mut redis = Redis::start(dir.path());
    let url = redis.url();
    let keys = std::cell::RefCell::new(Vec::new());
    machine_b_hits_from_the_remote(&url, || {
        *keys.borrow_mut() = redis.keys();
        redis.server.stop();
    });
    // One result and one manifest per source.
    let keys = keys.into_inner();
    assert_eq!(keys.len(), 2 * SOURCES.len(), "{keys:?}");
    assert!(
        keys.iter()
            .all(|k| k.starts_with("zcc/v1/results/") || k.starts_with("zcc/v1/manifests/")),
        "{keys:?}"
    );
}

/// A Redis Cluster of three masters on loopback (no replicas), slots spread by `redis-cli`.
struct RedisCluster {
    nodes: Vec<Redis>,
}

impl RedisCluster {
    fn start(dir: &Path) -> RedisCluster {
        require_tool("redis-cli");
        let nodes: Vec<Redis> = (0..3)
            .map(|i| {
                let node_dir = dir.join(format!("node{i}"));
                fs::create_dir_all(&node_dir).unwrap();
                let port = free_port();
                let mut cmd = Command::new("redis-server");
                cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                    .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                    .args(["--cluster-enabled", "yes", "--cluster-config-file"])
                    .arg(node_dir.join("nodes.conf"))
                    .arg("--dir")
                    .arg(&node_dir)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null());
                let server = Server::spawn(cmd, "redis-server (cluster node)");
                wait_for_port(port, "redis-server (cluster node)");
                Redis {
                    server,
                    port,
                    // Cluster nodes listen on TCP only.
                    socket: PathBuf::new(),
                }
            })
            .collect();
        let mut create = Command::new("redis-cli");
        create.arg("--cluster").arg("create");
        for node in &nodes {
            create.arg(format!("127.0.0.1:{}", node.port));
        }
        let out = create
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .output()
            .unwrap();
        assert!(out.status.success(), "redis-cli --cluster create: {out:?}");
        let start = Instant::now();
        loop {
            let info: String = redis::cmd("CLUSTER")
                .arg("INFO")
                .query(&mut nodes[0].client())
                .unwrap();
            if info.contains("cluster_state:ok") {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "{info}");
            thread::sleep(Duration::from_millis(50));
        }
        RedisCluster { nodes }
    }

    /// Two of the three nodes: the client finds the third through them.
    fn url(&self) -> String {
        format!(
            "redis+cluster://127.0.0.1:{},127.0.0.1:{}",
            self.nodes[0].port, self.nodes[1].port
        )
    }

    /// Keys held by each node.
    fn sizes(&self) -> Vec<u64> {
        self.nodes
            .iter()
            .map(|n| redis::cmd("DBSIZE").query(&mut n.client()).unwrap())
            .collect()
    }
}

#[test]
fn redis_cluster_machine_b_gets_every_object_from_the_remote() {
    require_arduino();
    let dir = tempfile::tempdir().unwrap();
    let mut cluster = RedisCluster::start(dir.path());
    let url = cluster.url();
    let sizes = std::cell::RefCell::new(Vec::new());
    machine_b_hits_from_the_remote(&url, || {
        *sizes.borrow_mut() = cluster.sizes();
        for node in &mut cluster.nodes {
            node.server.stop();
        }
    });
    let sizes = sizes.into_inner();
    assert_eq!(
        sizes.iter().sum::<u64>(),
        2 * SOURCES.len() as u64,
        "{sizes:?}"
    );
    assert!(
        sizes.iter().filter(|&&n| n > 0).count() >= 2,
        "entries should spread over the cluster's nodes: {sizes:?}"
    );
}

#[test]
fn redis_over_a_unix_socket_serves_what_tcp_stored() {
    require_arduino();
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start(dir.path());
    let a = Machine::new("proj");
    let from_a = a.build(&[("ZCC_REMOTE", &redis.url())]);
    let c = Machine::new("c/proj");
    let from_c = c.build(&[("ZCC_REMOTE", &redis.unix_url())]);
    assert_eq!(from_a, from_c);
    let n = SOURCES.len() as u64;
    c.env
        .assert_counters(&[("direct_hit", n), ("remote_hit", n)]);
}

#[test]
fn http_machine_b_gets_every_object_from_the_remote() {
    require_arduino();
    let dir = tempfile::tempdir().unwrap();
    let nginx = Nginx::start(dir.path());
    let url = nginx.url();
    let files = std::cell::RefCell::new(Vec::new());
    let server = std::cell::RefCell::new(Some(nginx));
    machine_b_hits_from_the_remote(&url, || {
        let nginx = server.borrow_mut().take().unwrap();
        *files.borrow_mut() = nginx.files();
        drop(nginx);
    });
    let files = files.into_inner();
    assert_eq!(files.len(), 2 * SOURCES.len(), "{files:?}");
    for f in &files {
        let parts: Vec<&str> = f.split('/').collect();
        assert!(
            parts.len() == 4
                && parts[0] == "v1"
                && (parts[1] == "results" || parts[1] == "manifests")
                && parts[3].len() == 64
                && parts[3].starts_with(parts[2]),
            "unexpected remote layout: {f}"
        );
    }
}

#[test]
fn readonly_remote_is_read_but_never_written() {
    require_arduino();
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start(dir.path());
    let url = redis.url();
    let pr = Machine::new("pr");
    pr.build(&[("ZCC_REMOTE", &url), ("ZCC_REMOTE_READONLY", "1")]);
    assert!(
        redis.keys().is_empty(),
        "a read-only build wrote the remote"
    );
    assert_eq!(
        pr.local_entries(),
        2 * SOURCES.len(),
        "the local store is written"
    );

    let main = Machine::new("main");
    let from_main = main.build(&[("ZCC_REMOTE", &url)]);
    let stored = redis.keys();
    assert_eq!(stored.len(), 2 * SOURCES.len());

    let pr2 = Machine::new("pr2/checkout");
    let from_pr2 = pr2.build(&[("ZCC_REMOTE", &url), ("ZCC_REMOTE_READONLY", "1")]);
    assert_eq!(from_main, from_pr2);
    let n = SOURCES.len() as u64;
    pr2.env
        .assert_counters(&[("direct_hit", n), ("remote_hit", n)]);
    // A change in the pull request: a miss, compiled and stored locally only.
    pr2.env.write("pr2/checkout/src/wiring.c", {
        let mut text = fs::read(format!("{ARDUINO_CORE}/wiring.c")).unwrap();
        text.extend_from_slice(b"\nint zcc_pr_change;\n");
        text
    });
    let (object, _) = pr2.compile(
        "wiring.c",
        &[("ZCC_REMOTE", &url), ("ZCC_REMOTE_READONLY", "1")],
    );
    assert_bytes_eq("wiring.c", &pr2.plain("wiring.c"), &object);
    assert_eq!(redis.keys(), stored, "a read-only miss wrote the remote");
}

/// The bound on one call against a faulty remote: the compile itself plus one timeout per
/// tier, with a generous margin for a loaded machine. A stall would be far beyond it.
fn assert_within_timeout_bound(took: Duration, tiers: u64, what: &str) {
    let bound = Duration::from_millis(2 * TIMEOUT_MS * tiers) + Duration::from_secs(4);
    assert!(took < bound, "{what} took {took:?}, more than {bound:?}");
}

#[test]
fn a_server_stopped_mid_build_costs_nothing_but_its_hits() {
    require_arduino();
    let dir = tempfile::tempdir().unwrap();
    let mut redis = Redis::start(dir.path());
    let url = redis.url();
    let timeout = TIMEOUT_MS.to_string();
    let vars = [
        ("ZCC_REMOTE", url.as_str()),
        ("ZCC_REMOTE_TIMEOUT", &timeout),
    ];
    let a = Machine::new("a");
    a.build(&vars);

    let b = Machine::new("b/proj");
    let (first, _) = b.compile(SOURCES[0], &vars);
    assert_bytes_eq(SOURCES[0], &b.plain(SOURCES[0]), &first);
    redis.server.stop();
    for source in &SOURCES[1..] {
        let (object, took) = b.compile(source, &vars);
        assert_bytes_eq(source, &b.plain(source), &object);
        assert_within_timeout_bound(took, 1, source);
    }
    let rest = SOURCES.len() as u64 - 1;
    // One error; after it, the other calls skip the remote (its failure marker is fresh).
    b.env.assert_counters(&[
        ("direct_hit", 1),
        ("remote_hit", 1),
        ("miss", rest),
        ("remote_error", 1),
        ("remote_skipped", rest - 1),
    ]);
}

/// A TCP server that accepts connections and never answers (nor closes them).
fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    port
}

#[test]
fn a_server_that_never_answers_costs_one_timeout_per_tier_then_is_skipped() {
    require_arduino();
    let redis_port = silent_server();
    let http_port = silent_server();
    let remotes = format!("redis://127.0.0.1:{redis_port} http://127.0.0.1:{http_port}/c");
    let timeout = TIMEOUT_MS.to_string();
    let vars = [
        ("ZCC_REMOTE", remotes.as_str()),
        ("ZCC_REMOTE_TIMEOUT", &timeout),
    ];
    let m = Machine::new("proj");
    for source in SOURCES {
        let (object, took) = m.compile(source, &vars);
        assert_bytes_eq(source, &m.plain(source), &object);
        assert_within_timeout_bound(took, 2, source);
    }
    let n = SOURCES.len() as u64;
    // The first call times out on each tier; the others skip both (fresh failure markers).
    let expected = [
        ("miss", n),
        ("remote_timeout", 2),
        ("remote_skipped", 2 * (n - 1)),
    ];
    m.env.assert_counters(&expected);
    // The local store works as without a remote, and hits never ask it.
    let again = m.build(&vars);
    assert_objects_are_plain(&m, &again);
    m.env
        .assert_counters(&[expected[0], expected[1], expected[2], ("direct_hit", n)]);
    // Without a marker (a fresh store per call) every call pays one timeout per tier, no more.
    for source in SOURCES {
        let fresh = Machine::new("fresh");
        let (object, took) = fresh.compile(source, &vars);
        assert_bytes_eq(source, &fresh.plain(source), &object);
        assert_within_timeout_bound(took, 2, source);
        fresh
            .env
            .assert_counters(&[("miss", 1), ("remote_timeout", 2)]);
    }
}

/// How the fake HTTP server answers a GET.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// 200 with bytes that are no entry.
    Garbage,
    /// 200 announcing more bytes than it sends, then closing.
    Truncated,
    /// 200 with a real entry file, but the one stored under another key.
    OtherKeysEntry,
}

/// An HTTP server answering every GET as `answer` says (PUT: 201), one request per connection.
fn lying_http_server(answer: Answer, real_entry: Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let real_entry = real_entry.clone();
            thread::spawn(move || serve_one(stream, answer, &real_entry));
        }
    });
    port
}

fn serve_one(mut stream: TcpStream, answer: Answer, real_entry: &[u8]) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let response: Vec<u8> = if request_line.starts_with("PUT") {
        b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
    } else {
        match answer {
            Answer::Garbage => {
                let body = vec![b'x'; 3000];
                let mut r = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                r.extend(body);
                r
            }
            Answer::Truncated => {
                let mut r = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    real_entry.len()
                )
                .into_bytes();
                r.extend(&real_entry[..real_entry.len() / 2]);
                r
            }
            Answer::OtherKeysEntry => {
                let mut r = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    real_entry.len()
                )
                .into_bytes();
                r.extend(real_entry);
                r
            }
        }
    };
    let _ = stream.write_all(&response);
}

#[test]
fn wrong_or_truncated_http_values_are_never_served() {
    require_arduino();
    // A real entry file to lie with: a result of another machine's build.
    let a = Machine::new("a");
    a.build(&[]);
    let real_entry = a
        .env
        .store_files()
        .into_iter()
        .find(|p| p.to_string_lossy().starts_with("v1/results/"))
        .map(|p| fs::read(a.env.store.join(p)).unwrap())
        .unwrap();
    for answer in [Answer::Garbage, Answer::Truncated, Answer::OtherKeysEntry] {
        let port = lying_http_server(answer, real_entry.clone());
        let url = format!("http://127.0.0.1:{port}/c");
        let timeout = TIMEOUT_MS.to_string();
        let vars = [
            ("ZCC_REMOTE", url.as_str()),
            ("ZCC_REMOTE_TIMEOUT", &timeout),
        ];
        let m = Machine::new("m");
        for source in SOURCES {
            let (object, took) = m.compile(source, &vars);
            assert_bytes_eq(&format!("{source} ({answer:?})"), &m.plain(source), &object);
            assert_within_timeout_bound(took, 1, source);
        }
        let n = SOURCES.len() as u64;
        match answer {
            // A body cut short is a transport failure: one error, then the other calls skip
            // the tier (failure marker).
            Answer::Truncated => m.env.assert_counters(&[
                ("miss", n),
                ("remote_error", 1),
                ("remote_skipped", n - 1),
            ]),
            // A complete answer that fails verification: the server works, so each call
            // asks, counts the bad manifest, and compiles.
            _ => m.env.assert_counters(&[("miss", n), ("remote_error", n)]),
        }
        let log = fs::read_to_string(&m.env.log).unwrap();
        assert!(
            log.contains("remote_error: http://127.0.0.1:"),
            "{answer:?}: {}",
            m.env.log_tail()
        );
    }
}

#[test]
fn damaged_redis_values_are_never_served_and_get_repaired() {
    require_arduino();
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start(dir.path());
    let url = redis.url();
    let a = Machine::new("a");
    a.build(&[("ZCC_REMOTE", &url)]);
    // Cut every result short by one byte (manifests stay good, so B asks for the results).
    let mut conn = redis.client();
    let results: Vec<String> = redis
        .keys()
        .into_iter()
        .filter(|k| k.starts_with("zcc/v1/results/"))
        .collect();
    assert_eq!(results.len(), SOURCES.len());
    for key in &results {
        let value: Vec<u8> = redis::cmd("GET").arg(key).query(&mut conn).unwrap();
        let () = redis::cmd("SET")
            .arg(key)
            .arg(&value[..value.len() - 1])
            .query(&mut conn)
            .unwrap();
    }
    let b = Machine::new("b/x");
    let from_b = b.build(&[("ZCC_REMOTE", &url)]);
    assert_objects_are_plain(&b, &from_b);
    let n = SOURCES.len() as u64;
    // The manifests came from the remote, the results were bad.
    b.env
        .assert_counters(&[("miss", n), ("remote_error", n), ("remote_miss", n)]);
    // B's compiles wrote good entries over the damaged ones: C hits everything.
    let c = Machine::new("c/y/z");
    let from_c = c.build(&[("ZCC_REMOTE", &url)]);
    assert_eq!(from_b, from_c);
    c.env
        .assert_counters(&[("direct_hit", n), ("remote_hit", n)]);
}

/// `distccd` on loopback, logging to a file the test reads.
struct Distccd {
    _server: Server,
    port: u16,
    log: PathBuf,
}

impl Distccd {
    fn start(dir: &Path) -> Distccd {
        let port = free_port();
        let log = dir.join("distccd.log");
        let log_file = fs::File::create(&log).unwrap();
        let mut cmd = Command::new("distccd");
        cmd.args([
            "--no-detach",
            "--daemon",
            "--log-stderr",
            "--log-level",
            "info",
        ])
        .args(["--allow", "127.0.0.1", "--listen", "127.0.0.1"])
        .args(["--port", &port.to_string(), "--jobs", "2"])
        .stdout(Stdio::null())
        .stderr(log_file);
        let server = Server::spawn(cmd, "distccd");
        wait_for_port(port, "distccd");
        Distccd {
            _server: server,
            port,
            log,
        }
    }

    /// Compiles distccd completed.
    fn jobs(&self) -> usize {
        fs::read_to_string(&self.log)
            .unwrap()
            .matches("COMPILE_OK")
            .count()
    }
}

#[test]
fn distcc_prefix_compiles_misses_on_the_farm_and_hits_never_touch_it() {
    require_arduino();
    let dir = tempfile::tempdir().unwrap();
    let distccd = Distccd::start(dir.path());
    let distcc_dir = dir.path().join("distcc-state");
    fs::create_dir_all(&distcc_dir).unwrap();
    let hosts = format!("127.0.0.1:{}", distccd.port);
    let vars = [
        ("ZCC_PREFIX", "distcc"),
        ("DISTCC_HOSTS", hosts.as_str()),
        // Never compile locally instead: a success must come from distccd.
        ("DISTCC_FALLBACK", "0"),
        ("DISTCC_SKIP_LOCAL_RETRY", "1"),
        ("DISTCC_DIR", distcc_dir.to_str().unwrap()),
    ];
    // distcc compiles `-flto` calls locally ("not worth distributing"), so this build is
    // without it.
    let m = Machine {
        lto: false,
        ..Machine::new("proj")
    };
    let misses = m.build(&vars);
    assert_objects_are_plain(&m, &misses);
    let n = SOURCES.len();
    assert_eq!(distccd.jobs(), n, "every miss compiled through distccd");
    m.env.assert_counters(&[("miss", n as u64)]);

    let hits = m.build(&vars);
    assert_eq!(hits, misses);
    assert_eq!(distccd.jobs(), n, "a hit ran a compile on the farm");
    // The prefix is not part of the key: without it, the same entries hit.
    let without = m.build(&[]);
    assert_eq!(without, misses);
    m.env
        .assert_counters(&[("miss", n as u64), ("direct_hit", 2 * n as u64)]);
}

#[test]
fn a_prefix_that_cannot_be_found_compiles_without_it() {
    require_arduino();
    let m = Machine::new("proj");
    let (object, _) = m.compile("wiring.c", &[("ZCC_PREFIX", "zcc-no-such-prefix --x")]);
    assert_bytes_eq("wiring.c", &m.plain("wiring.c"), &object);
    m.env.assert_counters(&[("miss", 1), ("error_prefix", 1)]);
}

#[test]
fn bad_remote_settings_are_one_line_errors_without_secrets() {
    let env = TestEnv::new();
    env.write("a.c", "int a;\n");
    for (var, value) in [
        ("ZCC_REMOTE", "ftp://ci:topsecret@cache/x"),
        ("ZCC_REMOTE", "rediss://:topsecret@cache:6380"),
        ("ZCC_REMOTE", "http://ci:topsecret@cache/x#layout=nope"),
        ("ZCC_REMOTE_TIMEOUT", "forever"),
        ("ZCC_REMOTE_READONLY", "maybe"),
    ] {
        let run = env.zcc(&["gcc", "-c", "a.c"]).env(var, value).run();
        assert_eq!(run.code, Some(2), "{var}={value}: {}", run.stderr_text());
        assert_one_error_line(&run);
        assert!(
            !run.stderr_text().contains("topsecret"),
            "secret printed: {}",
            run.stderr_text()
        );
    }
}

#[test]
fn remote_errors_are_logged_without_credentials() {
    require_tool("gcc");
    let env = TestEnv::new();
    env.write("a.c", "int a;\n");
    // Nothing listens on port 1.
    let run = env
        .zcc(&["gcc", "-c", "a.c"])
        .env(
            "ZCC_REMOTE",
            "redis://:topsecret@127.0.0.1:1 http://ci:topsecret2@127.0.0.1:1/c",
        )
        .env("ZCC_REMOTE_TOKEN", "topsecret3")
        .run();
    run.success();
    env.assert_counters(&[("miss", 1), ("remote_error", 2)]);
    let log = fs::read_to_string(&env.log).unwrap();
    assert!(
        log.contains("remote_error: redis://:***@127.0.0.1:1"),
        "{log}"
    );
    assert!(
        log.contains("remote_error: http://ci:***@127.0.0.1:1/c"),
        "{log}"
    );
    assert!(!log.contains("topsecret"), "{log}");
}

/// A link stored by one machine is served to another through the remote (links are read and
/// written through the same tiers as compiles), byte-identical to a plain link there.
#[test]
fn a_link_is_served_from_the_remote_to_another_machine() {
    require_tool("redis-server");
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start(dir.path());
    let url = redis.url();
    let link_in = |env: &TestEnv| {
        env.write(
            "b.c",
            "int f(int x) { return x * 2; }\nint main(void) { return f(3); }\n",
        );
        env.plain(&["gcc", "-c", "b.c", "-o", "b.o"])
            .keep_outputs()
            .run()
            .success();
        let plain = env.plain(&["gcc", "-o", "app", "b.o"]).run();
        let cached = env
            .zcc(&["gcc", "-o", "app", "b.o"])
            .env("ZCC_REMOTE", url.clone())
            .run();
        env.assert_same_run(&plain, &cached);
    };
    let a = TestEnv::new();
    link_in(&a);
    a.assert_counters(&[("link_miss", 1), ("remote_miss", 1)]);
    let b = TestEnv::new();
    link_in(&b);
    b.assert_counters(&[("link_hit", 1), ("remote_hit", 1)]);
}
