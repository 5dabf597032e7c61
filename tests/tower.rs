//! `specie tower`: the finding fixtures give exactly their codes, every program fixture's
//! analysis matches its golden JSON and text snapshot, the SVG is well-formed with one box
//! per layer and per carrier share, hand-checked recoveries, and structural errors exit 1.
//! Set `SPECIE_UPDATE_EXPECTED=1` to rewrite `fixtures/expected/tower/*.json`.

mod common;

use common::{files, root, specie, stem};
use quick_xml::events::Event;
use quick_xml::Reader;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::str::FromStr;

fn all_programs() -> Vec<PathBuf> {
    let mut v = files("fixtures/programs", "specie");
    v.extend(files("fixtures/tower", "specie"));
    v
}

fn rel(p: &std::path::Path) -> String {
    p.strip_prefix(root()).unwrap().display().to_string()
}

fn analyse(path: &std::path::Path) -> (specie::program::Program, specie::tower::Tower) {
    let src = std::fs::read_to_string(path).unwrap();
    let program = specie::compile_str(&src).unwrap().program;
    let t = specie::tower::analyse(&program, &Default::default()).unwrap();
    (program, t)
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn finding_fixtures_give_exactly_their_codes() {
    let mut seen = BTreeSet::new();
    for path in files("fixtures/tower", "specie") {
        let src = std::fs::read_to_string(&path).unwrap();
        let expected: BTreeSet<String> = src
            .lines()
            .filter_map(|l| l.strip_prefix("# finding: "))
            .map(str::to_string)
            .collect();
        assert!(
            !expected.is_empty(),
            "{}: no `# finding:` line",
            path.display()
        );
        let (_, t) = analyse(&path);
        let got: BTreeSet<String> = t.findings.iter().map(|f| f.code.clone()).collect();
        assert_eq!(got, expected, "{}", path.display());
        for f in &t.findings {
            assert!(
                !f.labels.is_empty(),
                "{}: {} has no span",
                path.display(),
                f.code
            );
        }
        seen.extend(got);
    }
    // Every code the analysis knows is triggered by some fixture.
    let all: BTreeSet<String> = specie::tower::findings::FINDING_CODES
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(seen, all);
}

#[test]
fn allow_silences_and_is_reported() {
    let (_, t) = analyse(&root().join("fixtures/tower/allow.specie"));
    assert!(t
        .findings
        .iter()
        .all(|f| f.code != "specie::advice::vendor_breach_not_covered"));
    assert_eq!(t.silenced.len(), 1);
    assert_eq!(
        t.silenced[0].code,
        "specie::advice::vendor_breach_not_covered"
    );
    assert_eq!(t.silenced[0].count, 1);
    let (code, out, _) = specie(&["tower", "fixtures/tower/allow.specie"]);
    assert_eq!(code, 0);
    assert!(out.contains("silenced by `allow`"));
}

#[test]
fn hand_checked_total_losses() {
    // Crypto-native program, total loss of the 40M hot exposure by external hack:
    // sub-limit "Hot wallets" 25M per occurrence -> 15,000,000 sublimit;
    // deductibles: Standard 1,000,000 vs Hot retention 5% x 25,000,000 = 1,250,000 (within
    // 500k-2.5M), the larger is taken -> 1,250,000; 23,750,000 to the tower: Primary 10M,
    // First excess 13.75M -> paid 23,750,000. Vendor breach: Hot wallets 15M, then the
    // 5M vendor aggregate takes 20M; Standard 1M -> 4,000,000 paid (the worst cause).
    let (_, t) = analyse(&root().join("fixtures/programs/crypto-native-crime-specie.specie"));
    let hot = t.tiers.iter().find(|x| x.tier == "hot").unwrap();
    let hack = hot
        .recoveries
        .iter()
        .find(|r| r.cause == "external_hack")
        .unwrap();
    assert_eq!(hack.paid, dec("23750000.00"));
    assert_eq!(hack.to_tower, dec("23750000.00"));
    let vendor = hot
        .recoveries
        .iter()
        .find(|r| r.cause == "vendor_breach")
        .unwrap();
    assert_eq!(vendor.paid, dec("4000000.00"));
    assert_eq!(hot.best.as_deref(), Some("external_hack"));
    assert_eq!(hot.worst.as_deref(), Some("vendor_breach"));
    // Capacity: Northgate 10M line, 20M aggregate (10M x (1 + 1 reinstatement)), 10% of
    // the 100M tower; Atlas Re 50M = 50%, not above the 50% threshold.
    let ng = t
        .entities
        .iter()
        .find(|e| e.entity == "Northgate Specialty")
        .unwrap();
    assert_eq!(ng.max_line, dec("10000000.00"));
    assert_eq!(ng.max_aggregate, Some(dec("20000000.00")));
    assert_eq!(ng.share_of_tower, dec("10"));
    assert!(t
        .findings
        .iter()
        .all(|f| f.code != "specie::tower::concentration"));

    // Bare hot exposure: 250M hot, Standard deductible 2M -> 248M to a 100M tower:
    // paid 100,000,000; above_tower 148,000,000; uncovered beyond retentions 148M.
    let (_, t) = analyse(&root().join("fixtures/tower/bare-hot-exposure.specie"));
    let hot = &t.tiers[0];
    assert_eq!(hot.recoveries[0].paid, dec("100000000.00"));
    assert_eq!(hot.recoveries[0].to_tower, dec("248000000.00"));
    let f = t
        .findings
        .iter()
        .find(|f| f.code == "specie::advice::hot_exposure_above_recovery")
        .unwrap();
    assert!(f.message.contains("148,000,000.00"), "{}", f.message);

    // Gap fixture: Primary tops at 10M, Excess attaches at 15M -> a 5M gap.
    let (_, t) = analyse(&root().join("fixtures/tower/gap.specie"));
    let gap = t.bands.iter().find(|b| b.layer.is_none()).unwrap();
    assert_eq!((gap.from, gap.to), (dec("10000000.00"), dec("15000000.00")));

    // Concentration: Atlas Re 15M + 58.82% x 85M = 15M + 49,997,000 = 64,997,000 of 100M.
    let (_, t) = analyse(&root().join("fixtures/tower/concentration.specie"));
    let atlas = t.entities.iter().find(|e| e.entity == "Atlas Re").unwrap();
    assert_eq!(atlas.max_line, dec("64997000.00"));
    assert_eq!(atlas.share_of_tower, dec("65"));

    // Reinsured staking program at a full-tower loss of 25M: Alpine cedes 90% quota share
    // (22.5M: Glacier 13.5M, Lakeside 9M), keeps 2.5M; the XL cedes min(2.5M - 500k, 1.5M)
    // = 1.5M, cut to its 400k aggregate -> Alpine net 2,100,000. Glacier: 13.5M + 400k =
    // 13.9M gross, retro 25% = 3,475,000, Summit 80% = 2,780,000 -> net 11,120,000.
    let (_, t) = analyse(&root().join("fixtures/programs/reinsured-crime-staking.specie"));
    let alpine = t
        .entities
        .iter()
        .find(|e| e.entity == "Alpine Fronting AG")
        .unwrap();
    assert_eq!(alpine.max_net, dec("2100000.00"));
    let glacier = t
        .entities
        .iter()
        .find(|e| e.entity == "Glacier Re")
        .unwrap();
    assert_eq!(glacier.assumed, dec("13900000.00"));
    assert_eq!(glacier.max_net, dec("11120000.00"));
}

#[test]
fn every_program_matches_its_golden_tower_json() {
    std::fs::create_dir_all(root().join("fixtures/expected/tower")).unwrap();
    for path in all_programs() {
        let (code, out, err) = specie(&["tower", &rel(&path), "--json"]);
        assert_eq!(code, 0, "{}: {err}", path.display());
        let golden = root().join(format!("fixtures/expected/tower/{}.json", stem(&path)));
        common::golden(&golden, &out);
        // Findings in JSON carry line and column.
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        for f in v["findings"].as_array().unwrap() {
            assert!(f["line"].as_u64().unwrap() >= 1);
            assert!(f["code"].as_str().unwrap().starts_with("specie::"));
        }
    }
}

#[test]
fn tower_text_snapshots() {
    for path in all_programs() {
        let (code, out, err) = specie(&["tower", &rel(&path)]);
        assert_eq!(code, 0, "{}: {err}", path.display());
        insta::assert_snapshot!(format!("tower_{}", stem(&path)), out);
    }
}

/// Counts `<rect>` elements by class in an SVG, checking the document is well-formed XML.
fn rects(svg: &str) -> std::collections::BTreeMap<String, Vec<(String, String)>> {
    let mut reader = Reader::from_str(svg);
    let mut out: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
    let mut elements = 0usize;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                if e.name().as_ref() == b"rect" {
                    let mut class = String::new();
                    let mut layer = String::new();
                    let mut carrier = String::new();
                    for a in e.attributes() {
                        let a = a.unwrap();
                        let v = a.unescape_value().unwrap().into_owned();
                        match a.key.as_ref() {
                            b"class" => class = v,
                            b"data-layer" => layer = v,
                            b"data-carrier" => carrier = v,
                            _ => {}
                        }
                    }
                    out.entry(class).or_default().push((layer, carrier));
                }
                elements += 1;
            }
            _ => {}
        }
    }
    assert!(elements > 0);
    out
}

#[test]
fn svg_has_one_box_per_layer_and_share() {
    let dir = std::env::temp_dir().join(format!("specie-svg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for path in all_programs() {
        let (program, t) = analyse(&path);
        let svg = specie::tower::svg::svg(&t, &program, None);
        let r = rects(&svg);
        let layers: Vec<String> = r
            .get("layer")
            .map(|v| v.iter().map(|(l, _)| l.clone()).collect())
            .unwrap_or_default();
        let expected: Vec<String> = program.layers.iter().map(|l| l.name.clone()).collect();
        assert_eq!(layers, expected, "{}", path.display());
        let shares: Vec<(String, String)> = r.get("share").cloned().unwrap_or_default();
        let expected: Vec<(String, String)> = program
            .layers
            .iter()
            .flat_map(|l| l.carriers.iter().map(|c| (l.name.clone(), c.name.clone())))
            .collect();
        assert_eq!(shares, expected, "{}", path.display());
        let unplaced = r.get("unplaced").map_or(0, Vec::len);
        let expected = t
            .layers
            .iter()
            .filter(|l| l.unplaced.percent > Decimal::ZERO)
            .count();
        assert_eq!(unplaced, expected, "{}", path.display());
        let gaps = r.get("gap").map_or(0, Vec::len);
        assert_eq!(gaps, t.bands.iter().filter(|b| b.layer.is_none()).count());
        let exposures = r.get("exposure").map_or(0, Vec::len);
        assert_eq!(exposures, program.exposures.len());
    }
    // The CLI writes the same chart, with the event line.
    let out = dir.join("broker.svg");
    let (code, _, err) = specie(&[
        "tower",
        "fixtures/programs/broker-tower.specie",
        "--svg",
        out.to_str().unwrap(),
        "--scenario",
        "fixtures/scenarios/broker-tower--year-of-exchange-losses.json",
        "--event",
        "btcturk-2025-08",
    ]);
    assert_eq!(code, 0, "{err}");
    let svg = std::fs::read_to_string(&out).unwrap();
    rects(&svg);
    assert!(svg.contains(r#"class="event""#));
    // 48M hot loss: Hot wallets sub-limit 40M, deductible -> the label states it.
    assert!(svg.contains("btcturk-2025-08: "), "{svg}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn structural_errors_stop_the_analysis() {
    for (file, code) in [
        (
            "fixtures/invalid/overplaced.specie",
            "specie::tower::overplaced",
        ),
        (
            "fixtures/invalid/treaty-spiral.specie",
            "specie::treaty::cycle",
        ),
    ] {
        let (status, out, err) = specie(&["tower", file]);
        assert_eq!(status, 1, "{file}");
        assert!(out.is_empty());
        assert!(err.contains(code), "{file}: {err}");
    }
    let (status, _, err) = specie(&[
        "tower",
        "fixtures/programs/broker-tower.specie",
        "--concentration",
        "140",
    ]);
    assert_eq!(status, 2);
    assert!(err.contains("--concentration"));
    // A lower threshold finds more concentration.
    let (_, out, _) = specie(&[
        "tower",
        "fixtures/programs/crypto-native-crime-specie.specie",
        "--concentration",
        "40%",
    ]);
    assert!(out.contains("specie::tower::concentration"));
    assert!(out.contains("`Atlas Re` carries USD 50,000,000 of the tower's USD 100,000,000"));
}

/// `allow specie::tower::gap` silenced `specie tower` while `specie check` still warned under
/// the same code: both honour it now.
#[test]
fn allow_silences_a_finding_in_check_and_tower_alike() {
    let src = |allow: &str| {
        format!(
            "program \"x\" {{\n  period 2026-01-01 to 2027-01-01\n{allow}  layer \"P\" 10M xs 0 {{ carrier \"A\" 60% carrier \"B\" 40% }}\n  layer \"X\" 10M xs 20M {{ carrier \"A\" 50% carrier \"B\" 40% }}\n}}\n"
        )
    };
    let codes = |text: &str| -> (Vec<String>, Vec<String>) {
        let c = specie::compile_str(text).unwrap();
        let check = c
            .warnings
            .iter()
            .map(|w| miette::Diagnostic::code(w).unwrap().to_string())
            .collect();
        let tower = specie::tower::analyse(&c.program, &Default::default())
            .unwrap()
            .findings
            .iter()
            .map(|f| f.code.clone())
            .filter(|c| {
                c.starts_with("specie::tower::gap") || c.starts_with("specie::tower::unplaced")
            })
            .collect();
        (check, tower)
    };
    let (check, tower) = codes(&src(""));
    assert!(
        check.contains(&"specie::tower::gap".to_string()),
        "{check:?}"
    );
    assert!(
        check.contains(&"specie::tower::unplaced".to_string()),
        "{check:?}"
    );
    assert!(
        tower.contains(&"specie::tower::gap".to_string()),
        "{tower:?}"
    );
    let (check, tower) = codes(&src("  allow specie::tower::gap\n"));
    assert!(
        !check.contains(&"specie::tower::gap".to_string()),
        "{check:?}"
    );
    assert!(
        !tower.contains(&"specie::tower::gap".to_string()),
        "{tower:?}"
    );
    assert!(
        check.contains(&"specie::tower::unplaced".to_string()),
        "{check:?}"
    );
    let (check, tower) = codes(&src("  allow specie::tower::unplaced\n"));
    assert!(
        !check.iter().any(|c| c == "specie::tower::unplaced"),
        "{check:?}"
    );
    assert!(
        !tower.iter().any(|c| c == "specie::tower::unplaced"),
        "{tower:?}"
    );
}
