//! Bytes → the editor services at every cursor position: no panic, every span inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    specie::fuzzing::ide_target(data);
});
