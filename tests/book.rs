//! Golden tests of the book fixtures (section 15.1): every scenario in
//! `fixtures/book/scenarios/` replayed through `fixtures/book/custody-book.specie` gives
//! exactly the bytes of `fixtures/book/expected/NAME.json` (`--json`) and `NAME.txt` (the
//! text report). Each scenario's `notes` hold the hand arithmetic; the tests below also
//! assert the hand-checked figures directly, so that a golden rewritten by mistake is caught.

mod common;

use common::{files, root, specie, stem};
use rust_decimal::Decimal;
use specie::portfolio::{compile_portfolio_str, files_beside, replay_book, BookReplay, Portfolio};
use std::str::FromStr;

const BOOK: &str = "fixtures/book/custody-book.specie";

fn book() -> Portfolio {
    let path = root().join(BOOK);
    let src = std::fs::read_to_string(&path).unwrap();
    compile_portfolio_str(&src, &mut files_beside(&path))
        .unwrap()
        .portfolio
}

fn replayed(name: &str) -> BookReplay {
    let text = std::fs::read_to_string(root().join(format!("fixtures/book/scenarios/{name}.json")))
        .unwrap();
    replay_book(&book(), &text, Default::default()).unwrap().0
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn every_book_scenario_matches_its_goldens() {
    let scenarios = files("fixtures/book/scenarios", "json");
    assert_eq!(scenarios.len(), 3);
    for p in scenarios {
        let name = stem(&p);
        let scenario = format!("fixtures/book/scenarios/{name}.json");
        let (status, json, _) = specie(&["replay", BOOK, &scenario, "--json"]);
        assert_eq!(status, 0, "{name}");
        let library = format!("{}\n", replayed(&name).to_json());
        assert_eq!(json, library, "{name}: the CLI prints the library's result");
        common::golden(
            &root().join(format!("fixtures/book/expected/{name}.json")),
            &json,
        );
        let (status, text, _) = specie(&["replay", BOOK, &scenario]);
        assert_eq!(status, 0, "{name}");
        common::golden(
            &root().join(format!("fixtures/book/expected/{name}.txt")),
            &text,
        );
    }
}

/// Every book figure is the exact sum of the programs' (the notes' arithmetic).
fn assert_sums(r: &BookReplay) {
    let sum = |f: &dyn Fn(&specie::replay::Replay) -> Decimal| -> Decimal {
        r.programs.iter().map(|p| f(&p.result)).sum()
    };
    assert_eq!(r.totals.ground_up, sum(&|x| x.totals.ground_up));
    assert_eq!(r.totals.paid, sum(&|x| x.totals.paid));
    assert_eq!(
        r.totals.uncovered,
        sum(&|x| x.totals.uncovered.iter().map(|u| u.amount).sum())
    );
    assert_eq!(r.totals.ground_up, r.totals.paid + r.totals.uncovered);
}

#[test]
fn wallet_front_end_compromise_hand_figures() {
    // 450M + 270M + 125M + 150M + 5M = 1,000M over the book; paid 142.5 + 95 + 9.75 + 25.
    let r = replayed("custody-book--wallet-front-end-compromise");
    assert_sums(&r);
    let v = &r.vendor_events[0];
    assert_eq!(v.ground_up, d("1000000000.00"));
    assert_eq!(v.paid, d("272250000.00"));
    let reached: Vec<(&str, &str, Decimal)> = v
        .programs
        .iter()
        .map(|p| (p.program.as_str(), p.event.as_str(), p.paid))
        .collect();
    assert_eq!(
        reached,
        [
            ("exchange", "V1@exchange", d("142500000")),
            ("custodian", "V1@custodian", d("95000000")),
            ("staking", "V1@staking", d("9750000")),
            ("platform", "V1@platform", d("25000000")),
            ("warranty", "V1@warranty", d("0")),
        ]
    );
    assert_eq!(
        v.clash,
        [
            "Northgate Specialty",
            "Harbor Underwriting",
            "Meridian Mutual",
            "Atlas Re"
        ]
    );
    // Harbor: 6M (exchange Primary) + 17.5M (Second excess) + 25M (platform).
    let harbor = v
        .carriers
        .iter()
        .find(|c| c.carrier == "Harbor Underwriting")
        .unwrap();
    assert_eq!((harbor.paid, harbor.programs), (d("48500000"), 2));
    // Book: the exchange's own 13M hack (10.5M paid) beside the vendor event.
    assert_eq!(r.totals.ground_up, d("1013000000"));
    assert_eq!(r.totals.paid, d("282750000"));
    let northgate = &r.totals.carriers[0];
    assert_eq!(
        (northgate.carrier.as_str(), northgate.paid),
        ("Northgate Specialty", d("53300000"))
    );
}

#[test]
fn hosting_provider_takeover_hand_figures() {
    // The platform's own 10.5M loss uses half its 20M hot aggregate: the vendor event's
    // 15M finds 10M left.
    let r = replayed("custody-book--hosting-provider-takeover");
    assert_sums(&r);
    let v = &r.vendor_events[0];
    assert_eq!((v.ground_up, v.paid), (d("80000000"), d("47500000")));
    assert_eq!(v.clash, ["Harbor Underwriting"]);
    let platform = r.programs.iter().find(|p| p.program == "platform").unwrap();
    let ids: Vec<&str> = platform
        .result
        .events
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(ids, ["exmo-2020-12", "V1@platform"]);
    assert_eq!(platform.result.events[1].paid, d("10000000"));
    assert_eq!(r.totals.paid, d("57500000"));
    // Programs the vendor does not reach get no event.
    let custodian = r
        .programs
        .iter()
        .find(|p| p.program == "custodian")
        .unwrap();
    assert!(custodian.result.events.is_empty());
}

#[test]
fn co_signer_compromise_hand_figures() {
    let r = replayed("custody-book--co-signer-compromise");
    assert_sums(&r);
    let v = &r.vendor_events[0];
    assert_eq!((v.ground_up, v.paid), (d("287000000"), d("216250000")));
    assert_eq!(
        v.clash,
        ["Northgate Specialty", "Meridian Mutual", "Atlas Re"]
    );
    // Alpine's 9.75M: 8.775M to the quota share, 400k to the XL (its aggregate).
    let alpine = r
        .totals
        .entities
        .iter()
        .find(|e| e.entity == "Alpine Fronting AG")
        .unwrap();
    assert_eq!(
        (alpine.gross, alpine.ceded, alpine.net),
        (d("9750000"), d("9175000"), d("575000"))
    );
}

#[test]
fn the_text_report_leads_with_the_book() {
    let (status, text, _) = specie(&[
        "replay",
        BOOK,
        "fixtures/book/scenarios/custody-book--hosting-provider-takeover.json",
    ]);
    assert_eq!(status, 0);
    let book = text.find("carriers over the book").unwrap();
    let vendor = text
        .find("vendor event V1 (vendor hosting_provider)")
        .unwrap();
    let program = text.find("== program exchange").unwrap();
    assert!(book < vendor && vendor < program);
    assert!(text.contains("  clash: Harbor Underwriting\n"));
    assert!(text.contains("most by cause_not_covered"));
}

#[test]
fn explain_names_an_event_of_one_program() {
    let s = "fixtures/book/scenarios/custody-book--hosting-provider-takeover.json";
    let (status, text, _) = specie(&["replay", BOOK, s, "--explain", "V1@platform"]);
    assert_eq!(status, 0);
    assert!(text.contains("V1@platform"), "{text}");
    let (status, own, _) = specie(&["replay", BOOK, s, "--explain", "exmo-2020-12@platform"]);
    assert_eq!(status, 0);
    assert!(own.contains("exmo-2020-12"), "{own}");
    let (status, _, err) = specie(&["replay", BOOK, s, "--explain", "V1@nobody"]);
    assert_eq!(status, 1);
    assert!(err.contains("names no program of the book"), "{err}");
    let (status, _, err) = specie(&["replay", BOOK, s, "--explain", "V1@custodian"]);
    assert_eq!(status, 1);
    assert!(err.contains("did not reach it"), "{err}");
}

#[test]
fn invalid_portfolios_exit_1_with_located_diagnostics() {
    let invalid = files("fixtures/book/invalid", "specie");
    assert!(invalid.len() >= 9);
    for p in invalid {
        let name = stem(&p);
        let path = format!("fixtures/book/invalid/{name}.specie");
        let (status, stdout, stderr) = specie(&["check", &path]);
        assert_eq!(status, 1, "{name}: {stdout}{stderr}");
        insta::assert_snapshot!(format!("invalid_portfolio_{name}"), stderr);
    }
}

#[test]
fn book_tower_matches_its_goldens() {
    let (status, text, _) = specie(&["tower", BOOK]);
    assert_eq!(status, 0);
    common::golden(
        &root().join("fixtures/book/expected/custody-book.tower.txt"),
        &text,
    );
    let (status, json, _) = specie(&["tower", BOOK, "--json"]);
    assert_eq!(status, 0);
    common::golden(
        &root().join("fixtures/book/expected/custody-book.tower.json"),
        &json,
    );
}

#[test]
fn book_tower_hand_figures() {
    let t = specie::portfolio::book_tower(&book(), &Default::default()).unwrap();
    // Northgate: exchange Primary 60% of 15M = 9M, custodian Primary 40% of 100M = 40M,
    // warranty Crime primary 100% of 9M = 9M. Aggregates: 60% of 30M = 18M, 40% of 200M =
    // 80M, 9M with two reinstatements = 27M.
    let n = &t.entities[0];
    assert_eq!(n.entity, "Northgate Specialty");
    assert_eq!(
        (n.occurrence, n.aggregate),
        (d("58000000"), Some(d("125000000")))
    );
    // Harbor writes the exchange's Second excess, which has no aggregate: unlimited.
    let h = t
        .entities
        .iter()
        .find(|e| e.entity == "Harbor Underwriting")
        .unwrap();
    assert_eq!(h.aggregate, None);
    // multisig_ui at 100%: exchange cold 900M, custodian 500M cold + 100M warm, staking
    // 250M, platform 300M, warranty 25M = 2,075M of dependent exposure; every program's
    // payment is already capped at 50% damage, so it pays the RDS figure again: 272.25M.
    let v = &t.vendors[0];
    assert_eq!((v.exposure, v.paid), (d("2075000000"), d("272250000")));
    // Northgate 47M of its 58M line: 81.03%.
    assert_eq!(v.carriers[0].share_of_line, d("81.03"));
    let codes: Vec<(&str, String)> = t
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.message.chars().take(40).collect()))
        .collect();
    assert_eq!(codes.len(), 7, "{codes:?}");
    // A threshold of 90% leaves only the reach findings.
    let high = specie::portfolio::BookTowerOptions {
        concentration: specie::money::Fraction { num: 90, scale: 2 },
        ..Default::default()
    };
    let t = specie::portfolio::book_tower(&book(), &high).unwrap();
    assert!(t
        .findings
        .iter()
        .all(|f| f.code == "specie::book::vendor_reach"));
    assert_eq!(t.findings.len(), 3);
}

#[test]
fn book_heat_map_has_one_cell_per_carrier_and_vendor() {
    let t = specie::portfolio::book_tower(&book(), &Default::default()).unwrap();
    let svg = specie::portfolio::tower::svg::svg(&t);
    let carriers = t
        .entities
        .iter()
        .filter(|e| !e.occurrence.is_zero())
        .count();
    assert_eq!(carriers, 9);
    assert_eq!(
        svg.matches(r#"<g class="cell""#).count(),
        carriers * t.vendors.len()
    );
    assert!(svg.contains(
        r#"data-carrier="Northgate Specialty" data-vendor="multisig_ui" data-paid="47000000.00" data-share="81.03""#
    ));
}

/// Every scenario error names the vendor event or the program and the field, with line and
/// column (section 15.1), and exits 1.
#[test]
fn bad_book_scenarios_are_located() {
    let cases: &[(&str, &str)] = &[
        (
            "{\"name\": \"x\",\n \"vendor_events\": [\n  {\"id\": \"V1\", \"vendor\": \"multisig_uj\", \"cause\": \"vendor_breach\", \"occurred\": \"2026-06-01T00:00:00Z\", \"damage\": \"10%\"}]}",
            "vendor event `V1` (line 3, column 3): vendor `multisig_uj` is not a vendor of the book",
        ),
        (
            "{\"name\": \"x\",\n \"events\": {\"exchang\": [{\"id\": \"E1\"}]}}",
            "`events` has a list for `exchang`, which is not a program of the book (did you mean `exchange`?)",
        ),
        (
            "{\"name\": \"x\", \"vendor_events\": [\n{\"id\": \"V1\", \"vendor\": \"cosigner\", \"cause\": \"vendor_breach\", \"occurred\": \"2026-06-01T00:00:00Z\", \"damage\": \"10%\", \"attributes\": {\"keys_held_by_custodian\": false}}]}",
            "attribute `keys_held_by_custodian` is not declared by program `exchange`, which the vendor event reaches",
        ),
        (
            "{\"name\": \"x\", \"vendor_events\": [\n{\"id\": \"V1\", \"vendor\": \"cosigner\", \"cause\": \"vendor_breach\", \"occurred\": \"2026-06-01T00:00:00Z\", \"damage\": {\"cold\": \"45\"}}]}",
            "damage `45` is not a percentage from 0% to 100%",
        ),
        (
            "{\"name\": \"x\", \"vendor_events\": [\n{\"id\": \"V1\", \"vendor\": \"cosigner\", \"cause\": \"vendor_breach\", \"occurred\": \"2026-06-01T00:00:00Z\", \"damage\": \"10%\"},\n{\"id\": \"V1\", \"vendor\": \"cosigner\", \"cause\": \"vendor_breach\", \"occurred\": \"2026-07-01T00:00:00Z\", \"damage\": \"10%\"}]}",
            "vendor event `V1` (line 3, column 1): the id is used by an earlier vendor event",
        ),
        (
            "{\"name\": \"x\", \"vendor_events\": [\n{\"id\": \"V1\", \"vendor\": \"cosigner\", \"cause\": \"vendor_breach\", \"occurred\": \"June 1st\", \"damage\": \"10%\"}]}",
            "`occurred` has `June 1st`, not an RFC 3339 UTC instant",
        ),
        (
            "{\"name\": \"x\", \"events\": {\"platform\": [\n  {\"id\": \"P1\", \"cause\": \"external_hack\", \"occurred\": \"2026-03-01T00:00:00Z\",\n   \"losses\": [{\"tier\": \"hot\", \"amount\": \"ten\"}]}]}}",
            "line 3, column",
        ),
        (
            "{\"name\": \"x\", \"vendor_events\": [\n{\"id\": \"V1\", \"vendor\": \"cosigner\", \"occurred\": \"2026-06-01T00:00:00Z\", \"damage\": \"10%\"}]}",
            "field `vendor_events[0]",
        ),
    ];
    let dir = std::env::temp_dir().join(format!("specie-book-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (n, (json, expected)) in cases.iter().enumerate() {
        let path = dir.join(format!("bad-{n}.json"));
        std::fs::write(&path, json).unwrap();
        let (status, stdout, stderr) = specie(&["replay", BOOK, path.to_str().unwrap()]);
        assert_eq!(status, 1, "case {n}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "case {n}: no partial output: {stdout}");
        assert!(stderr.contains(expected), "case {n}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
