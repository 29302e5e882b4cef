//! Blobs in an S3-compatible object store (AWS S3, MinIO, Ceph, …) through
//! the `object_store` crate. A PUT is atomic (the object appears whole or
//! not at all), so no temporary object is needed; credentials come from
//! the configuration or the standard `AWS_*` environment variables.

use async_trait::async_trait;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

use super::blobs::{check_key, BlobError, BlobStore};

/// Where the bucket is.
#[derive(Debug, Clone, Default)]
pub struct S3Settings {
    pub bucket: String,
    /// Empty = AWS itself; else the server's URL (`http://127.0.0.1:9000`).
    pub endpoint: String,
    pub region: String,
    /// Allow `http://` endpoints (a local server).
    pub allow_http: bool,
    /// Empty = the standard `AWS_*` environment variables.
    pub access_key_id: String,
    pub secret_access_key: String,
}

#[derive(Debug)]
pub struct S3Blobs {
    store: AmazonS3,
}

fn failure(error: object_store::Error) -> BlobError {
    BlobError::Io(std::io::Error::other(error))
}

impl S3Blobs {
    /// A client for `settings.bucket` (nothing is contacted yet).
    pub fn new(settings: &S3Settings) -> Result<Self, BlobError> {
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&settings.bucket)
            .with_allow_http(settings.allow_http);
        if !settings.access_key_id.is_empty() {
            builder = builder
                .with_access_key_id(&settings.access_key_id)
                .with_secret_access_key(&settings.secret_access_key);
        }
        if !settings.region.is_empty() {
            builder = builder.with_region(&settings.region);
        }
        if !settings.endpoint.is_empty() {
            builder = builder
                .with_endpoint(&settings.endpoint)
                .with_virtual_hosted_style_request(false);
        }
        Ok(Self {
            store: builder.build().map_err(failure)?,
        })
    }

    fn path(key: &str) -> Result<Path, BlobError> {
        check_key(key)?;
        Path::parse(key).map_err(|_| BlobError::InvalidKey(key.to_owned()))
    }
}

#[async_trait]
impl BlobStore for S3Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobError> {
        let path = Self::path(key)?;
        self.store
            .put(&path, PutPayload::from(bytes))
            .await
            .map_err(failure)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        let path = Self::path(key)?;
        match self.store.get(&path).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(failure)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(failure(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        let path = Self::path(key)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(failure(e)),
        }
    }
}
