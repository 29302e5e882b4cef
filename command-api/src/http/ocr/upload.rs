//! Vetting uploaded images: base64 (or a data URL), not empty, at most
//! 10 MB, a JPEG, PNG or WebP by its leading bytes, and at most
//! `veritrail_imaging::MAX_PIXELS` by its header (nothing is decoded here).

use actix_web::http::StatusCode;
use base64::Engine as _;

use veritrail_imaging::ImageRefusal;

use crate::http::error::ApiError;

/// Largest decoded image accepted.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
/// Largest request body: two images in base64 and the rest.
pub const OCR_BODY_LIMIT: usize = 2 * (MAX_IMAGE_BYTES / 3 * 4 + 4) + 64 * 1024;

/// Decodes and vets one uploaded image: base64, not empty, at most 10 MB, and
/// a JPEG, PNG or WebP by its leading bytes (not by what the client says).
pub fn decode_image(field: &str, base64_text: &str) -> Result<Vec<u8>, ApiError> {
    let trimmed = base64_text.trim();
    // Accept data URLs as browsers produce them.
    let payload = match trimmed.split_once(";base64,") {
        Some((prefix, data)) if prefix.starts_with("data:") => data,
        _ => trimmed,
    };
    // An empty payload decodes to no bytes: refused as empty below.
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload.as_bytes())
        .map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_base64",
                format!("{field} is not base64: {e}"),
            )
            .with_details(serde_json::json!({ "field": field }))
        })?;
    if bytes.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "empty_image",
            format!("{field} is empty"),
        )
        .with_details(serde_json::json!({ "field": field })));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_too_large",
            format!(
                "{field} is {} bytes; at most {MAX_IMAGE_BYTES} are accepted",
                bytes.len()
            ),
        )
        .with_details(
            serde_json::json!({ "field": field, "bytes": bytes.len(), "limit": MAX_IMAGE_BYTES }),
        ));
    }
    veritrail_imaging::header(&bytes).map_err(|refusal| image_refusal(field, refusal))?;
    Ok(bytes)
}

/// The answer for an image the service will not read: 415 for another
/// type, 413 for too many pixels or too much memory, 422 when damaged.
pub fn image_refusal(field: &str, refusal: ImageRefusal) -> ApiError {
    let (status, code, details) = match refusal {
        ImageRefusal::Unsupported(kind) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image_type",
            serde_json::json!({ "field": field, "detected": kind }),
        ),
        ImageRefusal::TooLarge { width, height } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_dimensions_too_large",
            serde_json::json!({
                "field": field, "width": width, "height": height,
                "max_pixels": veritrail_imaging::MAX_PIXELS, "max_side": veritrail_imaging::MAX_SIDE,
            }),
        ),
        ImageRefusal::TooMuchMemory => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_dimensions_too_large",
            serde_json::json!({ "field": field, "max_decode_bytes": veritrail_imaging::MAX_DECODE_BYTES }),
        ),
        ImageRefusal::Unreadable(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_image",
            serde_json::json!({ "field": field }),
        ),
    };
    ApiError::new(status, code, format!("{field} is refused: {refusal}")).with_details(details)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::decode_image;

    #[test]
    fn uploads_are_vetted() {
        let code = |r: Result<Vec<u8>, super::ApiError>| r.err().map(|e| e.code);
        assert_eq!(code(decode_image("f", "")), Some("empty_image"));
        assert_eq!(code(decode_image("f", "***")), Some("invalid_base64"));
        assert_eq!(
            code(decode_image("f", "R0lGODlh")),
            Some("unsupported_image_type")
        );
        // A JPEG's first bytes without a readable header.
        assert_eq!(
            code(decode_image("f", "data:image/jpeg;base64,/9j/4A==")),
            Some("unreadable_image")
        );
        let png = veritrail_imaging::crafted::encoded(image::ImageFormat::Png);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
        assert_eq!(
            code(decode_image("f", &format!("data:image/png;base64,{b64}"))),
            None
        );
        let bomb = veritrail_imaging::crafted::png_bomb(50_000, 50_000);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bomb);
        assert_eq!(
            code(decode_image("f", &b64)),
            Some("image_dimensions_too_large")
        );
    }
}
