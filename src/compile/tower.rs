//! The tower of a compiled program: layers ordered by attachment, overlaps refused, gaps
//! between layers and a program without layers told.

use super::{CompileError, CompileWarning, Cx};
use crate::ast::{self, ItemKind};
use crate::program::{tower_gaps, Layer};
use crate::span::Span;

impl Cx {
    /// Orders the tower by attachment and reports overlaps (errors) and gaps (warnings).
    pub(super) fn tower(&mut self, layers: &mut [Layer], decl: &ast::ProgramDecl, name_span: Span) {
        let declared = decl
            .items
            .iter()
            .filter(|i| matches!(i.kind, ItemKind::Layer(_)))
            .count();
        let parametric = decl
            .items
            .iter()
            .any(|i| matches!(i.kind, ItemKind::Parametric(_)));
        if declared == 0 {
            if !parametric {
                self.warnings.push(CompileWarning::NoLayers {
                    program: decl.name.node.clone(),
                    span: name_span.into(),
                });
            }
            return;
        }
        // INVARIANT: sort_by_key is stable, so layers attaching at the same point keep
        // their written order.
        layers.sort_by_key(|l| l.attachment);
        for pair in layers.windows(2) {
            let [lower, upper] = pair else { continue };
            let Some(top) = lower.exhaustion() else {
                continue;
            };
            if top > upper.attachment {
                let amount = top.checked_sub(upper.attachment).unwrap_or_default();
                self.errors.push(CompileError::Overlap {
                    lower: lower.name.clone(),
                    upper: upper.name.clone(),
                    amount: self.currency.display(amount),
                    top: self.currency.display(top),
                    span: upper.span.into(),
                    lower_span: lower.span.into(),
                });
            }
        }
        // A retention below the first layer is normal: only gaps between layers warn.
        for gap in tower_gaps(layers) {
            let (Some(lower), Some(upper)) =
                (gap.below.and_then(|k| layers.get(k)), layers.get(gap.above))
            else {
                continue;
            };
            self.warnings.push(CompileWarning::Gap {
                lower: lower.name.clone(),
                upper: upper.name.clone(),
                amount: self
                    .currency
                    .display(gap.to.checked_sub(gap.from).unwrap_or_default()),
                from: self.currency.display(gap.from),
                to: self.currency.display(gap.to),
                span: upper.span.into(),
            });
        }
    }
}
