//! Vetting uploaded evidence: base64 (or a data URL), not empty, at most
//! 10 MB, a JPEG, PNG or WebP by its leading bytes (not by what the client
//! says), and at most `veritrail_imaging::MAX_PIXELS` by its header. Nothing
//! is decoded here; decoding runs on the compute pool.

use base64::Engine as _;

use super::error::{CheckError, EvidenceProblem};

pub use veritrail_imaging::{ImageRefusal, MAX_DECODE_BYTES, MAX_PIXELS, MAX_SIDE};

/// Largest decoded image accepted.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;

/// The bytes of an image sent as base64 text, vetted.
pub fn from_base64(field: &str, base64_text: &str) -> Result<Vec<u8>, CheckError> {
    vet(field, decode_base64(field, base64_text)?)
}

/// The bytes of base64 text (or a data URL), not vetted yet.
pub fn decode_base64(field: &str, base64_text: &str) -> Result<Vec<u8>, CheckError> {
    let trimmed = base64_text.trim();
    // Accept data URLs as browsers produce them.
    let payload = match trimmed.split_once(";base64,") {
        Some((prefix, data)) if prefix.starts_with("data:") => data,
        _ => trimmed,
    };
    // An empty payload decodes to no bytes: refused as empty below.
    base64::engine::general_purpose::STANDARD
        .decode(payload.as_bytes())
        .map_err(|e| CheckError::evidence(field, EvidenceProblem::NotBase64(e.to_string())))
}

/// Uploaded image bytes, vetted.
pub fn vet(field: &str, bytes: Vec<u8>) -> Result<Vec<u8>, CheckError> {
    if bytes.is_empty() {
        return Err(CheckError::evidence(field, EvidenceProblem::Empty));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        let problem = EvidenceProblem::TooLarge {
            bytes: bytes.len(),
            limit: MAX_IMAGE_BYTES,
        };
        return Err(CheckError::evidence(field, problem));
    }
    veritrail_imaging::header(&bytes)
        .map_err(|refusal| CheckError::evidence(field, EvidenceProblem::Refused(refusal)))?;
    Ok(bytes)
}

/// Decodes vetted bytes to pixels (run it on the compute pool).
pub(super) fn decode_photo(field: &str, bytes: &[u8]) -> Result<image::RgbImage, CheckError> {
    veritrail_face::decode_photo(bytes)
        .map_err(|refusal| CheckError::evidence(field, EvidenceProblem::Refused(refusal)))
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::{from_base64, CheckError, EvidenceProblem};

    fn problem(result: Result<Vec<u8>, CheckError>) -> Option<String> {
        match result {
            Ok(_) => None,
            Err(CheckError::Evidence { problem, .. }) => Some(
                match problem {
                    EvidenceProblem::NotBase64(_) => "base64",
                    EvidenceProblem::Empty => "empty",
                    EvidenceProblem::TooLarge { .. } => "large",
                    EvidenceProblem::Refused(r) => return Some(format!("refused {r:?}")),
                }
                .to_owned(),
            ),
            Err(other) => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn uploads_are_vetted() {
        assert_eq!(problem(from_base64("f", "")).as_deref(), Some("empty"));
        assert_eq!(problem(from_base64("f", "***")).as_deref(), Some("base64"));
        assert!(problem(from_base64("f", "R0lGODlh")).is_some_and(|p| p.contains("Unsupported")));
        // A JPEG's first bytes without a readable header.
        assert!(problem(from_base64("f", "data:image/jpeg;base64,/9j/4A=="))
            .is_some_and(|p| p.contains("Unreadable")));
        let png = veritrail_imaging::crafted::encoded(image::ImageFormat::Png);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
        assert_eq!(
            problem(from_base64("f", &format!("data:image/png;base64,{b64}"))),
            None
        );
        let bomb = veritrail_imaging::crafted::png_bomb(50_000, 50_000);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bomb);
        assert!(problem(from_base64("f", &b64)).is_some_and(|p| p.contains("TooLarge")));
    }
}
