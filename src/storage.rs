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
