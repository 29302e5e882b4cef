//! The image checks that run before any pixel is decoded: the type from the
//! leading bytes and the dimensions from the header. No panic on any bytes,
//! and an image the header check accepts decodes (or is refused) within the
//! limits — never above them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use veritrail_imaging::{decode, header, sniff};

fuzz_target!(|data: &[u8]| {
    let _ = sniff(data);
    if let Ok(found) = header(data) {
        if let Ok(image) = decode(data) {
            let pixels = u64::from(image.width()) * u64::from(image.height());
            assert!(pixels <= veritrail_imaging::MAX_PIXELS, "{found:?} decoded over the limit");
        }
    }
});
