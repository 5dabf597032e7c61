//! Why the engine could not settle an event: an amount left the range of exact
//! arithmetic, or an invariant the plan guarantees did not hold (a bug). Every internal
//! step returns `Result<_, Fault>`; [`Fault::at`] names the event for the public
//! [`ReplayError`].

use super::ReplayError;

/// A step of the engine that could not finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Fault {
    /// An amount overflowed exact arithmetic (92 quadrillion minor units).
    Overflow,
    /// A lookup or conversion the compiled plan guarantees failed: a bug in Specie. (No
    /// detail: a fault is as small as the amounts it travels with on the hot path.)
    Broken,
    /// The program's treaties cede in a circle (only a program not built by the compiler).
    TreatyCycle,
}

impl Fault {
    /// The public error for this fault in event `event`, in the step `what`.
    pub(crate) fn at(self, event: &str, what: &'static str) -> ReplayError {
        match self {
            Fault::Overflow => ReplayError::Overflow {
                event: event.to_string(),
                what,
            },
            Fault::Broken => ReplayError::Internal {
                event: event.to_string(),
                what,
            },
            Fault::TreatyCycle => ReplayError::TreatyCycle,
        }
    }
}

/// `Option` → `Result<_, Fault>`: `None` from checked arithmetic is an overflow, `None`
/// from a lookup the plan guarantees is a broken invariant.
pub(crate) trait OrFault<T> {
    /// `None` means an amount overflowed.
    fn or_overflow(self) -> Result<T, Fault>;
    /// `None` means an invariant of the plan did not hold.
    fn or_broken(self) -> Result<T, Fault>;
}

impl<T> OrFault<T> for Option<T> {
    #[inline]
    fn or_overflow(self) -> Result<T, Fault> {
        self.ok_or(Fault::Overflow)
    }

    #[inline]
    fn or_broken(self) -> Result<T, Fault> {
        self.ok_or(Fault::Broken)
    }
}
