//! The error path of reading a scenario file runs in memory that does not grow with the
//! file: a 204 MB scenario with a typo in its sixth event took 3.05 GB before the error
//! (the whole document was built to find the event's id). A peak-tracking global allocator
//! in this test binary measures what the failed read holds at most.
#![allow(unsafe_code)] // a global allocator cannot be written without it

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Peak;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let now = CURRENT.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        grow(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Peak = Peak;

const PROGRAM: &str = r#"program "P" {
  period 2026-01-01 to 2027-01-01
  attribute colluding_staff: count = 0
  layer "Primary" 10M xs 0 { carrier "A" 100% }
}"#;

/// A pretty-printed scenario of `n` events; `sixth` replaces the sixth event's text.
fn scenario(n: usize, sixth: &str) -> String {
    let mut s = String::from("{\n \"name\": \"big\",\n \"prices\": {\"BTC\": [[\"2026-01-01T00:00:00Z\", \"60000\"]]},\n \"events\": [\n");
    for i in 0..n {
        if i > 0 {
            s.push_str(",\n");
        }
        if i == 5 {
            s.push_str(sixth);
            continue;
        }
        s.push_str(&format!(
            "  {{\"id\": \"E{i:07}\", \"cause\": \"external_hack\", \"occurred\": \"2026-03-01T00:00:00Z\",\n   \"losses\": [{{\"tier\": \"hot\", \"asset\": \"BTC\", \"quantity\": \"1.5\"}}, {{\"tier\": \"warm\", \"amount\": \"250000\"}}],\n   \"attributes\": {{\"colluding_staff\": 0}}}}"
        ));
    }
    s.push_str("\n ]\n}\n");
    s
}

#[test]
fn a_bad_event_near_the_start_is_reported_in_bounded_memory() {
    let program = specie::compile_str(PROGRAM).unwrap().program;
    let bad = [
        // a misspelt field: a shape error
        (
            r#"  {"id": "E0000005", "cause": "external_hack", "occurred": "2026-03-01T00:00:00Z", "losses": [{"tier": "hot", "amont": "1"}]}"#,
            "amont",
        ),
        // a wrong type
        (
            r#"  {"id": "E0000005", "cause": "external_hack", "occurred": "2026-03-01T00:00:00Z", "losses": [{"tier": "hot", "quantity": [1]}]}"#,
            "quantity",
        ),
        // an undeclared attribute: the file is read whole for syntax first
        (
            r#"  {"id": "E0000005", "cause": "external_hack", "occurred": "2026-03-01T00:00:00Z", "losses": [{"tier": "hot", "amount": "1"}], "attributes": {"colluding_stafff": 1}}"#,
            "colluding_stafff",
        ),
    ];
    for (sixth, word) in bad {
        let text = scenario(100_000, sixth);
        assert!(text.len() > 20_000_000);
        let mut out = Vec::new();
        let base = CURRENT.load(Ordering::SeqCst);
        PEAK.store(base, Ordering::SeqCst);
        let err = specie::replay::replay_text_into(
            &program,
            &text,
            &mut out,
            specie::replay::Format::PrettyJson,
            Default::default(),
        )
        .unwrap_err();
        let held = PEAK.load(Ordering::SeqCst) - base;
        let msg = err.to_string();
        assert!(msg.contains("E0000005") && msg.contains(word), "{msg}");
        // Before: the document's tree, many times the text. Now: buffers of a few events.
        assert!(
            held < text.len() / 4,
            "{word}: the failed read held {held} bytes for a {} byte file",
            text.len()
        );
    }
}
