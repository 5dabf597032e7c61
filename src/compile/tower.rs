//! The tower of a compiled program: layers ordered by attachment, overlaps refused, gaps
//! between layers and a program without layers told.

use super::{CompileError, CompileWarning, Cx};
use crate::ast::{self, ItemKind};
use crate::program::Layer;
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
            } else if top < upper.attachment {
                let amount = upper.attachment.checked_sub(top).unwrap_or_default();
                self.warnings.push(CompileWarning::Gap {
                    lower: lower.name.clone(),
                    upper: upper.name.clone(),
                    amount: self.currency.display(amount),
                    from: self.currency.display(top),
                    to: self.currency.display(upper.attachment),
                    span: upper.span.into(),
                });
            }
        }
    }
}
