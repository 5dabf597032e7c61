//! Type-checking of conditions (spec section 4).

use super::{CompileError, CompileWarning, Cx, STANDARD_CAUSES, STANDARD_TIERS};
use crate::ast::{AttrType, Cond, CondKind, Literal, Test};
use crate::program::{Condition, Field, Program, SymbolField, Value};
use crate::span::{Span, Spanned};
use crate::suggest::did_you_mean;
use rust_decimal::Decimal;

/// Built-in field names.
pub const BUILTIN_FIELDS: &[&str] = &[
    "cause",
    "tier",
    "asset",
    "value",
    "occurred",
    "discovered",
    "time_to_discovery",
];

/// Where a condition is evaluated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Per loss line: line and event fields.
    Line,
    /// Per event (layer exclusions): event fields only.
    Event,
}

/// The type of a non-symbol field.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Ty {
    Flag,
    Count,
    Number,
    Amount,
    Duration,
    Text,
    Instant,
}

impl From<AttrType> for Ty {
    fn from(t: AttrType) -> Ty {
        match t {
            AttrType::Flag => Ty::Flag,
            AttrType::Count => Ty::Count,
            AttrType::Number => Ty::Number,
            AttrType::Amount => Ty::Amount,
            AttrType::Duration => Ty::Duration,
            AttrType::Text => Ty::Text,
        }
    }
}

impl Ty {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Ty::Flag => "flag",
            Ty::Count => "count",
            Ty::Number => "number",
            Ty::Amount => "amount",
            Ty::Duration => "duration",
            Ty::Text => "text",
            Ty::Instant => "instant",
        }
    }

    pub(crate) fn example(self) -> &'static str {
        match self {
            Ty::Flag => "`true` or `false`",
            Ty::Count => "`2`",
            Ty::Number => "`1.5` or `30%`",
            Ty::Amount => "`2.5M`",
            Ty::Duration => "`30 days`",
            Ty::Text => "`\"text\"`",
            Ty::Instant => "`2026-03-01` or `2026-03-01T00:00:00Z`",
        }
    }

    /// A comparison to suggest for a bare field of this type.
    fn comparison(self) -> &'static str {
        match self {
            Ty::Flag => "== true",
            Ty::Count => ">= 2",
            Ty::Number => "> 1.5",
            Ty::Amount => "> 1M",
            Ty::Duration => "> 30 days",
            Ty::Text => "== \"text\"",
            Ty::Instant => ">= 2026-03-01",
        }
    }
}

/// What a field name resolves to.
enum Resolved {
    Symbol(SymbolField),
    Typed(Field, Ty),
}

fn literal_kind(l: &Literal) -> &'static str {
    match l {
        Literal::Number(_) => "a number",
        Literal::Percent(_) => "a percentage",
        Literal::Duration(_) => "a duration",
        Literal::Date(_) => "a date",
        Literal::Instant(_) => "an instant",
        Literal::String(_) => "a string",
        Literal::Bool(_) => "a flag value",
    }
}

impl Cx {
    /// Converts a literal to a value of type `ty`. `Err(Some(kind))` when the literal is
    /// of another type; `Err(None)` when an error was already reported.
    pub(crate) fn literal_value(
        &mut self,
        lit: &Spanned<Literal>,
        ty: Ty,
    ) -> Result<Value, Option<&'static str>> {
        let kind = literal_kind(&lit.node);
        match (&lit.node, ty) {
            (Literal::Bool(b), Ty::Flag) => Ok(Value::Flag(*b)),
            (Literal::String(s), Ty::Text) => Ok(Value::Text(s.clone())),
            (Literal::Number(n), Ty::Amount) => {
                let Some(v) = n.value() else {
                    self.errors
                        .push(self.too_large_amount("amount", lit.span.into()));
                    return Err(None);
                };
                self.money_value(v, lit.span, "amount")
                    .map(Value::Amount)
                    .ok_or(None)
            }
            (Literal::Number(n), Ty::Count) => {
                let v = n.value().unwrap_or(Decimal::MAX);
                let whole = v.fract().is_zero();
                match (whole, u64::try_from(v.normalize().mantissa())) {
                    (true, Ok(c)) if v.normalize().scale() == 0 => Ok(Value::Count(c)),
                    _ => {
                        self.errors.push(CompileError::NotWhole {
                            what: "count",
                            value: v.normalize().to_string(),
                            span: lit.span.into(),
                            unit: "events, people or items",
                        });
                        Err(None)
                    }
                }
            }
            (Literal::Number(n), Ty::Number) => match n.value() {
                Some(v) => Ok(Value::Number(v)),
                None => {
                    self.errors
                        .push(self.too_large_number("number", lit.span.into()));
                    Err(None)
                }
            },
            (Literal::Percent(p), Ty::Number) => match p.checked_div(Decimal::ONE_HUNDRED) {
                Some(v) => Ok(Value::Number(v)),
                None => Err(Some(kind)),
            },
            (Literal::Duration(d), Ty::Duration) => match self.duration_at(d, lit.span, "duration")
            {
                Some(d) => Ok(Value::Duration(d)),
                None => Err(None),
            },
            (Literal::Date(d), Ty::Instant) => Ok(Value::Instant(d.midnight())),
            (Literal::Instant(i), Ty::Instant) => Ok(Value::Instant(*i)),
            _ => Err(Some(kind)),
        }
    }

    fn resolve(
        &mut self,
        field: &Spanned<String>,
        program: &Program,
        scope: Scope,
    ) -> Option<Resolved> {
        let name = field.node.as_str();
        let line_field = |cx: &mut Cx| {
            if scope == Scope::Event {
                cx.errors.push(CompileError::LineFieldInLayer {
                    field: name.to_string(),
                    span: field.span.into(),
                });
                false
            } else {
                true
            }
        };
        let r = match name {
            "cause" => Resolved::Symbol(SymbolField::Cause),
            "tier" => {
                if !line_field(self) {
                    return None;
                }
                Resolved::Symbol(SymbolField::Tier)
            }
            "asset" => {
                if !line_field(self) {
                    return None;
                }
                Resolved::Symbol(SymbolField::Asset)
            }
            "value" => {
                if !line_field(self) {
                    return None;
                }
                Resolved::Typed(Field::Value, Ty::Amount)
            }
            "occurred" => Resolved::Typed(Field::Occurred, Ty::Instant),
            "discovered" => Resolved::Typed(Field::Discovered, Ty::Instant),
            "time_to_discovery" => Resolved::Typed(Field::TimeToDiscovery, Ty::Duration),
            _ => match program.attributes.iter().position(|a| a.name == name) {
                Some(idx) => {
                    let ty = program.attributes.get(idx).map(|a| Ty::from(a.ty))?;
                    Resolved::Typed(Field::Attribute(idx), ty)
                }
                None => {
                    let names = BUILTIN_FIELDS
                        .iter()
                        .copied()
                        .chain(program.attributes.iter().map(|a| a.name.as_str()));
                    let help = match did_you_mean(name, names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!(
                            "declare it with `attribute {name}: flag` (or count, number, amount, duration, text), or use a built-in field: {}",
                            BUILTIN_FIELDS.join(", ")
                        ),
                    };
                    self.errors.push(CompileError::UnknownField {
                        name: name.to_string(),
                        span: field.span.into(),
                        help,
                    });
                    return None;
                }
            },
        };
        Some(r)
    }

    fn symbol_value(&mut self, field: SymbolField, sym: &Spanned<String>, program: &Program) {
        match field {
            SymbolField::Cause => {
                let (known, problem, pool): (bool, &'static str, Vec<&str>) = match &program.covers
                {
                    Some(c) => (
                        c.contains(&sym.node),
                        "is not among the covered causes, so this test never meets a covered event",
                        c.iter().map(String::as_str).collect(),
                    ),
                    None => (
                        STANDARD_CAUSES.contains(&sym.node.as_str()),
                        "is not a standard cause of loss",
                        STANDARD_CAUSES.to_vec(),
                    ),
                };
                if !known {
                    let help = match did_you_mean(&sym.node, pool.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "events must spell the cause exactly as written here".to_string(),
                    };
                    self.warnings.push(CompileWarning::UnknownCause {
                        cause: sym.node.clone(),
                        problem,
                        span: sym.span.into(),
                        help,
                    });
                }
            }
            SymbolField::Tier => {
                if !STANDARD_TIERS.contains(&sym.node.as_str()) {
                    self.tier(sym);
                }
            }
            SymbolField::Asset => {}
        }
    }

    /// Type-checks a condition; `None` when it has errors (all of them reported).
    pub(crate) fn condition(
        &mut self,
        c: &Cond,
        program: &Program,
        scope: Scope,
    ) -> Option<Condition> {
        match &c.kind {
            CondKind::Or(parts) | CondKind::And(parts) => {
                let mut out = Vec::with_capacity(parts.len());
                let mut ok = true;
                for p in parts {
                    match self.condition(p, program, scope) {
                        Some(x) => out.push(x),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Some(if matches!(c.kind, CondKind::Or(_)) {
                    Condition::Or(out)
                } else {
                    Condition::And(out)
                })
            }
            CondKind::Not(inner) => self
                .condition(inner, program, scope)
                .map(|x| Condition::Not(Box::new(x))),
            CondKind::Test(t) => self.test(t, c.span, program, scope),
        }
    }

    fn test(&mut self, t: &Test, span: Span, program: &Program, scope: Scope) -> Option<Condition> {
        match t {
            Test::Is {
                field,
                negated,
                symbol,
            } => {
                let op = if *negated { "is not" } else { "is" };
                let symbols = std::slice::from_ref(symbol);
                self.symbol_test(field, *negated, symbols, op, span, program, scope)
            }
            Test::In {
                field,
                negated,
                symbols,
            } => {
                let op = if *negated { "not in" } else { "in" };
                self.symbol_test(field, *negated, symbols, op, span, program, scope)
            }
            Test::Compare { field, op, value } => {
                self.compare_test(field, op, value, program, scope)
            }
            Test::Flag { field } => {
                let field_ref = self.resolve(field, program, scope)?;
                match field_ref {
                    Resolved::Typed(f, Ty::Flag) => Some(Condition::Flag(f)),
                    Resolved::Typed(_, ty) => {
                        self.errors.push(CompileError::NotAFlag {
                            field: field.node.clone(),
                            ty: ty.name(),
                            example: ty.comparison(),
                            span: field.span.into(),
                        });
                        None
                    }
                    Resolved::Symbol(_) => {
                        self.errors.push(CompileError::NotAFlag {
                            field: field.node.clone(),
                            ty: "symbol",
                            example: "is external_hack",
                            span: field.span.into(),
                        });
                        None
                    }
                }
            }
        }
    }

    /// `FIELD is SYMBOL`, `FIELD in [SYMBOL, …]` and their negations (`op` as written): a
    /// symbol field only; a symbol written twice draws a warning and counts once.
    #[allow(clippy::too_many_arguments)] // the parts of one test, as the parser gives them
    fn symbol_test(
        &mut self,
        field: &Spanned<String>,
        negated: bool,
        symbols: &[Spanned<String>],
        op: &str,
        span: Span,
        program: &Program,
        scope: Scope,
    ) -> Option<Condition> {
        match self.resolve(field, program, scope)? {
            Resolved::Symbol(sf) => {
                let mut seen: Vec<String> = Vec::new();
                for s in symbols {
                    if seen.contains(&s.node) {
                        self.warnings.push(CompileWarning::DuplicateSymbol {
                            symbol: s.node.clone(),
                            span: s.span.into(),
                        });
                        continue;
                    }
                    self.symbol_value(sf, s, program);
                    seen.push(s.node.clone());
                }
                Some(Condition::Symbol {
                    field: sf,
                    negated,
                    symbols: seen,
                })
            }
            Resolved::Typed(_, ty) => {
                self.symbol_op_error(op, field, ty, span);
                None
            }
        }
    }

    /// `FIELD OP VALUE`: a typed field only, an ordering only on an ordered type, a value
    /// of the field's type.
    fn compare_test(
        &mut self,
        field: &Spanned<String>,
        op: &Spanned<crate::ast::CmpOp>,
        value: &Spanned<Literal>,
        program: &Program,
        scope: Scope,
    ) -> Option<Condition> {
        let (f, ty) = match self.resolve(field, program, scope)? {
            Resolved::Typed(f, ty) => (f, ty),
            Resolved::Symbol(_) => {
                let is = if op.node == crate::ast::CmpOp::Ne {
                    "is not"
                } else {
                    "is"
                };
                self.errors.push(CompileError::Operator {
                    op: op.node.as_str().to_string(),
                    field: field.node.clone(),
                    ty: "symbol",
                    span: op.span.into(),
                    help: format!(
                        "test a symbol field with `is`, `is not`, `in` or `not in`, e.g. `{} {is} …`",
                        field.node
                    ),
                });
                return None;
            }
        };
        if op.node.is_ordering() && matches!(ty, Ty::Flag | Ty::Text) {
            self.errors.push(CompileError::Operator {
                op: op.node.as_str().to_string(),
                field: field.node.clone(),
                ty: ty.name(),
                span: op.span.into(),
                help: format!("a {} is tested with `==` or `!=`", ty.name()),
            });
            return None;
        }
        let v = self.typed_value(&field.node, value, ty)?;
        Some(Condition::Compare {
            field: f,
            op: op.node,
            value: v,
        })
    }

    /// `value` as a value of `ty`, the type of `field`; a literal of another type is
    /// `specie::type::mismatch`.
    pub(crate) fn typed_value(
        &mut self,
        field: &str,
        value: &Spanned<Literal>,
        ty: Ty,
    ) -> Option<Value> {
        match self.literal_value(value, ty) {
            Ok(v) => Some(v),
            Err(Some(found)) => {
                self.errors.push(CompileError::Mismatch {
                    field: field.to_string(),
                    ty: ty.name(),
                    found,
                    span: value.span.into(),
                    help: format!("a {} is written like {}", ty.name(), ty.example()),
                });
                None
            }
            Err(None) => None,
        }
    }

    fn symbol_op_error(&mut self, op: &str, field: &Spanned<String>, ty: Ty, span: Span) {
        self.errors.push(CompileError::Operator {
            op: op.to_string(),
            field: field.node.clone(),
            ty: ty.name(),
            span: span.into(),
            help: format!(
                "`is` and `in` test symbol fields (cause, tier, asset); compare a {} with `==`, `!=`, `<`, `<=`, `>` or `>=`",
                ty.name()
            ),
        });
    }
}
