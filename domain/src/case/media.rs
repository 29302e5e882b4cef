//! Evidence uploaded to a case (AUD-5): the event log holds what identifies
//! and proves each image — its id, kind, type, digests and sizes — never the
//! bytes, which live in the media store under the id.

use serde::{Deserialize, Serialize};

use crate::case::submission::EvidenceKind;
use crate::ids::MediaId;

/// At most this many uploads per case (retakes included).
pub const MAX_UPLOADS_PER_CASE: usize = 40;

/// The stored form of an accepted image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Jpeg,
    Png,
}

impl MediaType {
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
        }
    }
}

/// One uploaded image as stored: re-encoded upright without metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMedia {
    pub media_id: MediaId,
    pub kind: EvidenceKind,
    pub media_type: MediaType,
    /// Hex SHA-256 of the stored bytes.
    pub sha256: String,
    pub size_bytes: u64,
    pub width: u32,
    pub height: u32,
    /// Hex SHA-256 and size of what the client sent (chain of custody).
    pub original_sha256: String,
    pub original_size_bytes: u64,
}
