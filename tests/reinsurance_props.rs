//! Property tests of reinsurance (spec section 9) on random treaty graphs: per-entity
//! conservation (gross = ceded + net, exactly), nets never negative, money neither created
//! nor lost along the chain, and the compiler's cycle verdict against an independent search.

use proptest::prelude::*;
use rust_decimal::Decimal;
use specie::replay::replay;
use specie::scenario::Scenario;
use std::collections::HashSet;
use std::fmt::Write;

/// Entities E0..E5; E0..E2 are carriers of the tower.
const ENTITIES: usize = 6;

#[derive(Clone, Debug)]
struct TreatySpec {
    cedent: usize,
    /// Quota share percent (1..=100), or an excess (limit, attachment) in whole units.
    form: Result<u32, (u32, u32)>,
    reinsurers: Vec<(usize, u32)>,
    aggregate: Option<u32>,
    /// Inure after this many earlier treaties of the same cedent (the latest ones).
    inure_after_earlier: bool,
}

fn treaty() -> impl Strategy<Value = TreatySpec> {
    (
        0usize..ENTITIES,
        prop_oneof![
            (1u32..=100).prop_map(Ok),
            (1u32..2_000_000, 0u32..1_000_000).prop_map(Err)
        ],
        prop::collection::vec((0usize..ENTITIES, 1u32..60), 1..3),
        prop::option::of(1u32..3_000_000),
        any::<bool>(),
    )
        .prop_map(
            |(cedent, form, reinsurers, aggregate, inure_after_earlier)| TreatySpec {
                cedent,
                form,
                reinsurers,
                aggregate,
                inure_after_earlier,
            },
        )
}

fn source(treaties: &[TreatySpec]) -> String {
    let mut s = String::from(
        "program \"Reinsured\" {\n  period 2026-01-01 to 2027-01-01\n  deductible 10k per occurrence\n\
         layer \"Primary\" 1M xs 0 { carrier \"E0\" 70% carrier \"E1\" 30% }\n\
         layer \"Excess\" 4M xs 1M { carrier \"E1\" 50% carrier \"E2\" 45.5% }\n",
    );
    for (i, t) in treaties.iter().enumerate() {
        match t.form {
            Ok(p) => {
                let _ = writeln!(s, "  treaty \"T{i}\" quota share {p}% {{");
            }
            Err((l, a)) => {
                let _ = writeln!(s, "  treaty \"T{i}\" {l} xs {a} per occurrence {{");
            }
        }
        let _ = writeln!(s, "    cedent \"E{}\"", t.cedent);
        let mut seen = HashSet::new();
        for (r, share) in &t.reinsurers {
            if seen.insert(*r) {
                let _ = writeln!(s, "    reinsurer \"E{r}\" {share}%");
            }
        }
        if let Some(a) = t.aggregate {
            let _ = writeln!(s, "    aggregate {a}");
        }
        if t.inure_after_earlier {
            if let Some(j) = (0..i).rev().find(|j| treaties[*j].cedent == t.cedent) {
                let _ = writeln!(s, "    inures after \"T{j}\"");
            }
        }
        s.push_str("  }\n");
    }
    s.push_str("}\n");
    s
}

/// Entities that are carriers or reinsurers (valid cedents).
fn known(treaties: &[TreatySpec]) -> HashSet<usize> {
    let mut k: HashSet<usize> = [0, 1, 2].into_iter().collect();
    for t in treaties {
        k.extend(t.reinsurers.iter().map(|(r, _)| *r));
    }
    k
}

/// An independent cycle search: can an entity reach itself along cedent → reinsurer edges?
fn has_cycle(treaties: &[TreatySpec]) -> bool {
    let edges: Vec<(usize, usize)> = treaties
        .iter()
        .flat_map(|t| t.reinsurers.iter().map(move |(r, _)| (t.cedent, *r)))
        .collect();
    (0..ENTITIES).any(|start| {
        let mut stack: Vec<usize> = edges
            .iter()
            .filter(|(a, _)| *a == start)
            .map(|(_, b)| *b)
            .collect();
        let mut seen = HashSet::new();
        while let Some(n) = stack.pop() {
            if n == start {
                return true;
            }
            if seen.insert(n) {
                stack.extend(edges.iter().filter(|(a, _)| *a == n).map(|(_, b)| *b));
            }
        }
        false
    })
}

fn scenario(losses: &[u32]) -> Scenario {
    let mut s = String::from("{\"name\": \"s\", \"events\": [");
    for (i, l) in losses.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            "{{\"id\": \"E{i:03}\", \"cause\": \"external_hack\", \"occurred\": \"2026-03-{:02}T00:00:00Z\", \
             \"losses\": [{{\"tier\": \"hot\", \"amount\": \"{l}.{:02}\"}}]}}",
            1 + i % 28,
            i % 97
        );
    }
    s.push_str("]}");
    Scenario::from_json(&s).unwrap()
}

fn cycle_code(src: &str) -> Option<String> {
    let err = specie::compile_str(src).err()?;
    let specie::SourceError::Compile(c) = err else {
        panic!("does not parse: {src}")
    };
    Some(
        c.errors
            .iter()
            .map(|e| {
                miette::Diagnostic::code(e)
                    .map(|c| c.to_string())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(","),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The compiler rejects exactly the cyclic graphs (with valid cedents and shares), and
    /// every acyclic graph evaluates.
    #[test]
    fn cycles_are_rejected_and_acyclic_graphs_evaluate(
        treaties in prop::collection::vec(treaty(), 0..7),
        losses in prop::collection::vec(1u32..6_000_000, 1..5),
    ) {
        let k = known(&treaties);
        prop_assume!(treaties.iter().all(|t| k.contains(&t.cedent)));
        prop_assume!(treaties.iter().all(|t| {
            let mut seen = HashSet::new();
            t.reinsurers.iter().filter(|(r, _)| seen.insert(*r)).map(|(_, s)| s).sum::<u32>() <= 100
        }));
        let src = source(&treaties);
        let cyclic = has_cycle(&treaties);
        match cycle_code(&src) {
            Some(codes) => {
                prop_assert!(cyclic, "rejected an acyclic graph with {codes}:\n{src}");
                prop_assert_eq!(codes, "specie::treaty::cycle");
            }
            None => {
                prop_assert!(!cyclic, "accepted a cyclic graph:\n{src}");
                let program = specie::compile_str(&src).unwrap().program;
                let r = replay(&program, &scenario(&losses)).unwrap();
                if !treaties.is_empty() {
                    prop_assert_eq!(r.totals.entities.len(), k.len().max(3));
                }
            }
        }
    }

    /// Per event and in total: gross = ceded + net, net ≥ 0, ceded = sum of the treaties'
    /// cessions = sum of the reinsurers' parts, and the nets add up to what carriers paid.
    #[test]
    fn every_entity_conserves_money(
        treaties in prop::collection::vec(treaty(), 1..7),
        losses in prop::collection::vec(1u32..6_000_000, 1..6),
    ) {
        // Acyclic by construction: every treaty cedes to entities of a higher index, and a
        // cedent that is neither carrier nor reinsurer becomes a carrier.
        let mut treaties = treaties;
        for t in &mut treaties {
            t.cedent %= ENTITIES - 1;
            let room = ENTITIES - 1 - t.cedent;
            for (r, _) in &mut t.reinsurers {
                *r = t.cedent + 1 + *r % room;
            }
        }
        let k = known(&treaties);
        for t in &mut treaties {
            if !k.contains(&t.cedent) {
                t.cedent %= 3;
            }
        }
        prop_assert!(!has_cycle(&treaties));
        prop_assume!(treaties.iter().all(|t| {
            let mut seen = HashSet::new();
            t.reinsurers.iter().filter(|(r, _)| seen.insert(*r)).map(|(_, s)| s).sum::<u32>() <= 100
        }));
        let src = source(&treaties);
        let program = specie::compile_str(&src).unwrap().program;
        let r = replay(&program, &scenario(&losses)).unwrap();
        let views = r
            .events
            .iter()
            .map(|e| (&e.entities, e.paid, Some(e)))
            .chain(std::iter::once((&r.totals.entities, r.totals.paid, None)));
        for (entities, paid, event) in views {
            prop_assert!(!entities.is_empty());
            let mut nets = Decimal::ZERO;
            for e in entities {
                prop_assert_eq!(e.gross, e.ceded + e.net, "{}", e.entity);
                prop_assert!(e.net >= Decimal::ZERO, "{} net {}", e.entity, e.net);
                let by_treaty: Decimal = e.treaties.iter().map(|t| t.ceded).sum();
                prop_assert_eq!(e.ceded, by_treaty);
                for t in &e.treaties {
                    let parts: Decimal = t.reinsurers.iter().map(|p| p.amount).sum();
                    prop_assert_eq!(t.ceded, parts);
                }
                nets += e.net;
            }
            prop_assert_eq!(nets, paid, "nets do not add up to what carriers paid");
            // Gross = paid as a carrier + received as a reinsurer.
            if let Some(ev) = event {
                for e in entities {
                    let direct: Decimal = ev
                        .layers
                        .iter()
                        .flat_map(|l| &l.carriers)
                        .filter(|c| c.carrier == e.entity)
                        .map(|c| c.paid)
                        .sum();
                    let received: Decimal = entities
                        .iter()
                        .flat_map(|x| &x.treaties)
                        .flat_map(|t| &t.reinsurers)
                        .filter(|p| p.reinsurer == e.entity)
                        .map(|p| p.amount)
                        .sum();
                    prop_assert_eq!(e.gross, direct + received, "{}", e.entity);
                }
            }
        }
    }
}
