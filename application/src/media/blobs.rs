//! Where uploaded images are kept: a key–value store of immutable blobs.
//! The service uses one key per upload (`{tenant}/{case}/{media}`) and never
//! overwrites one. A local directory is the default ([`super::LocalBlobs`]);
//! an S3-compatible bucket is the option ([`super::S3Blobs`]).

use async_trait::async_trait;

/// Why the blob store did not answer.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// A key the service did not make (a bug).
    #[error("invalid blob key {0:?}")]
    InvalidKey(String),
    #[error("blob store failure: {0}")]
    Io(#[from] std::io::Error),
}

#[async_trait]
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Stores `bytes` under `key`, durably, before returning.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobError>;
    /// The bytes under `key`, or `None` if there are none.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError>;
    /// Removes `key` (nothing to do if it is absent).
    async fn delete(&self, key: &str) -> Result<(), BlobError>;
}

/// Keys are made by the service: ASCII letters, digits, `-`, `_`, `.` in
/// `/`-separated segments, none empty or a dot path.
pub(super) fn check_key(key: &str) -> Result<(), BlobError> {
    let segment_ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if key.len() <= 512 && key.split('/').all(segment_ok) {
        Ok(())
    } else {
        Err(BlobError::InvalidKey(key.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::check_key;

    #[test]
    fn only_keys_the_service_makes_are_accepted() {
        assert!(check_key("acme/0192-ab/0193-cd").is_ok());
        for bad in ["", "/abs", "a//b", "a/../b", "a/./b", "a b", "a\\b", "ä"] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
    }
}
