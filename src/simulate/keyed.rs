//! A list of values by key (a simulation's summary keys) in the order the keys were first met: searched while
//! short (the common year meets a few reasons and clauses), indexed by a hash map once long
//! (a wide tower meets one `aggregate_exhausted` clause key per layer in each occurrence).

use std::collections::HashMap;
use std::hash::Hash;

/// Entries searched one by one below this many; found through the index from there.
const SEARCHED: usize = 16;

/// Values by key, in first-met order.
#[derive(Clone, Debug)]
pub(crate) struct Keyed<K, V> {
    list: Vec<(K, V)>,
    /// Each key's place in `list`, kept once `list` has [`SEARCHED`] entries.
    // INVARIANT: empty, or holding every key of `list` with its place.
    index: HashMap<K, usize>,
}

impl<K, V> Default for Keyed<K, V> {
    fn default() -> Self {
        Keyed {
            list: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<K: Copy + Eq + Hash, V> Keyed<K, V> {
    /// Updates the value of `key` with `update`, or appends `new()` when the key is new.
    pub(crate) fn upsert(&mut self, key: K, new: impl FnOnce() -> V, update: impl FnOnce(&mut V)) {
        let found = if self.index.is_empty() {
            self.list.iter().position(|(k, _)| *k == key)
        } else {
            self.index.get(&key).copied()
        };
        if let Some(at) = found {
            // INVARIANT: a place found is a place of `list`.
            if let Some((_, v)) = self.list.get_mut(at) {
                update(v);
            }
            return;
        }
        let at = self.list.len();
        self.list.push((key, new()));
        if !self.index.is_empty() {
            self.index.insert(key, at);
        } else if self.list.len() >= SEARCHED {
            self.index = (self.list.iter().enumerate())
                .map(|(i, (k, _))| (*k, i))
                .collect();
        }
    }

    /// Every entry, in first-met order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &(K, V)> {
        self.list.iter()
    }

    /// No entries (the buffers kept).
    pub(crate) fn clear(&mut self) {
        self.list.clear();
        self.index.clear();
    }

    /// The entries, in first-met order.
    pub(crate) fn into_vec(self) -> Vec<(K, V)> {
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The same sums in the same order as a searched list, below and past the length
        /// at which the index takes over, and again after a clear.
        #[test]
        fn keyed_sums_equal_searched_sums(
            rounds in proptest::collection::vec(
                proptest::collection::vec((0u32..40, any::<bool>(), -5i64..100), 0..120),
                1..4,
            ),
        ) {
            let mut keyed: Keyed<(bool, u32), i64> = Keyed::default();
            for adds in &rounds {
                keyed.clear();
                let mut searched: Vec<((bool, u32), i64)> = Vec::new();
                for (n, layer, v) in adds {
                    let k = (*layer, *n);
                    keyed.upsert(k, || *v, |e| *e += *v);
                    match searched.iter_mut().find(|(kk, _)| *kk == k) {
                        Some(e) => e.1 += *v,
                        None => searched.push((k, *v)),
                    }
                }
                prop_assert_eq!(keyed.iter().cloned().collect::<Vec<_>>(), searched);
            }
        }
    }
}
