//! The checks' errors as API errors: what is wrong with the evidence (400,
//! 413, 415, 422 with the field), no face (422), and the rest through their
//! own mappings.

use actix_web::http::StatusCode;
use serde_json::json;
use veritrail_application::checks::evidence::{self as limits, ImageRefusal};
use veritrail_application::checks::{CheckError, EvidenceProblem, FaceIn};

use super::ApiError;

fn evidence(field: &str, problem: EvidenceProblem) -> ApiError {
    let message = format!("{field} {problem}");
    let (status, code, details) = match problem {
        EvidenceProblem::NotBase64(_) => (
            StatusCode::BAD_REQUEST,
            "invalid_base64",
            json!({ "field": field }),
        ),
        EvidenceProblem::Empty => (
            StatusCode::BAD_REQUEST,
            "empty_image",
            json!({ "field": field }),
        ),
        EvidenceProblem::TooLarge { bytes, limit } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_too_large",
            json!({ "field": field, "bytes": bytes, "limit": limit }),
        ),
        EvidenceProblem::Refused(ImageRefusal::Unsupported(kind)) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image_type",
            json!({ "field": field, "detected": kind }),
        ),
        EvidenceProblem::Refused(ImageRefusal::TooLarge { width, height }) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_dimensions_too_large",
            json!({
                "field": field, "width": width, "height": height,
                "max_pixels": limits::MAX_PIXELS, "max_side": limits::MAX_SIDE,
            }),
        ),
        EvidenceProblem::Refused(ImageRefusal::TooMuchMemory) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_dimensions_too_large",
            json!({ "field": field, "max_decode_bytes": limits::MAX_DECODE_BYTES }),
        ),
        EvidenceProblem::Refused(ImageRefusal::Unreadable(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_image",
            json!({ "field": field }),
        ),
    };
    ApiError::new(status, code, message).with_details(details)
}

/// 422 `no_face`: no face, or none usable (`reason` says why).
fn no_face(place: FaceIn, reason: Option<String>) -> ApiError {
    let message = match &reason {
        Some(reason) => format!("no usable face was found in the {place}: {reason}"),
        None => format!("no usable face was found in the {place}"),
    };
    let mut details = match place {
        FaceIn::Image(image) => json!({ "image": image }),
        FaceIn::Frame(frame) => json!({ "frame": frame }),
    };
    if let Some(reason) = reason {
        details["reason"] = json!(reason);
    }
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "no_face", message).with_details(details)
}

impl From<CheckError> for ApiError {
    fn from(error: CheckError) -> Self {
        match error {
            CheckError::Evidence { field, problem } => evidence(&field, problem),
            CheckError::Invalid { field, expected } => ApiError::validation(field, expected),
            CheckError::NoFace(place) => no_face(place, None),
            CheckError::UnusableFace { place, reason } => no_face(place, Some(reason)),
            CheckError::Challenge(e) => e.into(),
            CheckError::Quota(e) => e.into(),
            CheckError::Compute(e) => e.into(),
            CheckError::Service(e) => e.into(),
            CheckError::Engine { check, detail } => {
                tracing::error!(check, error = %detail, "check failed");
                ApiError::internal()
            }
        }
    }
}
