//! Where entries and manifests are read from and written to, as one: the local store, then
//! each remote tier (a value a remote returns is verified and written back to the local store),
//! with the counting and logging that go with them. A compile or a link asks for an entry and
//! never knows which tier answered.

use std::path::Path;

use crate::counter::Counter;
use crate::remote;
use crate::shared::Shared;
use crate::store::{self, Key, Kind, Lookup, Store};

/// The tiers of one call.
pub(crate) struct Storage<'a> {
    ctx: Shared<'a>,
    store: &'a Store,
    remote: remote::Session<'a>,
}

impl<'a> Storage<'a> {
    /// The tiers for one call on `store`, whose memos live in `memo`. A read-only call leaves
    /// no failure markers there either.
    pub(crate) fn new(ctx: &Shared<'a>, store: &'a Store, memo: &Path) -> Storage<'a> {
        let marks = (!ctx.config.readonly).then_some(memo);
        Storage {
            ctx: *ctx,
            store,
            remote: ctx.remotes.session(ctx.rec, marks),
        }
    }

    /// Read an entry or manifest: the local store, else the remote tiers (a verified value
    /// from a remote is written to the local store, unless `ZCC_READONLY`). A damaged one (or
    /// one stored under another key) is counted, logged and treated as absent.
    pub(crate) fn get(&self, kind: Kind, key: &Key) -> Option<Vec<u8>> {
        match self.store.get(kind, key) {
            Lookup::Found(bytes) => return Some(bytes),
            Lookup::Missing => {}
            Lookup::Corrupt(why) => {
                self.ctx.rec.count(&[Counter::ErrorStoreRead]);
                self.ctx
                    .rec
                    .log(&format!("bad {kind:?} entry {}: {why}", store::hex(key)));
            }
        }
        let fetched = self.remote.get(kind, key)?;
        if !self.ctx.config.readonly
            && let Err(e) = self.store.put_entry(kind, key, &fetched.entry)
        {
            self.ctx.rec.count(&[Counter::ErrorStoreWrite]);
            self.ctx
                .rec
                .log(&format!("cannot store {}: {e}", store::hex(key)));
        }
        Some(fetched.payload)
    }

    /// Store `bytes` under `key` in the local store and the writable remote tiers (the same
    /// entry file bytes everywhere), unless the store is read-only for this call. A remote
    /// failure is counted and logged by the remote session and does not fail the store.
    pub(crate) fn put(&self, kind: Kind, key: &Key, bytes: &[u8]) -> Result<(), Counter> {
        if self.ctx.config.readonly {
            return Err(Counter::NotStoredReadonly);
        }
        let entry = store::encode_entry(kind, key, bytes);
        let local = self.store.put_entry(kind, key, &entry).map_err(|e| {
            self.ctx
                .rec
                .log(&format!("cannot store {}: {e}", store::hex(key)));
            Counter::ErrorStoreWrite
        });
        self.remote.put(kind, key, &entry);
        local
    }

    /// Whether a remote tier answered a read of this call with a value.
    pub(crate) fn fetched(&self) -> bool {
        self.remote.fetched()
    }

    /// Whether a remote tier was asked during this call.
    pub(crate) fn asked(&self) -> bool {
        self.remote.asked()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::recorder::testing::Counting;
    use crate::remote::Remotes;
    use crate::remote::fake::{Fake, fakes};
    use crate::store::Lookup;

    const KEY: Key = [9; 32];

    /// A local store, a configuration (read-only or not), and the tiers `answers` describe.
    struct Tiers {
        counting: Counting,
        store: Store,
        config: Config,
        remotes: Remotes,
        backends: Vec<std::sync::Arc<crate::remote::fake::FakeBackend>>,
    }

    impl Tiers {
        fn new(answers: &[Fake], readonly: bool) -> Tiers {
            let counting = Counting::new();
            let dir = counting.dir.path().join("store");
            let store = Store::open(&dir).unwrap();
            let (remotes, backends) = fakes(answers);
            Tiers {
                counting,
                store,
                config: Config {
                    readonly,
                    ..Config::defaults(dir)
                },
                remotes,
                backends,
            }
        }

        /// Run `f` with the storage of one call, then return what the call counted.
        fn call(&self, f: impl FnOnce(&Storage)) -> Vec<Counter> {
            let rec = self.counting.recorder();
            let shared = Shared {
                config: &self.config,
                remotes: &self.remotes,
                rec: &rec,
            };
            let memo = self.store.aux_dir();
            f(&Storage::new(&shared, &self.store, &memo));
            rec.into_report().counters
        }

        fn local(&self) -> Lookup {
            self.store.get(Kind::Result, &KEY)
        }
    }

    #[test]
    fn a_value_from_a_remote_tier_is_back_filled_into_the_local_store() {
        let tiers = Tiers::new(&[Fake::Empty, Fake::Has], false);
        let counted = tiers.call(|storage| {
            assert_eq!(
                storage.get(Kind::Result, &KEY).as_deref(),
                Some(&b"payload"[..])
            );
            assert!(storage.fetched() && storage.asked());
        });
        assert_eq!(counted, []);
        assert!(matches!(tiers.local(), Lookup::Found(p) if p == b"payload"));
        // The next call finds it locally and asks no remote.
        tiers.call(|storage| {
            assert!(storage.get(Kind::Result, &KEY).is_some());
            assert!(!storage.asked());
        });
        assert_eq!(
            tiers.backends[1]
                .gets
                .load(std::sync::atomic::Ordering::Relaxed),
            1
        );
    }

    #[test]
    fn a_damaged_local_entry_is_counted_and_the_remote_value_replaces_it() {
        let tiers = Tiers::new(&[Fake::Has], false);
        tiers
            .store
            .put_entry(Kind::Result, &KEY, b"not an entry")
            .unwrap();
        let counted = tiers.call(|storage| {
            assert_eq!(
                storage.get(Kind::Result, &KEY).as_deref(),
                Some(&b"payload"[..])
            );
        });
        assert_eq!(counted, [Counter::ErrorStoreRead]);
        assert!(matches!(tiers.local(), Lookup::Found(_)));
    }

    #[test]
    fn put_writes_the_same_entry_file_locally_and_to_every_writable_tier() {
        let tiers = Tiers::new(&[Fake::Empty, Fake::Empty], false);
        let counted = tiers.call(|storage| {
            assert_eq!(storage.put(Kind::Result, &KEY, b"object"), Ok(()));
        });
        assert_eq!(counted, []);
        assert!(matches!(tiers.local(), Lookup::Found(p) if p == b"object"));
        let entry = store::encode_entry(Kind::Result, &KEY, b"object");
        for backend in &tiers.backends {
            assert_eq!(*backend.puts.lock().unwrap(), std::slice::from_ref(&entry));
        }
    }

    #[test]
    fn a_read_only_call_writes_nowhere_but_still_reads_every_tier() {
        let tiers = Tiers::new(&[Fake::Has], true);
        tiers.call(|storage| {
            assert_eq!(
                storage.put(Kind::Result, &KEY, b"object"),
                Err(Counter::NotStoredReadonly)
            );
            assert!(storage.get(Kind::Result, &KEY).is_some());
        });
        assert!(matches!(tiers.local(), Lookup::Missing));
        assert!(tiers.backends[0].puts.lock().unwrap().is_empty());
    }
}
