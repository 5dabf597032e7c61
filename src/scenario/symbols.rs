//! Interned symbols (causes, tiers, assets), so the engine compares integers.
//!
//! Every event looks up its cause and each line's tier and asset, so the lookup is a small
//! open-addressing table keyed by a name's length and first 16 bytes, read as two words: a
//! name of at most 16 bytes is found by comparing two words and a length, with no
//! byte-at-a-time hash and no call to compare bytes. Only the program's names are
//! interned; an event's names are looked up, never added, so input cannot grow the table
//! or lengthen its probes. Test `table_lookups_equal_map_lookups` compares it with a map.

/// Id given to symbols the program never names: they equal no symbol in a condition.
pub const OTHER_SYMBOL: u32 = u32::MAX;

/// Interned symbols: each name's id is the order in which it was first interned.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    /// Names by id.
    names: Vec<String>,
    /// A power of two of slots, at most half of them used (none when no name is interned).
    slots: Vec<Slot>,
}

/// A slot of the table: a name's key and id, or empty (`id` [`OTHER_SYMBOL`]).
#[derive(Clone, Copy, Debug)]
struct Slot {
    words: [u64; 2],
    len: usize,
    id: u32,
}

const EMPTY: Slot = Slot {
    words: [0; 2],
    len: 0,
    id: OTHER_SYMBOL,
};

/// Names longer than this are also compared byte by byte after their key.
const KEY_BYTES: usize = 16;

/// Where a name's probe ends.
enum Probe {
    /// At the name's slot: its id.
    Found(u32),
    /// At an empty slot, where the name would go.
    Vacant(usize),
    /// Nowhere: the table has no slot (no name interned yet).
    Full,
}

impl Symbols {
    /// The id of `name`, interning it.
    pub fn intern(&mut self, name: &str) -> u32 {
        let bytes = name.as_bytes();
        let vacant = match self.probe(bytes) {
            Probe::Found(id) => return id,
            Probe::Vacant(at) => Some(at),
            Probe::Full => None,
        };
        let Ok(id) = u32::try_from(self.names.len()) else {
            return OTHER_SYMBOL;
        };
        if id == OTHER_SYMBOL {
            return OTHER_SYMBOL;
        }
        self.names.push(name.to_string());
        match vacant {
            Some(at) if self.names.len().saturating_mul(2) <= self.slots.len() => {
                self.fill(at, bytes, id);
            }
            _ => self.rebuild(),
        }
        id
    }

    /// Number of symbols interned.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no symbol was interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The id of `name`, or [`OTHER_SYMBOL`] when the program never names it.
    pub fn get(&self, name: &str) -> u32 {
        match self.probe(name.as_bytes()) {
            Probe::Found(id) => id,
            Probe::Vacant(_) | Probe::Full => OTHER_SYMBOL,
        }
    }

    /// Walks `bytes`' probe from its first slot to its name's slot or an empty one.
    // Always inlined: in `get`, the per-event lookup, the probe's outcome folds away.
    #[inline(always)]
    fn probe(&self, bytes: &[u8]) -> Probe {
        let words = words(bytes);
        let mask = self.slots.len().wrapping_sub(1);
        let mut at = slot_of(words, bytes.len(), mask);
        // INVARIANT: at least half the slots are empty, so a probe ends within the table.
        for _ in 0..self.slots.len() {
            let Some(slot) = self.slots.get(at) else {
                break;
            };
            if slot.id == OTHER_SYMBOL {
                return Probe::Vacant(at);
            }
            if slot.words == words && slot.len == bytes.len() && self.same_tail(slot.id, bytes) {
                return Probe::Found(slot.id);
            }
            at = at.wrapping_add(1) & mask;
        }
        Probe::Full
    }

    /// Whether name `id` equals `bytes` past the key (the key already matched).
    fn same_tail(&self, id: u32, bytes: &[u8]) -> bool {
        bytes.len() <= KEY_BYTES
            || self
                .names
                .get(id as usize)
                .is_some_and(|n| n.as_bytes() == bytes)
    }

    /// Name `id`'s key and id into slot `at`.
    fn fill(&mut self, at: usize, bytes: &[u8], id: u32) {
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = Slot {
                words: words(bytes),
                len: bytes.len(),
                id,
            };
        }
    }

    /// A table twice the size needed, every name placed again (in the empty slot its
    /// probe reaches: names are distinct, so none is found).
    fn rebuild(&mut self) {
        let size = self
            .names
            .len()
            .saturating_mul(2)
            .checked_next_power_of_two()
            .unwrap_or(usize::MAX)
            .max(8);
        self.slots = vec![EMPTY; size];
        let names = std::mem::take(&mut self.names);
        for (id, name) in names.iter().enumerate() {
            let bytes = name.as_bytes();
            if let (Probe::Vacant(at), Ok(id)) = (self.probe(bytes), u32::try_from(id)) {
                self.fill(at, bytes, id);
            }
        }
        self.names = names;
    }
}

/// The first slot of a key's probe.
fn slot_of(words: [u64; 2], len: usize, mask: usize) -> usize {
    let [a, b] = words;
    let h = (a ^ b.rotate_left(29) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 32) as usize & mask
}

/// A name's key: its first 16 bytes as two little-endian words, zero past its end.
fn words(bytes: &[u8]) -> [u64; 2] {
    let word = |b: &[u8]| b.first_chunk::<8>().map(|c| u64::from_le_bytes(*c));
    match (word(bytes), bytes.get(8..)) {
        (Some(first), Some(rest)) if rest.len() >= 8 => [first, word(rest).unwrap_or(0)],
        // 8 to 15 bytes: the last eight bytes, shifted past those the first word holds.
        (Some(first), Some(rest)) => {
            let last = bytes
                .last_chunk::<8>()
                .map_or(0, |c| u64::from_le_bytes(*c));
            let past = 8usize.saturating_sub(rest.len()).saturating_mul(8);
            [first, last.checked_shr(past as u32).unwrap_or(0)]
        }
        _ => [short_word(bytes), 0],
    }
}

/// Fewer than eight bytes as a little-endian word, zero past their end.
fn short_word(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take(8)
        .rev()
        .fold(0, |w, b| (w << 8) | u64::from(*b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// The key of a name, byte by byte.
    fn words_by_bytes(bytes: &[u8]) -> [u64; 2] {
        let mut w = [0u8; 16];
        for (d, s) in w.iter_mut().zip(bytes) {
            *d = *s;
        }
        [
            u64::from_le_bytes(w[..8].try_into().unwrap()),
            u64::from_le_bytes(w[8..].try_into().unwrap()),
        ]
    }

    #[test]
    fn keys_are_the_first_sixteen_bytes() {
        let text = b"abcdefghijklmnopqrstu\0\x01\xff";
        for end in 0..text.len() {
            assert_eq!(
                words(&text[..end]),
                words_by_bytes(&text[..end]),
                "{end} bytes"
            );
        }
    }

    /// Names that share keys or prefixes: lengths around the two words' edges.
    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ab]{0,3}",
            "[ab]{6,10}",
            "[ab]{14,18}",
            "external_hack[a-z_]{0,6}",
            "a\u{0}{0,3}",
        ]
    }

    proptest! {
        #[test]
        fn table_lookups_equal_map_lookups(
            interned in proptest::collection::vec(name(), 0..40),
            looked_up in proptest::collection::vec(name(), 0..40),
        ) {
            let mut symbols = Symbols::default();
            let mut map: HashMap<String, u32> = HashMap::new();
            for n in &interned {
                let next = map.len() as u32;
                let want = *map.entry(n.clone()).or_insert(next);
                prop_assert_eq!(symbols.intern(n), want, "interning {:?}", n);
            }
            prop_assert_eq!(symbols.len(), map.len());
            for n in interned.iter().chain(&looked_up) {
                let want = map.get(n).copied().unwrap_or(OTHER_SYMBOL);
                prop_assert_eq!(symbols.get(n), want, "looking up {:?}", n);
            }
        }
    }

    #[test]
    fn an_empty_table_names_nothing() {
        let symbols = Symbols::default();
        assert!(symbols.is_empty());
        assert_eq!(symbols.get(""), OTHER_SYMBOL);
        assert_eq!(symbols.get("hot"), OTHER_SYMBOL);
    }
}
