//! Evidence uploads (AUD-5): images vetted by their bytes, turned upright,
//! stripped of every metadata block by re-encoding, and kept in a blob store
//! under the case; the case's event log records only ids, digests and sizes.

mod blobs;
mod local;
mod s3;
mod sanitise;
mod upload;

pub use blobs::{BlobError, BlobStore};
pub use local::LocalBlobs;
pub use s3::{S3Blobs, S3Settings};
pub use sanitise::{sanitise, Sanitised};
pub use upload::{media_key, Upload};
