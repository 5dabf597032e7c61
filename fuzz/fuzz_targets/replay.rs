//! Arbitrary scenario bytes (first byte: which program) through a fixture or generated
//! program, as JSON and as a JSON Lines stream; every replay must conserve every cent.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    specie::fuzzing::replay_target(data);
});
