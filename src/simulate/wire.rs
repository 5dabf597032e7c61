//! A [`Block`] as bytes, to ship between machines (Spark tasks, processes): a compact
//! little-endian encoding, so that merging blocks from elsewhere costs about what
//! merging them in memory does. Decoding checks every length against the bytes left, so
//! hostile or truncated input gives an error, never a panic or a huge allocation.

use super::{Acc, Block, ClauseOrder, LayerAcc, SummaryKey};

/// First bytes of an encoded block (format version 4: parametric claim years, counters,
/// book summaries).
const MAGIC: &[u8; 8] = b"SPECIEB4";

/// Why bytes are not an encoded block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("not a simulation block: {what}")]
#[diagnostic(code(specie::simulate::block_bytes))]
pub struct BlockDecodeError {
    /// What was wrong.
    pub what: &'static str,
}

pub(super) fn bad(what: &'static str) -> BlockDecodeError {
    BlockDecodeError { what }
}

impl Block {
    /// The block as bytes, for [`Block::from_bytes`] elsewhere.
    pub fn to_bytes(&self) -> Vec<u8> {
        let values = self.summaries.values().fold(64usize, |n, a| {
            let per = a
                .annual
                .len()
                .saturating_mul(12)
                .saturating_add(a.largest.len().saturating_mul(8));
            n.saturating_add(per).saturating_add(80)
        });
        let mut out = Vec::with_capacity(values);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.years.to_le_bytes());
        out.extend_from_slice(&self.events.to_le_bytes());
        out.extend_from_slice(&self.clamped.to_le_bytes());
        put_len(&mut out, self.summaries.len());
        for (key, acc) in &self.summaries {
            put_key(&mut out, *key);
            put_acc(&mut out, acc);
        }
        put_len(&mut out, self.layers.len());
        for l in &self.layers {
            out.extend_from_slice(&l.attached.to_le_bytes());
            out.extend_from_slice(&l.exhausted.to_le_bytes());
            out.extend_from_slice(&l.premium.to_le_bytes());
        }
        put_len(&mut out, self.claim_years.len());
        for c in &self.claim_years {
            out.extend_from_slice(&c.to_le_bytes());
        }
        put_len(&mut out, self.counters.len());
        for c in &self.counters {
            out.extend_from_slice(&c.to_le_bytes());
        }
        out
    }

    /// A block from [`Block::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Block, BlockDecodeError> {
        let mut r = Reader { rest: bytes };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(bad("it does not start with the block header"));
        }
        let years = r.u64()?;
        let events = r.u64()?;
        let clamped = r.u64()?;
        let mut block = Block {
            years,
            events,
            clamped,
            ..Block::default()
        };
        let n = r.len(KEY_BYTES)?;
        for _ in 0..n {
            let key = r.key()?;
            let acc = r.acc()?;
            if block.summaries.insert(key, acc).is_some() {
                return Err(bad("a summary appears twice"));
            }
        }
        let n = r.len(32)?;
        block.layers.reserve(n);
        for _ in 0..n {
            block.layers.push(LayerAcc {
                attached: r.u64()?,
                exhausted: r.u64()?,
                premium: r.i128()?,
            });
        }
        let n = r.len(8)?;
        block.claim_years.reserve(n);
        for _ in 0..n {
            block.claim_years.push(r.u64()?);
        }
        let n = r.len(8)?;
        block.counters.reserve(n);
        for _ in 0..n {
            block.counters.push(r.u64()?);
        }
        if !r.rest.is_empty() {
            return Err(bad("bytes follow the block"));
        }
        Ok(block)
    }
}

/// Bytes of an encoded key: tag, reason, clause tag, two indices.
pub(super) const KEY_BYTES: usize = 11;

pub(super) fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u64).to_le_bytes());
}

pub(super) fn put_key(out: &mut Vec<u8>, key: SummaryKey) {
    let (tag, reason, clause, a, b): (u8, u8, u8, u32, u32) = match key {
        SummaryKey::GroundUp => (0, 0, 0, 0, 0),
        SummaryKey::Paid => (1, 0, 0, 0, 0),
        SummaryKey::Uncovered => (2, 0, 0, 0, 0),
        SummaryKey::Layer(i) => (3, 0, 0, i, 0),
        SummaryKey::Carrier(i) => (4, 0, 0, i, 0),
        SummaryKey::Net(i) => (5, 0, 0, i, 0),
        SummaryKey::Parametric => (8, 0, 0, 0, 0),
        SummaryKey::ParametricCover(i) => (9, 0, 0, i, 0),
        SummaryKey::NetRetained => (10, 0, 0, 0, 0),
        SummaryKey::Program(i, part) => (11, part, 0, i, 0),
        SummaryKey::Vendor(i) => (12, 0, 0, i, 0),
        SummaryKey::ProgramCarrier(p, c) => (13, 0, 0, p, c),
        SummaryKey::Reason(r) => (6, r, 0, 0, 0),
        SummaryKey::ReasonClause(r, c) => match c {
            ClauseOrder::Exclusion(i) => (7, r, 0, i, 0),
            ClauseOrder::Sublimit(i) => (7, r, 1, i, 0),
            ClauseOrder::Deductible(i) => (7, r, 2, i, 0),
            ClauseOrder::LayerExclusion(k, j) => (7, r, 3, k, j),
            ClauseOrder::Layer(k) => (7, r, 4, k, 0),
        },
    };
    out.extend_from_slice(&[tag, reason, clause]);
    out.extend_from_slice(&a.to_le_bytes());
    out.extend_from_slice(&b.to_le_bytes());
}

fn put_acc(out: &mut Vec<u8>, acc: &Acc) {
    out.extend_from_slice(&acc.sum.to_le_bytes());
    match acc.sum_sq {
        Some(s) => {
            out.push(1);
            out.extend_from_slice(&s.to_le_bytes());
        }
        None => {
            out.push(0);
            out.extend_from_slice(&0u128.to_le_bytes());
        }
    }
    out.extend_from_slice(&acc.nonzero.to_le_bytes());
    put_len(out, acc.annual.len());
    acc.annual
        .iter()
        .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
    put_len(out, acc.annual_years.len());
    acc.annual_years
        .iter()
        .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
    put_len(out, acc.largest.len());
    acc.largest
        .iter()
        .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
}

/// Reads from the front of a byte slice.
pub(super) struct Reader<'a> {
    pub(super) rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], BlockDecodeError> {
        if self.rest.len() < n {
            return Err(bad("it ends early"));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], BlockDecodeError> {
        self.take(N)?.try_into().map_err(|_| bad("it ends early"))
    }

    pub(super) fn u8(&mut self) -> Result<u8, BlockDecodeError> {
        Ok(self.array::<1>()?[0])
    }

    pub(super) fn u32(&mut self) -> Result<u32, BlockDecodeError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(super) fn i32(&mut self) -> Result<i32, BlockDecodeError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    pub(super) fn u64(&mut self) -> Result<u64, BlockDecodeError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub(super) fn i64(&mut self) -> Result<i64, BlockDecodeError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    pub(super) fn i128(&mut self) -> Result<i128, BlockDecodeError> {
        Ok(i128::from_le_bytes(self.array()?))
    }

    pub(super) fn u128(&mut self) -> Result<u128, BlockDecodeError> {
        Ok(u128::from_le_bytes(self.array()?))
    }

    /// A count of items of `size` bytes each, no more than the bytes left can hold.
    pub(super) fn len(&mut self, size: usize) -> Result<usize, BlockDecodeError> {
        let n = usize::try_from(self.u64()?).map_err(|_| bad("a count is too large"))?;
        if n.checked_mul(size).is_none_or(|b| b > self.rest.len()) {
            return Err(bad("a count is larger than the bytes left"));
        }
        Ok(n)
    }

    pub(super) fn key(&mut self) -> Result<SummaryKey, BlockDecodeError> {
        let (tag, reason, clause) = (self.u8()?, self.u8()?, self.u8()?);
        let (a, b) = (self.u32()?, self.u32()?);
        Ok(match (tag, clause) {
            (0, _) => SummaryKey::GroundUp,
            (1, _) => SummaryKey::Paid,
            (2, _) => SummaryKey::Uncovered,
            (3, _) => SummaryKey::Layer(a),
            (4, _) => SummaryKey::Carrier(a),
            (5, _) => SummaryKey::Net(a),
            (8, _) => SummaryKey::Parametric,
            (9, _) => SummaryKey::ParametricCover(a),
            (10, _) => SummaryKey::NetRetained,
            (11, _) if reason <= 1 => SummaryKey::Program(a, reason),
            (12, _) => SummaryKey::Vendor(a),
            (13, _) => SummaryKey::ProgramCarrier(a, b),
            (6, _) => SummaryKey::Reason(reason),
            (7, 0) => SummaryKey::ReasonClause(reason, ClauseOrder::Exclusion(a)),
            (7, 1) => SummaryKey::ReasonClause(reason, ClauseOrder::Sublimit(a)),
            (7, 2) => SummaryKey::ReasonClause(reason, ClauseOrder::Deductible(a)),
            (7, 3) => SummaryKey::ReasonClause(reason, ClauseOrder::LayerExclusion(a, b)),
            (7, 4) => SummaryKey::ReasonClause(reason, ClauseOrder::Layer(a)),
            _ => return Err(bad("a summary key is unknown")),
        })
    }

    fn acc(&mut self) -> Result<Acc, BlockDecodeError> {
        let sum = self.i128()?;
        let has_sq = self.u8()?;
        let sq = self.u128()?;
        let sum_sq = match has_sq {
            0 => None,
            1 => Some(sq),
            _ => return Err(bad("a flag is neither 0 nor 1")),
        };
        let nonzero = self.u64()?;
        let n = self.len(8)?;
        let annual = (0..n).map(|_| self.i64()).collect::<Result<Vec<_>, _>>()?;
        let n = self.len(4)?;
        let annual_years = (0..n).map(|_| self.u32()).collect::<Result<Vec<_>, _>>()?;
        let n = self.len(8)?;
        let largest = (0..n).map(|_| self.i64()).collect::<Result<Vec<_>, _>>()?;
        if annual_years.len() != annual.len() {
            return Err(bad("annual totals and their years differ in number"));
        }
        Ok(Acc {
            sum,
            sum_sq,
            nonzero,
            annual,
            annual_years,
            largest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::{simulate, simulate_years};

    #[test]
    fn blocks_round_trip_and_merge_like_one_run() {
        let (program, model) = fixture();
        let whole = simulate(&program, &model, 3000, 9, Some(2), &|_| {}).unwrap();
        let back = Block::from_bytes(&whole.to_bytes()).unwrap();
        assert_eq!(back, whole);
        // Three consecutive pieces, shipped as bytes and merged in another order.
        let pieces = [(1, 1000), (1001, 1500), (2501, 500)];
        let mut bytes: Vec<Vec<u8>> = pieces
            .iter()
            .map(|(first, n)| {
                simulate_years(&program, &model, 9, *first, *n, Some(1), &|_| {})
                    .unwrap()
                    .to_bytes()
            })
            .collect();
        bytes.reverse();
        let mut merged = Block::default();
        for b in &bytes {
            merged.merge(Block::from_bytes(b).unwrap());
        }
        let stats = |b: &Block| {
            crate::simulate::statistics(&program, &model.name, 9, b, &[10, 100]).to_json()
        };
        assert_eq!(stats(&merged), stats(&whole));
    }

    #[test]
    fn bad_bytes_are_errors() {
        let (program, model) = fixture();
        let bytes = simulate(&program, &model, 200, 1, Some(1), &|_| {})
            .unwrap()
            .to_bytes();
        // Every truncation, and every single-byte change, decodes or fails without panicking.
        for n in 0..bytes.len() {
            assert!(Block::from_bytes(&bytes[..n]).is_err(), "prefix {n}");
        }
        for i in (0..bytes.len()).step_by(7) {
            let mut b = bytes.clone();
            b[i] ^= 0xA5;
            let _ = Block::from_bytes(&b);
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(
            Block::from_bytes(&long).unwrap_err().what,
            "bytes follow the block"
        );
        // A count far beyond the bytes left is refused before allocating.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&[0; 16]);
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        assert!(Block::from_bytes(&huge).is_err());
    }

    fn fixture() -> (crate::program::Program, crate::model::Model) {
        let root = env!("CARGO_MANIFEST_DIR");
        let program = std::fs::read_to_string(format!(
            "{root}/fixtures/programs/crypto-native-crime-specie.specie"
        ))
        .unwrap();
        let model = std::fs::read_to_string(format!(
            "{root}/fixtures/models/crypto-native-crime-specie--every-kind.specie"
        ))
        .unwrap();
        let program = crate::compile::compile_str(&program).unwrap().program;
        let model = crate::compile::compile_model_str(&model, &program)
            .unwrap()
            .model;
        (program, model)
    }
}
