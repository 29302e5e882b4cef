//! The MRZ parser (lenient and strict) and the OCR repair on any text: no
//! panic, and a repaired MRZ parses without one too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use veritrail_domain::mrz::{parse, parse_strict, repair};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let today = time::macros::date!(2026 - 12 - 02);
    if let Ok(mrz) = parse(text, today) {
        let _ = (mrz.is_valid(), mrz.errors(), mrz.expired());
    }
    let _ = parse_strict(text, today);
    let repaired = repair(text);
    let _ = parse(&repaired.lines.join("\n"), today);
});
