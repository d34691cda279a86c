//! Re-stats the files the database has read (includes, catalogs, `dslc.toml`) for clients that
//! cannot register file watchers, so a file changed on disk shows in the next diagnostics.
//!
//! A stat per known file is cheap next to a re-check; only a file whose size or modification
//! time changed is read again, and the database re-runs only what depends on it.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::SystemTime;

use dslc_db::Database;

/// What a stat says about a file: absent, or its modification time and length.
type Stamp = Option<(Option<SystemTime>, u64)>;

fn stamp(path: &std::path::Path) -> Stamp {
    std::fs::metadata(path).ok().map(|m| (m.modified().ok(), m.len()))
}

#[derive(Default)]
pub(crate) struct Restat {
    stamps: HashMap<PathBuf, Stamp>,
}

impl Restat {
    /// Reloads every known file that is not open in the editor and whose stamp changed since the
    /// last call. A file seen for the first time is reloaded once, since it may have changed
    /// between the database's first read and now. Returns how many files were reloaded.
    pub(crate) fn refresh<T>(&mut self, db: &mut Database, open: &BTreeMap<PathBuf, T>) -> usize {
        let mut reloaded = 0;
        for path in db.known_paths() {
            if open.contains_key(&path) {
                continue;
            }
            let now = stamp(&path);
            if self.stamps.get(&path) != Some(&now) {
                db.reload_from_disk(&path);
                self.stamps.insert(path, now);
                reloaded += 1;
            }
        }
        reloaded
    }
}
