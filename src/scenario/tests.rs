use super::*;
use crate::replay::{prepare_events, ReplayError, Replayer};

const PROGRAM: &str = r#"program "x" {
  period 2026-01-01 to 2027-01-01
  valuation at discovery
  attribute colluding_staff: count = 0
  attribute documented: flag
  attribute reported_after: duration = 0 days
  attribute note: text = ""
  attribute ratio: number = 1
  attribute limit: amount = 0
  layer "P" 10M xs 0 { carrier "A" 100% }
}"#;

/// A prepared event's line values and attributes.
type Prepared = (Vec<Money>, Vec<Value>);

fn prepare(scenario: &str) -> Result<Vec<Prepared>, ReplayError> {
    let program = crate::compile_str(PROGRAM).unwrap().program;
    let s = Scenario::from_json(scenario).map_err(ReplayError::from)?;
    let r = Replayer::new(&program);
    let evs = prepare_events(&r, &s)?;
    Ok(evs
        .iter()
        .map(|e| {
            (
                e.lines.iter().map(|l| l.value).collect(),
                e.attributes.to_vec(),
            )
        })
        .collect())
}

fn event(attrs: &str, losses: &str) -> String {
    format!(
        r#"{{"name":"s","prices":{{"BTC":[["2026-03-01T00:00:00Z","60000.5"]]}},"events":[{{"id":"E1","cause":"external_hack","occurred":"2026-03-14T02:10:00Z","discovered":"2026-03-15T00:00:00Z","losses":{losses},"attributes":{attrs}}}]}}"#
    )
}

fn err(s: &str) -> ScenarioError {
    match prepare(s) {
        Err(ReplayError::Scenario(e)) => e,
        other => panic!("expected a scenario error, got {other:?}"),
    }
}

#[test]
fn values_lines_and_attributes() {
    let evs = prepare(&event(
        r#"{"documented": true, "colluding_staff": "2", "reported_after": "2d", "note": "n", "ratio": 0.5, "limit": "10.005"}"#,
        r#"[{"tier":"hot","asset":"BTC","quantity":"1.5"},{"tier":"cold","amount":"2500000.005"}]"#,
    ))
    .unwrap();
    let (lines, attrs) = &evs[0];
    // 1.5 × 60,000.5 = 90,000.75; 2,500,000.005 rounds half-even to 2,500,000.00.
    assert_eq!(lines[0], Money(9_000_075));
    assert_eq!(lines[1], Money(250_000_000));
    assert_eq!(attrs[0], Value::Count(2));
    assert_eq!(attrs[2], Value::Duration(Duration(2 * 86_400)));
    assert_eq!(attrs[5], Value::Amount(Money(1000)));
}

#[test]
fn malformed_json_has_line_and_column() {
    let e = err("{\n  \"name\": \"s\",\n  \"events\": [ oops ]\n}");
    let ScenarioError::Json { line, column, .. } = e else {
        panic!("{e:?}")
    };
    assert_eq!((line, column), (3, 15));
}

#[test]
fn unknown_and_missing_attributes() {
    let e = err(&event(
        r#"{"documented": true, "coluding_staff": 1}"#,
        r#"[{"tier":"hot","amount":"1"}]"#,
    ));
    assert_eq!(
        e.to_string(),
        "event `E1`: attribute `coluding_staff` is not declared by the program"
    );
    let ScenarioError::UnknownAttribute { help, .. } = e else {
        panic!()
    };
    assert_eq!(help.as_deref(), Some("did you mean `colluding_staff`?"));
    let e = err(&event("{}", r#"[{"tier":"hot","amount":"1"}]"#));
    assert_eq!(
        e.to_string(),
        "event `E1`: attribute `documented` has no default and is missing"
    );
}

#[test]
fn wrong_attribute_types() {
    for (attrs, msg) in [
        (
            r#"{"documented": "yes"}"#,
            "attribute `documented` must be a flag, found \"yes\"",
        ),
        (
            r#"{"documented": true, "colluding_staff": 1.5}"#,
            "attribute `colluding_staff` must be a count, found `1.5`",
        ),
        (
            r#"{"documented": true, "colluding_staff": -1}"#,
            "attribute `colluding_staff` must be a count, found `-1`",
        ),
        (
            r#"{"documented": true, "reported_after": 30}"#,
            "attribute `reported_after` must be a duration, found `30`",
        ),
        (
            r#"{"documented": true, "note": 3}"#,
            "attribute `note` must be a text, found `3`",
        ),
    ] {
        let e = err(&event(attrs, r#"[{"tier":"hot","amount":"1"}]"#));
        assert_eq!(e.to_string(), format!("event `E1`: {msg}"));
    }
}

#[test]
fn missing_price_and_bad_lines() {
    let e = err(&event(
        r#"{"documented": true}"#,
        r#"[{"tier":"hot","asset":"ETH","quantity":"1"}]"#,
    ));
    assert_eq!(
        e.to_string(),
        "event `E1`: no price for `ETH` at or before 2026-03-15T00:00:00Z"
    );
    let e = err(&event(
        r#"{"documented": true}"#,
        r#"[{"tier":"hot","asset":"BTC","quantity":"-1"}]"#,
    ));
    assert_eq!(
        e.to_string(),
        "event `E1`: field `losses[0].quantity` is negative (-1)"
    );
    let e = err(&event(
        r#"{"documented": true}"#,
        r#"[{"tier":"hot","amount":"1","asset":"BTC"}]"#,
    ));
    assert_eq!(
        e.to_string(),
        "event `E1`: field `losses[0]` needs either `amount`, or `asset` with `quantity`"
    );
    let e = err(&event(
        r#"{"documented": true}"#,
        r#"[{"tier":"hot","asset":"BTC","quantity":"79228162514264337593543950335"}]"#,
    ));
    assert!(e.to_string().contains("overflows a decimal"), "{e}");
    let e = err(&event(
        r#"{"documented": true}"#,
        r#"[{"tier":"hot","amount":"79228162514264337593543950335"}]"#,
    ));
    assert_eq!(
        e.to_string(),
        "event `E1`: field `losses[0].amount` is too large: amounts in USD are at most 92,233,720,368,547,758.07"
    );
}

#[test]
fn duplicate_ids_and_discovery_before_occurrence() {
    let e = err(r#"{"events":[
        {"id":"A","cause":"c","occurred":"2026-03-01T00:00:00Z","losses":[],"attributes":{"documented":true}},
        {"id":"A","cause":"c","occurred":"2026-03-02T00:00:00Z","losses":[],"attributes":{"documented":true}}]}"#);
    assert_eq!(e.to_string(), "duplicate event id `A`");
    let e = err(
        r#"{"events":[{"id":"A","cause":"c","occurred":"2026-03-02T00:00:00Z","discovered":"2026-03-01T00:00:00Z","losses":[],"attributes":{"documented":true}}]}"#,
    );
    assert_eq!(
        e.to_string(),
        "event `A`: discovered 2026-03-01T00:00:00Z before it occurred 2026-03-02T00:00:00Z"
    );
    let e = err(r#"{"events":[{"id":"A","cause":"c","occurred":"yesterday","losses":[]}]}"#);
    assert_eq!(
        e.to_string(),
        "event `A`: field `occurred` has `yesterday`, not an RFC 3339 UTC instant"
    );
}

#[test]
fn currency_must_be_known_and_match() {
    let e = err(r#"{"currency":"XYZ","events":[]}"#);
    assert_eq!(
        e.to_string(),
        "scenario currency `XYZ` is unknown: its minor-unit decimals are not known"
    );
    let e = err(r#"{"currency":"EUR","events":[]}"#);
    assert_eq!(
        e.to_string(),
        "scenario currency `EUR` differs from the program currency USD"
    );
}

#[test]
fn unknown_json_fields_are_errors() {
    let e =
        err(r#"{"events":[{"id":"A","cause":"c","occured":"2026-03-02T00:00:00Z","losses":[]}]}"#);
    let ScenarioError::Shape {
        message,
        event,
        field,
        ..
    } = e
    else {
        panic!("{e:?}")
    };
    assert!(message.starts_with("unknown field `occured`"), "{message}");
    assert_eq!(event.as_deref(), Some("A"));
    assert_eq!(field, "events[0].occured");
}

/// The shape errors of brief section 5 input: a missing field, a decimal that does not
/// parse, a decimal that overflows, a value of the wrong JSON type. Each names the event
/// id, the field path, the line and the column, in a scenario file and in a stream line.
const SHAPE_CASES: [(&str, &str, &str, &str); 4] = [
    (
        r#""occurred":"2026-03-14T00:00:00Z","losses":[{"tier":"hot","amount":"1"}]"#,
        "cause",
        "missing field `cause`",
        "",
    ),
    (
        r#""cause":"external_hack","occurred":"2026-03-14T00:00:00Z","losses":[{"tier":"hot","asset":"BTC","quantity":"12x"}]"#,
        "losses[0].quantity",
        "`12x` is not a decimal number",
        r#""quantity":"12x""#,
    ),
    (
        r#""cause":"external_hack","occurred":"2026-03-14T00:00:00Z","losses":[{"tier":"hot","amount":"1"},{"tier":"warm","amount":"99999999999999999999999999999999"}]"#,
        "losses[1].amount",
        "`99999999999999999999999999999999` is out of range of an exact decimal",
        r#""amount":"99999999999999999999999999999999""#,
    ),
    (
        r#""cause":7,"occurred":"2026-03-14T00:00:00Z","losses":[{"tier":"hot","amount":"1"}]"#,
        "cause",
        "invalid type: integer `7`, expected a string",
        r#""cause":7"#,
    ),
];

/// 1-based column just after `needle` in `line` (where serde_json reports a bad value),
/// or after the whole event object when `needle` is empty (a missing field).
fn column_after(line: &str, needle: &str) -> usize {
    if needle.is_empty() {
        // The end of the event object: the `}` closing it.
        line.rfind('}').unwrap() + 1
    } else {
        line.find(needle).unwrap() + needle.len()
    }
}

#[test]
fn shape_errors_in_a_scenario_name_event_field_line_and_column() {
    for (body, field, message, needle) in SHAPE_CASES {
        // The bad event is the second one, on the file's third line.
        let good =
            r#"{"id":"OK","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[]}"#;
        let bad = format!(r#"{{"id":"E-17",{body}}}"#);
        let text = format!("{{\"name\":\"s\",\"events\":[\n{good},\n{bad}\n]}}");
        let e = Scenario::from_json(&text).unwrap_err();
        let ScenarioError::Shape {
            event,
            field: f,
            line,
            column,
            message: m,
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(event.as_deref(), Some("E-17"), "{e}");
        assert_eq!(f, &format!("events[1].{field}"));
        assert!(m.starts_with(message), "{m}");
        assert_eq!((*line, *column), (3, column_after(&bad, needle)), "{e}");
        let shown = e.to_string();
        assert!(
            shown.contains("event `E-17`") && shown.contains(&format!("`events[1].{field}`")),
            "{shown}"
        );
    }
}

#[test]
fn shape_errors_in_a_stream_line_name_event_field_line_and_column() {
    for (body, field, message, needle) in SHAPE_CASES {
        let bad = format!(r#"{{"id":"E-17",{body}}}"#);
        let e = RawEvent::from_json_line(&bad, 42).unwrap_err();
        let ScenarioError::Shape {
            event,
            field: f,
            line,
            column,
            message: m,
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(event.as_deref(), Some("E-17"), "{e}");
        assert_eq!(f, field);
        assert!(m.starts_with(message), "{m}");
        assert_eq!((*line, *column), (42, column_after(&bad, needle)), "{e}");
    }
}

#[test]
fn a_shape_error_in_an_event_without_an_id_still_names_the_field() {
    let e = Scenario::from_json(
        r#"{"events":[{"cause":"c","occurred":"2026-03-02T00:00:00Z","losses":[]}]}"#,
    )
    .unwrap_err();
    let ScenarioError::Shape { event, field, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(event, &None);
    assert_eq!(field, "events[0].id");
    assert!(
        e.to_string()
            .starts_with("invalid scenario at line 1, column"),
        "{e}"
    );
}

#[test]
fn price_lookup_is_latest_at_or_before() {
    let mut raw = BTreeMap::new();
    raw.insert(
        "BTC".to_string(),
        vec![
            (
                "2026-03-10T00:00:00Z".to_string(),
                DecimalValue(Decimal::from(2)),
            ),
            (
                "2026-03-01T00:00:00Z".to_string(),
                DecimalValue(Decimal::from(1)),
            ),
        ],
    );
    let p = Prices::new(&raw).unwrap();
    let at = |s: &str| p.at("BTC", Instant::parse(s).unwrap());
    assert_eq!(at("2026-02-28T23:59:59Z"), None);
    assert_eq!(at("2026-03-01T00:00:00Z"), Some(Decimal::from(1)));
    assert_eq!(at("2026-03-09T23:59:59Z"), Some(Decimal::from(1)));
    assert_eq!(at("2026-03-10T00:00:00Z"), Some(Decimal::from(2)));
    raw.get_mut("BTC").unwrap().push((
        "2026-03-10T00:00:00Z".to_string(),
        DecimalValue(Decimal::from(3)),
    ));
    assert!(matches!(
        Prices::new(&raw),
        Err(ScenarioError::PriceSeries { .. })
    ));
}

#[test]
fn durations_as_the_language_writes_them() {
    assert_eq!(parse_duration("2d"), Some(Duration(172_800)));
    assert_eq!(parse_duration("30 days"), Some(Duration(2_592_000)));
    assert_eq!(parse_duration("1.5 hours"), Some(Duration(5_400)));
    assert_eq!(parse_duration("soon"), None);
    assert_eq!(parse_duration("3 fortnights"), None);
}

#[test]
fn index_series_are_validated() {
    let series = |obs: &str| {
        Scenario::from_json(&format!(
            r#"{{"indices":{{"USDC/USD":{obs}}},"events":[]}}"#
        ))
    };
    let s = series(r#"[["2026-03-02T00:00:00Z","0.99"],["2026-03-01T00:00:00Z","0.98"]]"#).unwrap();
    let e = Indices::new(&s.indices).unwrap_err();
    assert_eq!(
        e.to_string(),
        "index `USDC/USD`: observation 1 at 2026-03-01T00:00:00Z is earlier than the one before it (2026-03-02T00:00:00Z); observations must be sorted with distinct instants"
    );
    let s = series(r#"[["2026-03-01T00:00:00Z","0.99"],["2026-03-01T00:00:00Z","0.98"]]"#).unwrap();
    assert!(Indices::new(&s.indices)
        .unwrap_err()
        .to_string()
        .contains("at the same instant as"));
    let e = series(r#"[["2026-03-01T00:00:00Z","par"]]"#).unwrap_err();
    let ScenarioError::Shape {
        message,
        field,
        event,
        ..
    } = e
    else {
        panic!("{e:?}")
    };
    assert!(
        message.starts_with("`par` is not a decimal number"),
        "{message}"
    );
    assert_eq!(field, "indices.USDC/USD[0][1]");
    assert_eq!(event, None);
}

#[test]
fn a_missing_index_is_an_error() {
    let program = crate::compile_str(
        r#"program "p" { period 2026-01-01 to 2027-01-01
           parametric "USDC depeg" { index "USDC/USD" trigger below 0.97 for 1 day payout 100% of 1M carrier "A" 100% } }"#,
    )
    .unwrap()
    .program;
    let s = Scenario::from_json(
        r#"{"indices":{"DAI/USD":[["2026-01-01T00:00:00Z","1"]]},"events":[]}"#,
    )
    .unwrap();
    let e = crate::replay::replay(&program, &s).unwrap_err();
    assert_eq!(
        e.to_string(),
        "parametric cover `USDC depeg` watches index `USDC/USD`, which the scenario does not give"
    );
}

#[test]
fn an_empty_index_series_is_an_error() {
    let e = Indices::new(&BTreeMap::from([("USDC/USD".to_string(), Vec::new())])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "index `USDC/USD`: has no observation; give `[[instant, value], …]` or leave the index out"
    );
}

proptest::proptest! {
    /// The common-decimal reader gives what `Decimal::from_str` gives, digit for digit and
    /// scale for scale, on strings built from digits, signs, dots and a few other bytes.
    #[test]
    fn plain_decimals_read_as_from_str(
        s in "-?[0-9]{0,20}(\\.[0-9]{0,20})?|[-+0-9._e]{0,12}",
    ) {
        use std::str::FromStr;
        let Some(fast) = plain_decimal(s.as_bytes()) else {
            return Ok(());
        };
        let slow = Decimal::from_str(&s).unwrap();
        proptest::prop_assert_eq!(
            (fast.mantissa(), fast.scale(), fast.is_sign_negative()),
            (slow.mantissa(), slow.scale(), slow.is_sign_negative()),
            "{}", s
        );
    }
}

#[test]
fn plain_decimals_cover_the_common_shapes() {
    for (s, m, scale) in [
        ("12.50", 1250, 2),
        ("0", 0, 0),
        ("-7.125", -7125, 3),
        ("007", 7, 0),
    ] {
        let d = plain_decimal(s.as_bytes()).unwrap();
        assert_eq!((d.mantissa(), d.scale()), (m, scale), "{s}");
    }
    for s in [
        "",
        "-",
        ".5",
        "5.",
        "-0",
        "1.2.3",
        "+1",
        "1e5",
        "1_000",
        "1234567890123456789",
    ] {
        assert_eq!(plain_decimal(s.as_bytes()), None, "{s}");
    }
}
