//! Bytes → parse and compile; whatever parses must also survive format → parse unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    specie::fuzzing::parse_target(data);
});
