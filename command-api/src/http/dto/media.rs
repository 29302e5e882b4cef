//! Uploaded evidence as the API shows it: what was stored, never the bytes.

use serde::Serialize;
use utoipa::ToSchema;
use veritrail_domain::case::{EvidenceKind, StoredMedia};
use veritrail_domain::MediaId;

/// One uploaded image: upright, re-encoded without metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct MediaView {
    #[schema(value_type = String, format = Uuid)]
    pub media_id: MediaId,
    pub kind: EvidenceKind,
    /// `image/jpeg` or `image/png`.
    pub content_type: &'static str,
    /// Hex SHA-256 of the stored bytes.
    pub sha256: String,
    pub size_bytes: u64,
    pub width: u32,
    pub height: u32,
    /// Hex SHA-256 and size of the bytes sent.
    pub original_sha256: String,
    pub original_size_bytes: u64,
}

impl MediaView {
    pub fn of(media: &StoredMedia) -> Self {
        Self {
            media_id: media.media_id,
            kind: media.kind,
            content_type: media.media_type.mime(),
            sha256: media.sha256.clone(),
            size_bytes: media.size_bytes,
            width: media.width,
            height: media.height,
            original_sha256: media.original_sha256.clone(),
            original_size_bytes: media.original_size_bytes,
        }
    }
}

/// An upload's answer: what was stored and the case's new version.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    #[serde(flatten)]
    pub media: MediaView,
    /// The case's version after the upload (its `ETag`).
    pub case_version: usize,
}
