//! Blobs in a local directory: each written to a temporary file, flushed
//! to disk and renamed into place, so a crash leaves either the whole blob
//! or none (never a partial one under its key).

use std::io::Write as _;
use std::path::PathBuf;

use async_trait::async_trait;

use super::blobs::{check_key, BlobError, BlobStore};

#[derive(Debug, Clone)]
pub struct LocalBlobs {
    root: PathBuf,
}

impl LocalBlobs {
    /// Blobs under `root` (created when the first one is written).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, key: &str) -> Result<PathBuf, BlobError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, BlobError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| BlobError::Io(std::io::Error::other(e)))?
        .map_err(BlobError::Io)
}

#[async_trait]
impl BlobStore for LocalBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobError> {
        let path = self.path(key)?;
        blocking(move || {
            let dir = path.parent().map(PathBuf::from).unwrap_or_default();
            std::fs::create_dir_all(&dir)?;
            let temporary = dir.join(format!(".{}.partial", uuid::Uuid::now_v7()));
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&temporary, &path)?;
            // The rename itself survives a crash once the directory is synced.
            std::fs::File::open(&dir)?.sync_all()
        })
        .await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        let path = self.path(key)?;
        blocking(move || match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        let path = self.path(key)?;
        blocking(move || match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blobs_are_written_whole_read_back_and_deleted() {
        let dir = tempfile::tempdir().expect("dir");
        let blobs = LocalBlobs::new(dir.path());
        assert_eq!(blobs.get("t/c/m").await.expect("get"), None);
        blobs.put("t/c/m", b"bytes".to_vec()).await.expect("put");
        assert_eq!(
            blobs.get("t/c/m").await.expect("get"),
            Some(b"bytes".to_vec())
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("t/c"))
            .expect("dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
            .collect();
        assert!(leftovers.is_empty());
        blobs.delete("t/c/m").await.expect("delete");
        blobs.delete("t/c/m").await.expect("deleting twice is fine");
        assert_eq!(blobs.get("t/c/m").await.expect("get"), None);
        assert!(blobs.put("../escape", Vec::new()).await.is_err());
    }
}
