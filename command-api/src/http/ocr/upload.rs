//! Vetting uploaded images: base64 (or a data URL), not empty, at most
//! 10 MB, and a JPEG, PNG or WebP by its leading bytes.

use actix_web::http::StatusCode;
use base64::Engine as _;

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
    let kind = sniff(&bytes);
    if !matches!(kind, "jpeg" | "png" | "webp") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image_type",
            format!("{field} is {kind}; JPEG, PNG or WebP are accepted"),
        )
        .with_details(serde_json::json!({ "field": field, "detected": kind })));
    }
    Ok(bytes)
}

/// The image type by its magic bytes.
fn sniff(bytes: &[u8]) -> &'static str {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => "jpeg",
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => "png",
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => "webp",
        [b'G', b'I', b'F', b'8', ..] => "gif",
        [b'%', b'P', b'D', b'F', ..] => "pdf",
        [b'B', b'M', ..] => "bmp",
        [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => "tiff",
        [_, _, _, _, b'f', b't', b'y', b'p', b'h', b'e', b'i', b'c', ..] => "heic",
        _ => "not an image",
    }
}

#[cfg(test)]
mod tests {
    use super::{decode_image, sniff};

    #[test]
    fn images_are_known_by_their_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), "jpeg");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), "png");
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), "webp");
        assert_eq!(sniff(b"GIF89a"), "gif");
        assert_eq!(sniff(b"%PDF-1.7"), "pdf");
        assert_eq!(sniff(b"hello"), "not an image");
    }

    #[test]
    fn uploads_are_vetted() {
        let code = |r: Result<Vec<u8>, super::ApiError>| r.err().map(|e| e.code);
        assert_eq!(code(decode_image("f", "")), Some("empty_image"));
        assert_eq!(code(decode_image("f", "***")), Some("invalid_base64"));
        assert_eq!(
            code(decode_image("f", "R0lGODlh")),
            Some("unsupported_image_type")
        );
        assert_eq!(
            code(decode_image("f", "data:image/jpeg;base64,/9j/4A==")),
            None
        );
    }
}
