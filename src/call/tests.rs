//! Unit tests of one call's parts, with the host's gcc and real files: a call is built from a
//! configuration, a store, the remote tiers and a recorder, as `Cache` builds it, and its
//! pieces are driven one by one.

use super::*;
use crate::args;
use crate::recorder::testing::Counting;
use crate::remote::Remotes;

/// A working directory with sources, a store and the host's gcc.
struct Fixture {
    counting: Counting,
    work: PathBuf,
    config: Config,
    remotes: Remotes,
    store: Store,
    compiler: Compiler,
}

impl Fixture {
    fn new(files: &[(&str, &str)]) -> Fixture {
        let counting = Counting::new();
        let work = counting.dir.path().join("work");
        fs::create_dir_all(&work).unwrap();
        for (name, text) in files {
            fs::write(work.join(name), text).unwrap();
        }
        let dir = counting.dir.path().join("store");
        let store = Store::open(&dir).unwrap();
        let path = std::env::var_os("PATH");
        let compiler = compiler::resolve("gcc".as_ref(), path.as_deref(), &work, None).unwrap();
        let config = Config::defaults(dir);
        let remotes = Remotes::open(
            &config.remotes,
            config.remote_timeout,
            config.remote_readonly,
            &config.remote_credentials,
        );
        Fixture {
            counting,
            work,
            config,
            remotes,
            store,
            compiler,
        }
    }

    fn request(&self, args: &[&str], terminal: bool) -> CompileRequest {
        CompileRequest {
            compiler: "gcc".into(),
            args: args.iter().map(OsString::from).collect(),
            cwd: self.work.clone(),
            env: vec![
                ("PATH".into(), std::env::var_os("PATH").unwrap_or_default()),
                ("LC_ALL".into(), "C".into()),
                ("TERM".into(), "xterm".into()),
            ],
            stderr_is_terminal: terminal,
        }
    }

    /// Build the call for `req` and hand it to `f`; what the call counted comes back too.
    fn with_call<R>(&self, req: &CompileRequest, f: impl FnOnce(Call) -> R) -> (R, Vec<Counter>) {
        let rec = self.counting.recorder();
        let shared = Shared {
            config: &self.config,
            remotes: &self.remotes,
            rec: &rec,
        };
        let args: Vec<String> = req
            .args
            .iter()
            .map(|a| a.to_str().unwrap().into())
            .collect();
        let inv = args::classify(&args, &|_: &str| None).expect("cacheable");
        let result = {
            let call = Call::new(&shared, &self.store, &self.compiler, req, inv)
                .unwrap_or_else(|e| panic!("{}", e.message));
            f(call)
        };
        (result, rec.into_report().counters)
    }

    fn run(&self, args: &[&str]) -> (Completed, Vec<Counter>) {
        let req = self.request(args, false);
        let (outcome, counted) = self.with_call(&req, |call| call.run());
        match outcome {
            Ok(Outcome::Completed(done)) => (done, counted),
            Ok(other) => panic!("{other:?}"),
            Err(e) => panic!("{}", e.message),
        }
    }
}

const WARNS: &str = "int f(void) { int unused; return 1; }\n";

#[test]
fn a_miss_stores_what_a_direct_hit_then_serves() {
    let fx = Fixture::new(&[("a.c", WARNS)]);
    let args = ["-Wall", "-c", "a.c", "-o", "a.o", "-MD"];
    let (miss, counted) = fx.run(&args);
    assert_eq!((miss.status, miss.served), (0, Served::Miss));
    assert_eq!(counted, [Counter::Miss]);
    let object = fs::read(fx.work.join("a.o")).unwrap();
    let depfile = fs::read(fx.work.join("a.d")).unwrap();
    fs::remove_file(fx.work.join("a.o")).unwrap();
    fs::remove_file(fx.work.join("a.d")).unwrap();
    let (hit, counted) = fx.run(&args);
    assert_eq!((hit.status, hit.served), (0, Served::DirectHit));
    assert_eq!(counted, [Counter::DirectHit]);
    assert_eq!(hit.stderr, miss.stderr);
    assert!(String::from_utf8_lossy(&hit.stderr).contains("unused variable"));
    assert_eq!(fs::read(fx.work.join("a.o")).unwrap(), object);
    assert_eq!(fs::read(fx.work.join("a.d")).unwrap(), depfile);
}

#[test]
fn diagnostics_keep_their_colours_only_for_a_terminal() {
    let fx = Fixture::new(&[("a.c", WARNS)]);
    let args = ["-c", "a.c", "-o", "a.o"];
    let coloured = b"\x1b[01m\x1b[Ka.c:1:\x1b[m\x1b[K warning".to_vec();
    let plain = fx.request(&args, false);
    let terminal = fx.request(&args, true);
    let (shown, _) = fx.with_call(&plain, |call| call.shown(coloured.clone()));
    assert_eq!(shown, b"a.c:1: warning");
    let (shown, _) = fx.with_call(&terminal, |call| call.shown(coloured.clone()));
    assert_eq!(shown, coloured);
}

#[test]
fn collect_refuses_an_empty_object_and_replay_an_output_not_asked_for() {
    let fx = Fixture::new(&[("a.c", WARNS)]);
    let req = fx.request(&["-c", "a.c", "-o", "a.o"], false);
    fs::write(fx.work.join("a.o"), b"").unwrap();
    let done = Completed::new(0, Vec::new(), Vec::new(), Served::Miss);
    let (collected, _) = fx.with_call(&req, |call| call.collect(&done, &[], true).map(|_| ()));
    assert_eq!(collected, Err(Counter::NotStoredEmptyOutput));

    let entry = Entry {
        output: Some(b"object".to_vec()),
        depfile: None,
        extras: vec![(crate::args::Extra::StackUsage, 0, b"planted".to_vec())],
        stdout: Text::Raw(Vec::new()),
        stderr: Text::Raw(Vec::new()),
        spelled: None,
    };
    let (replayed, _) = fx.with_call(&req, |call| call.replay(&entry));
    assert_eq!(
        replayed.map_err(|e| e.kind()),
        Err(io::ErrorKind::InvalidData)
    );
    assert_eq!(
        fs::read(fx.work.join("a.o")).unwrap(),
        b"",
        "nothing written"
    );
    let no_extras = Entry {
        extras: Vec::new(),
        ..entry
    };
    let (replayed, _) = fx.with_call(&req, |call| call.replay(&no_extras));
    assert!(replayed.is_ok());
    assert_eq!(fs::read(fx.work.join("a.o")).unwrap(), b"object");
}
