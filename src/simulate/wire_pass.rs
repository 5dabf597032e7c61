//! The two passes of section 16 as bytes, for runs spread over machines (Spark jobs):
//! pass 1's [`Sketch`] travels to the driver, the driver's [`BucketPlan`] to the machines
//! running pass 2, and their [`KeptValues`] back. Little-endian, checked like a
//! [`Block`](super::Block): hostile or truncated bytes give an error, never a panic or a
//! huge allocation.

use super::bounded::{BucketPlan, Cuts, Group, KeptValues, Sketch};
use super::rank::{Hist, Kind};
use super::wire::{bad, put_key, put_len, BlockDecodeError, Reader, KEY_BYTES};
use super::Block;

const SKETCH: &[u8; 8] = b"SPECIES1";
const PLAN: &[u8; 8] = b"SPECIEP1";
const KEPT: &[u8; 8] = b"SPECIEK1";

/// Buckets between the lowest and highest value an `i64` can take (see `rank::bucket`).
const MAX_BUCKETS: usize = 2 * 56 * 256 + 1;

fn put_kind(out: &mut Vec<u8>, kind: Kind) {
    out.push(match kind {
        Kind::Annual => 0,
        Kind::Largest => 1,
    });
}

fn header(r: &mut Reader<'_>, magic: &[u8; 8], what: &'static str) -> Result<(), BlockDecodeError> {
    if r.take(magic.len())? != magic {
        return Err(bad(what));
    }
    Ok(())
}

fn end(r: &Reader<'_>) -> Result<(), BlockDecodeError> {
    if r.rest.is_empty() {
        Ok(())
    } else {
        Err(bad("bytes follow the encoded part"))
    }
}

impl Reader<'_> {
    fn kind(&mut self) -> Result<Kind, BlockDecodeError> {
        match self.u8()? {
            0 => Ok(Kind::Annual),
            1 => Ok(Kind::Largest),
            _ => Err(bad("a value kind is unknown")),
        }
    }

    fn f64(&mut self) -> Result<f64, BlockDecodeError> {
        Ok(f64::from_bits(self.u64()?))
    }

    fn buckets(&mut self) -> Result<Vec<i32>, BlockDecodeError> {
        let n = self.len(4)?;
        (0..n).map(|_| self.i32()).collect()
    }
}

impl Sketch {
    /// The sketch as bytes, for [`Sketch::from_bytes`] elsewhere.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(SKETCH);
        let block = self.block.to_bytes();
        put_len(&mut out, block.len());
        out.extend_from_slice(&block);
        put_len(&mut out, self.hists.len());
        for ((key, kind), h) in &self.hists {
            put_key(&mut out, *key);
            put_kind(&mut out, *kind);
            // Sparse: the span, then (offset, count) of the buckets counted.
            out.extend_from_slice(&h.lo.to_le_bytes());
            put_len(&mut out, h.counts.len());
            put_len(&mut out, h.counts.iter().filter(|c| **c > 0).count());
            for (i, c) in h.counts.iter().enumerate().filter(|(_, c)| **c > 0) {
                out.extend_from_slice(&u32::try_from(i).unwrap_or(u32::MAX).to_le_bytes());
                out.extend_from_slice(&c.to_le_bytes());
            }
            out.extend_from_slice(&h.positive.to_le_bytes());
            out.extend_from_slice(&h.positive_sum.to_le_bytes());
        }
        out.extend_from_slice(&self.basis.0.to_le_bytes());
        out.extend_from_slice(&self.basis.1.to_le_bytes());
        out
    }

    /// A sketch from [`Sketch::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Sketch, BlockDecodeError> {
        let mut r = Reader { rest: bytes };
        header(&mut r, SKETCH, "it does not start with the sketch header")?;
        let n = r.len(1)?;
        let block = Block::from_bytes(r.take(n)?)?;
        let mut sketch = Sketch {
            block,
            ..Sketch::default()
        };
        let n = r.len(KEY_BYTES.saturating_add(1))?;
        for _ in 0..n {
            let k = (r.key()?, r.kind()?);
            let lo = r.i32()?;
            let span = usize::try_from(r.u64()?).map_err(|_| bad("a count is too large"))?;
            if span > MAX_BUCKETS {
                return Err(bad("a histogram spans more buckets than there are"));
            }
            let mut counts = vec![0u64; span];
            for _ in 0..r.len(12)? {
                let i = usize::try_from(r.u32()?).map_err(|_| bad("a count is too large"))?;
                let c = counts
                    .get_mut(i)
                    .ok_or(bad("a bucket lies outside its histogram"))?;
                *c = r.u64()?;
            }
            let h = Hist {
                lo,
                counts,
                positive: r.u64()?,
                positive_sum: r.i128()?,
            };
            if sketch.hists.insert(k, h).is_some() {
                return Err(bad("a histogram appears twice"));
            }
        }
        sketch.basis = (r.u64()?, r.u64()?);
        end(&r)?;
        Ok(sketch)
    }
}

impl BucketPlan {
    /// The plan as bytes, for [`BucketPlan::from_bytes`] elsewhere.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(PLAN);
        out.push(u8::from(self.joint));
        put_len(&mut out, self.buckets.len());
        for ((key, kind), buckets) in &self.buckets {
            put_key(&mut out, *key);
            put_kind(&mut out, *kind);
            put_len(&mut out, buckets.len());
            buckets
                .iter()
                .for_each(|b| out.extend_from_slice(&b.to_le_bytes()));
        }
        put_len(&mut out, self.deviations.len());
        for (key, mean) in &self.deviations {
            put_key(&mut out, *key);
            out.extend_from_slice(&mean.to_bits().to_le_bytes());
        }
        out
    }

    /// A plan from [`BucketPlan::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<BucketPlan, BlockDecodeError> {
        let mut r = Reader { rest: bytes };
        header(&mut r, PLAN, "it does not start with the plan header")?;
        let joint = match r.u8()? {
            0 => false,
            1 => true,
            _ => return Err(bad("a flag is neither 0 nor 1")),
        };
        let n = r.len(KEY_BYTES.saturating_add(1))?;
        let mut buckets = Vec::with_capacity(n);
        for _ in 0..n {
            let k = (r.key()?, r.kind()?);
            let b = r.buckets()?;
            if !b.windows(2).all(|w| w.first() < w.get(1)) {
                return Err(bad("planned buckets are not ascending"));
            }
            buckets.push((k, b));
        }
        let n = r.len(KEY_BYTES)?;
        let deviations = (0..n)
            .map(|_| Ok((r.key()?, r.f64()?)))
            .collect::<Result<Vec<_>, BlockDecodeError>>()?;
        end(&r)?;
        Ok(BucketPlan {
            buckets,
            joint,
            deviations,
        })
    }
}

impl KeptValues {
    /// The keep as bytes, for [`KeptValues::from_bytes`] elsewhere.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(KEPT);
        put_len(&mut out, self.cuts.len());
        for ((key, kind), c) in &self.cuts {
            put_key(&mut out, *key);
            put_kind(&mut out, *kind);
            put_len(&mut out, c.buckets.len());
            c.buckets
                .iter()
                .for_each(|b| out.extend_from_slice(&b.to_le_bytes()));
            put_len(&mut out, c.gaps.len());
            for (n, sum, paid) in &c.gaps {
                out.extend_from_slice(&n.to_le_bytes());
                out.extend_from_slice(&sum.to_le_bytes());
                out.extend_from_slice(&paid.to_le_bytes());
            }
            put_len(&mut out, c.values.len());
            for g in &c.values {
                put_len(&mut out, g.list.len());
                for (v, n, paid) in &g.list {
                    out.extend_from_slice(&v.to_le_bytes());
                    out.extend_from_slice(&n.to_le_bytes());
                    out.extend_from_slice(&paid.to_le_bytes());
                }
                put_len(&mut out, g.merged);
            }
        }
        put_len(&mut out, self.deviations.len());
        for (key, values) in &self.deviations {
            put_key(&mut out, *key);
            put_len(&mut out, values.len());
            values
                .iter()
                .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        }
        out
    }

    /// A keep from [`KeptValues::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<KeptValues, BlockDecodeError> {
        let mut r = Reader { rest: bytes };
        header(
            &mut r,
            KEPT,
            "it does not start with the kept-values header",
        )?;
        let n = r.len(KEY_BYTES.saturating_add(1))?;
        let mut cuts = Vec::with_capacity(n);
        for _ in 0..n {
            let k = (r.key()?, r.kind()?);
            let buckets = r.buckets()?;
            let len = r.len(40)?;
            let gaps = (0..len)
                .map(|_| Ok((r.u64()?, r.i128()?, r.i128()?)))
                .collect::<Result<Vec<_>, BlockDecodeError>>()?;
            let len = r.len(16)?;
            let mut values = Vec::with_capacity(len);
            for _ in 0..len {
                let m = r.len(32)?;
                let list = (0..m)
                    .map(|_| Ok((r.i64()?, r.u64()?, r.i128()?)))
                    .collect::<Result<Vec<_>, BlockDecodeError>>()?;
                let merged = usize::try_from(r.u64()?).map_err(|_| bad("a count is too large"))?;
                values.push(Group { list, merged });
            }
            if gaps.len() != buckets.len().saturating_add(1) || values.len() != buckets.len() {
                return Err(bad("kept values do not match their buckets"));
            }
            cuts.push((
                k,
                Cuts {
                    buckets,
                    gaps,
                    values,
                },
            ));
        }
        let n = r.len(KEY_BYTES.saturating_add(8))?;
        let mut deviations = Vec::with_capacity(n);
        for _ in 0..n {
            let key = r.key()?;
            let len = r.len(8)?;
            let values = (0..len).map(|_| r.i64()).collect::<Result<Vec<_>, _>>()?;
            deviations.push((key, values));
        }
        end(&r)?;
        Ok(KeptValues { cuts, deviations })
    }
}
