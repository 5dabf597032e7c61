//! Random syntax trees survive format → parse unchanged (spans aside), and formatting is
//! idempotent.

use proptest::prelude::*;
use rust_decimal::Decimal;
use specie::ast::*;
use specie::span::{Span, Spanned};
use specie::time::{Date, Instant};

fn sp<T>(node: T) -> Spanned<T> {
    Spanned::new(node, Span::default())
}

fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,8}".prop_filter("not a keyword", |s| {
        !specie::parse::KEYWORDS.contains(&s.as_str())
    })
}

fn ident() -> impl Strategy<Value = Ident> {
    name().prop_map(sp)
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 #\"\\\\\n\t€_-]{0,12}"
}

fn comment() -> impl Strategy<Value = String> {
    "[ a-zA-Z0-9#\"{}]{0,16}".prop_map(|s| s.trim_end().to_string())
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (0u64..2_000_000_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m as i64, s))
}

fn number() -> impl Strategy<Value = NumberLit> {
    (
        decimal(),
        prop_oneof![
            Just(Magnitude::One),
            Just(Magnitude::Thousand),
            Just(Magnitude::Million),
            Just(Magnitude::Billion)
        ],
    )
        .prop_map(|(mantissa, magnitude)| NumberLit {
            mantissa,
            magnitude,
        })
}

fn duration() -> impl Strategy<Value = DurationLit> {
    (
        decimal(),
        prop_oneof![
            Just(DurationUnit::Seconds),
            Just(DurationUnit::Minutes),
            Just(DurationUnit::Hours),
            Just(DurationUnit::Days),
            Just(DurationUnit::Weeks)
        ],
    )
        .prop_map(|(amount, unit)| DurationLit { amount, unit })
}

fn date() -> impl Strategy<Value = Date> {
    (1970u16..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        number().prop_map(Literal::Number),
        decimal().prop_map(Literal::Percent),
        duration().prop_map(Literal::Duration),
        date().prop_map(Literal::Date),
        (0i64..4_000_000_000).prop_map(|s| Literal::Instant(Instant(s))),
        text().prop_map(Literal::String),
        any::<bool>().prop_map(Literal::Bool),
    ]
}

fn cmp() -> impl Strategy<Value = CmpOp> {
    prop_oneof![
        Just(CmpOp::Lt),
        Just(CmpOp::Le),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge),
        Just(CmpOp::Eq),
        Just(CmpOp::Ne)
    ]
}

fn test_cond() -> impl Strategy<Value = Cond> {
    let t = prop_oneof![
        (ident(), any::<bool>(), ident()).prop_map(|(field, negated, symbol)| Test::Is {
            field,
            negated,
            symbol
        }),
        (ident(), any::<bool>(), prop::collection::vec(ident(), 1..4)).prop_map(
            |(field, negated, symbols)| Test::In {
                field,
                negated,
                symbols
            }
        ),
        (ident(), cmp(), literal()).prop_map(|(field, op, value)| Test::Compare {
            field,
            op: sp(op),
            value: sp(value)
        }),
        ident().prop_map(|field| Test::Flag { field }),
    ];
    t.prop_map(|t| Cond {
        kind: CondKind::Test(t),
        span: Span::default(),
    })
}

fn cond() -> impl Strategy<Value = Cond> {
    test_cond().prop_recursive(4, 24, 4, |inner| {
        let mk = |kind| Cond {
            kind,
            span: Span::default(),
        };
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(move |v| mk(CondKind::Or(v))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(move |v| mk(CondKind::And(v))),
            inner.prop_map(move |c| mk(CondKind::Not(Box::new(c)))),
        ]
    })
}

fn trivia() -> impl Strategy<Value = Trivia> {
    (
        any::<bool>(),
        prop::collection::vec(comment(), 0..2),
        prop::option::of(comment()),
    )
        .prop_map(|(blank_line_before, comments, trailing)| Trivia {
            blank_line_before,
            comments,
            trailing,
        })
}

fn exclusion() -> impl Strategy<Value = ExclusionDecl> {
    (text(), cond()).prop_map(|(n, c)| ExclusionDecl {
        name: sp(n),
        condition: c,
    })
}

fn layer_item() -> impl Strategy<Value = LayerItem> {
    let kind = prop_oneof![
        number().prop_map(|n| LayerItemKind::Aggregate(sp(n))),
        (
            prop::collection::vec((0u32..10, decimal()), 1..3),
            any::<bool>()
        )
            .prop_map(|(v, pro_rata)| {
                LayerItemKind::Reinstatements {
                    list: v
                        .into_iter()
                        .map(|(c, r)| ReinstatementDecl {
                            count: sp(c),
                            rate: sp(r),
                        })
                        .collect(),
                    pro_rata: pro_rata.then(specie::span::Span::default),
                }
            }),
        number().prop_map(|n| LayerItemKind::Premium(sp(n))),
        (text(), decimal()).prop_map(|(n, s)| LayerItemKind::Carrier {
            name: sp(n),
            share: sp(s)
        }),
        exclusion().prop_map(LayerItemKind::Exclude),
    ];
    (trivia(), kind).prop_map(|(trivia, kind)| LayerItem {
        trivia,
        kind,
        span: Span::default(),
    })
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::Below), Just(Direction::Above)]
}

fn parametric_item() -> impl Strategy<Value = ParametricItem> {
    let kind = prop_oneof![
        text().prop_map(|s| ParametricItemKind::Index(sp(s))),
        (direction(), number(), duration()).prop_map(|(d, t, du)| ParametricItemKind::Trigger {
            direction: sp(d),
            threshold: sp(t),
            duration: sp(du)
        }),
        (
            decimal(),
            number(),
            prop::option::of((direction(), number()))
        )
            .prop_map(|(p, n, w)| {
                ParametricItemKind::Step {
                    percent: sp(p),
                    notional: sp(n),
                    when: w.map(|(d, y)| (sp(d), sp(y))),
                }
            }),
        (decimal(), number(), decimal(), number(), number()).prop_map(|(a, b, c, d, e)| {
            ParametricItemKind::Linear {
                from_percent: sp(a),
                from_at: sp(b),
                to_percent: sp(c),
                to_at: sp(d),
                notional: sp(e),
            }
        }),
        number().prop_map(|n| ParametricItemKind::Aggregate(sp(n))),
        duration().prop_map(|d| ParametricItemKind::WaitingPeriod(sp(d))),
        (text(), decimal()).prop_map(|(n, s)| ParametricItemKind::Carrier {
            name: sp(n),
            share: sp(s)
        }),
    ];
    (trivia(), kind).prop_map(|(trivia, kind)| ParametricItem {
        trivia,
        kind,
        span: Span::default(),
    })
}

fn treaty_item() -> impl Strategy<Value = TreatyItem> {
    let kind = prop_oneof![
        text().prop_map(|s| TreatyItemKind::Cedent(sp(s))),
        (text(), decimal()).prop_map(|(n, s)| TreatyItemKind::Reinsurer {
            name: sp(n),
            share: sp(s)
        }),
        number().prop_map(|n| TreatyItemKind::Aggregate(sp(n))),
        prop::collection::vec(text(), 1..3)
            .prop_map(|v| TreatyItemKind::InuresAfter(v.into_iter().map(sp).collect())),
    ];
    (trivia(), kind).prop_map(|(trivia, kind)| TreatyItem {
        trivia,
        kind,
        span: Span::default(),
    })
}

fn treaty_form() -> impl Strategy<Value = TreatyForm> {
    prop_oneof![
        decimal().prop_map(|p| TreatyForm::QuotaShare(sp(p))),
        (number(), number()).prop_map(|(l, a)| TreatyForm::Excess {
            limit: sp(l),
            attachment: sp(a)
        }),
    ]
}

fn check_item() -> impl Strategy<Value = CheckItem> {
    let metric = prop_oneof![
        Just(Metric::Paid),
        Just(Metric::Retained),
        prop::option::of(prop::sample::select(specie::parse::REASONS.to_vec()))
            .prop_map(|r| Metric::Uncovered(r.map(str::to_string))),
        text().prop_map(Metric::CarrierPaid),
        text().prop_map(Metric::LayerPaid),
    ];
    let bound = prop_oneof![
        number().prop_map(Bound::Amount),
        decimal().prop_map(Bound::ShareOfLoss),
    ];
    let kind = prop_oneof![
        cond().prop_map(CheckItemKind::Event),
        (0u32..10, cond()).prop_map(|(n, c)| CheckItemKind::Events {
            count: sp(n),
            condition: c
        }),
        (prop::option::of(number()), number(), any::<bool>()).prop_map(|(f, t, each)| {
            CheckItemKind::Loss {
                from: f.map(sp),
                to: sp(t),
                each,
            }
        }),
        (ident(), literal()).prop_map(|(n, v)| CheckItemKind::With {
            name: n,
            value: sp(v)
        }),
        (metric, cmp(), bound).prop_map(|(m, op, b)| CheckItemKind::Expect {
            metric: sp(m),
            op: sp(op),
            bound: sp(b)
        }),
    ];
    (trivia(), kind).prop_map(|(trivia, kind)| CheckItem {
        trivia,
        kind,
        span: Span::default(),
    })
}

fn item_kind() -> impl Strategy<Value = ItemKind> {
    let attr_type = prop_oneof![
        Just(AttrType::Flag),
        Just(AttrType::Count),
        Just(AttrType::Number),
        Just(AttrType::Amount),
        Just(AttrType::Duration),
        Just(AttrType::Text)
    ];
    let amount_or_percent = prop_oneof![
        number().prop_map(AmountOrPercent::Amount),
        decimal().prop_map(AmountOrPercent::Percent),
    ];
    prop_oneof![
        text().prop_map(|s| ItemKind::Insured(sp(s))),
        "[A-Z]{3}".prop_map(|s| ItemKind::Currency(sp(s))),
        (date(), date()).prop_map(|(a, b)| ItemKind::Period {
            start: sp(a),
            end: sp(b)
        }),
        prop_oneof![Just(Basis::Occurrence), Just(Basis::Discovery)]
            .prop_map(|b| ItemKind::Basis(sp(b))),
        duration().prop_map(|d| ItemKind::DiscoveryWindow(sp(d))),
        duration().prop_map(|d| ItemKind::OccurrenceWindow(sp(d))),
        date().prop_map(|d| ItemKind::Retroactive(sp(d))),
        prop_oneof![Just(Valuation::AtLoss), Just(Valuation::AtDiscovery)]
            .prop_map(|v| ItemKind::Valuation(sp(v))),
        (ident(), attr_type, prop::option::of(literal())).prop_map(|(name, ty, d)| {
            ItemKind::Attribute(AttributeDecl {
                name,
                ty: sp(ty),
                default: d.map(sp),
            })
        }),
        (ident(), number()).prop_map(|(tier, n)| ItemKind::Exposure {
            tier,
            amount: sp(n)
        }),
        prop::collection::vec(ident(), 1..4).prop_map(ItemKind::Covers),
        (
            text(),
            prop::option::of(number()),
            prop::option::of(number()),
            prop::option::of(cond())
        )
            .prop_filter("a sub-limit has at least one limit", |(_, p, a, _)| p
                .is_some()
                || a.is_some())
            .prop_map(|(n, p, a, c)| ItemKind::Sublimit(SublimitDecl {
                name: sp(n),
                per_occurrence: p.map(sp),
                aggregate: a.map(sp),
                condition: c,
            })),
        (
            prop::option::of(text()),
            amount_or_percent,
            prop::option::of(number()),
            prop::option::of(number()),
            any::<bool>(),
            prop::option::of(number()),
            prop::option::of(cond())
        )
            .prop_map(|(n, a, min, max, fr, agg, c)| ItemKind::Deductible(
                DeductibleDecl {
                    name: n.map(sp),
                    amount: sp(a),
                    min: min.map(sp),
                    max: max.map(sp),
                    franchise: fr.then(Span::default),
                    aggregate: agg.map(sp),
                    condition: c,
                }
            )),
        decimal().prop_map(|p| ItemKind::Coinsurance(sp(p))),
        exclusion().prop_map(ItemKind::Exclude),
        (
            text(),
            number(),
            number(),
            prop::collection::vec(layer_item(), 0..4),
            prop::collection::vec(comment(), 0..2)
        )
            .prop_map(|(n, l, a, mut items, end_comments)| {
                if let Some(first) = items.first_mut() {
                    first.trivia.blank_line_before = false;
                }
                ItemKind::Layer(LayerDecl {
                    name: sp(n),
                    limit: sp(l),
                    attachment: sp(a),
                    items,
                    end_comments,
                })
            }),
        prop::collection::vec(name(), 1..4).prop_map(|v| ItemKind::Allow(sp(v.join("::")))),
        (
            text(),
            prop::collection::vec(check_item(), 0..4),
            prop::collection::vec(comment(), 0..2)
        )
            .prop_map(|(n, mut items, end_comments)| {
                if let Some(first) = items.first_mut() {
                    first.trivia.blank_line_before = false;
                }
                ItemKind::Check(CheckDecl {
                    name: sp(n),
                    items,
                    end_comments,
                })
            }),
        (
            text(),
            prop::collection::vec(parametric_item(), 0..5),
            prop::collection::vec(comment(), 0..2)
        )
            .prop_map(|(n, mut items, end_comments)| {
                if let Some(first) = items.first_mut() {
                    first.trivia.blank_line_before = false;
                }
                ItemKind::Parametric(ParametricDecl {
                    name: sp(n),
                    items,
                    end_comments,
                })
            }),
        (
            text(),
            treaty_form(),
            prop::collection::vec(treaty_item(), 0..5),
            prop::collection::vec(comment(), 0..2)
        )
            .prop_map(|(n, form, mut items, end_comments)| {
                if let Some(first) = items.first_mut() {
                    first.trivia.blank_line_before = false;
                }
                ItemKind::Treaty(TreatyDecl {
                    name: sp(n),
                    form,
                    items,
                    end_comments,
                })
            }),
    ]
}

fn file() -> impl Strategy<Value = File> {
    (
        prop::collection::vec(comment(), 0..2),
        text(),
        prop::collection::vec((trivia(), item_kind()), 0..8),
        prop::collection::vec(comment(), 0..2),
        prop::collection::vec(comment(), 0..2),
    )
        .prop_map(|(header, name, items, end_comments, footer)| {
            let mut items: Vec<Item> = items
                .into_iter()
                .map(|(trivia, kind)| Item {
                    trivia,
                    kind,
                    span: Span::default(),
                })
                .collect();
            if let Some(first) = items.first_mut() {
                first.trivia.blank_line_before = false;
            }
            File {
                header,
                program: ProgramDecl {
                    name: sp(name),
                    items,
                    end_comments,
                    span: Span::default(),
                },
                footer,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn format_then_parse_gives_the_same_tree(f in file()) {
        let text = specie::format(&f);
        let parsed = specie::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&parsed, &f, "{}", text);
        prop_assert_eq!(specie::format(&parsed), text);
    }
}
