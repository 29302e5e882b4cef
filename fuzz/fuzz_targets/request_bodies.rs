//! Every request body the API accepts, parsed and converted to domain
//! values as the handlers do: no panic on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    veritrail_command_api::http::fuzzing::request_bodies(data);
});
