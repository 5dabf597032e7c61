//! `--explain` traces, compiled out of the fast path: the engine is generic over a
//! [`Tracer`], and [`NoTrace`] makes every trace step an empty inline call, so the replay
//! of an untraced event builds no text and tests no flag.

use super::TraceStep;

/// Receives the steps of an event's path.
pub(crate) trait Tracer {
    /// Records the step `f` builds; `f` runs only when steps are kept.
    fn step(&mut self, f: impl FnOnce() -> TraceStep);
}

/// Keeps nothing: the engine's fast path.
pub(crate) struct NoTrace;

impl Tracer for NoTrace {
    #[inline(always)]
    fn step(&mut self, _: impl FnOnce() -> TraceStep) {}
}

impl Tracer for Vec<TraceStep> {
    fn step(&mut self, f: impl FnOnce() -> TraceStep) {
        self.push(f());
    }
}

/// Records a trace step; its text is built only when a trace is kept.
macro_rules! note {
    ($trace:expr, $step:expr, $name:expr, $span:expr, $before:expr, $after:expr, $text:expr) => {
        $trace.step(|| TraceStep {
            step: $step,
            name: $name,
            span: $span,
            before: Money($before),
            after: Money($after),
            note: $text,
        })
    };
}
pub(crate) use note;
