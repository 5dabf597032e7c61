//! Allocation discipline of the engine's fast path: after warm-up, replaying an event
//! allocates nothing (a counting global allocator in this test binary; it holds one test,
//! so nothing else allocates while the count runs).
#![allow(unsafe_code)] // a global allocator cannot be written without it

use specie::bench_support::{event_line, Rng, BENCH_PROGRAM};
use specie::replay::{Outcome, Replayer};
use specie::scenario::{Prices, RawEvent};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn the_engine_allocates_nothing_per_event_after_warm_up() {
    let program = specie::compile_str(BENCH_PROGRAM).unwrap().program;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut line = String::new();
    let raw: Vec<RawEvent<'static>> = (0..20_000u64)
        .map(|i| {
            line.clear();
            event_line(i, &mut rng, &mut line);
            RawEvent::from_json_line(&line, 1).unwrap().into_owned()
        })
        .collect();
    let mut replayer = Replayer::new(&program);
    let prep = replayer.preparer(Prices::default(), None).unwrap();
    let events: Vec<_> = raw
        .iter()
        .map(|r| prep.prepare(r, replayer.symbols()).unwrap())
        .collect();
    let mut out = Outcome::default();
    // Warm-up: buffers grow to their size, totals meet every uncovered key.
    for ev in &events[..10_000] {
        replayer.event(ev, &mut out, None).unwrap();
    }
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    for ev in &events[10_000..] {
        replayer.event(ev, &mut out, None).unwrap();
    }
    COUNTING.store(false, Ordering::SeqCst);
    let n = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!(n, 0, "{n} allocations in 10,000 events after warm-up");
    // The count is real: an event result allocates its names.
    COUNTING.store(true, Ordering::SeqCst);
    let r = replayer.event_result(events[0].id, &out);
    COUNTING.store(false, Ordering::SeqCst);
    assert!(ALLOCATIONS.load(Ordering::SeqCst) > 0, "{r:?}");
}
