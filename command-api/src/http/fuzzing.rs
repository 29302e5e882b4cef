//! Entry points for `cargo fuzz` (`fuzz/`, compiled with `--cfg fuzzing`
//! only): every request body the API accepts, parsed and turned into domain
//! values exactly as the handlers do. Any outcome but a panic is fine.

use super::dto::{
    BypassCheck, CancelVerification, CreateVerification, Decide, RecreateVerification,
    RequestAction, ResubmitEvidence, ReviewCheck, SubmitData,
};

/// Parses `body` as each request type and converts what parses.
pub fn request_bodies(body: &[u8]) {
    if let Ok(dto) = serde_json::from_slice::<CreateVerification>(body) {
        let _ = dto.into_request();
    }
    if let Ok(dto) = serde_json::from_slice::<SubmitData>(body) {
        let _ = dto.into_domain();
    }
    if let Ok(dto) = serde_json::from_slice::<CancelVerification>(body) {
        let _ = dto.reason();
    }
    if let Ok(dto) = serde_json::from_slice::<RecreateVerification>(body) {
        let _ = dto.parts();
    }
    if let Ok(dto) = serde_json::from_slice::<ResubmitEvidence>(body) {
        let _ = dto.into_domain();
    }
    if let Ok(dto) = serde_json::from_slice::<Decide>(body) {
        let _ = dto.into_domain();
    }
    if let Ok(dto) = serde_json::from_slice::<BypassCheck>(body) {
        let _ = dto.comment();
    }
    if let Ok(dto) = serde_json::from_slice::<ReviewCheck>(body) {
        let _ = dto.into_domain();
    }
    if let Ok(dto) = serde_json::from_slice::<RequestAction>(body) {
        let _ = dto.parts();
    }
}
