//! Why a check gave no result: the caller's evidence, the tenant's quota,
//! the compute pool, or the service. Never an HTTP status: each transport
//! maps these in one place.

use veritrail_imaging::ImageRefusal;

use crate::challenges::ChallengeError;
use crate::compute::ComputeError;
use crate::metering::QuotaError;
use crate::ServiceError;

/// What is wrong with one piece of uploaded evidence.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceProblem {
    #[error("is not base64: {0}")]
    NotBase64(String),
    #[error("is empty")]
    Empty,
    #[error("is {bytes} bytes; at most {limit} are accepted")]
    TooLarge { bytes: usize, limit: usize },
    /// Not a JPEG, PNG or WebP, too many pixels, or damaged.
    #[error("is refused: {0}")]
    Refused(ImageRefusal),
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The evidence in `field` cannot be used.
    #[error("{field} {problem}")]
    Evidence {
        field: String,
        problem: EvidenceProblem,
    },
    /// A request field is outside what the check accepts.
    #[error("{field}: {expected}")]
    Invalid {
        field: &'static str,
        expected: String,
    },
    /// No usable face in an image (`image`: selfie or document) or in a
    /// liveness frame.
    #[error("no usable face was found in the {0}")]
    NoFace(FaceIn),
    /// Faces were found but none can be compared: too small, cut by the
    /// frame, turned away (`reason` says which).
    #[error("no usable face was found in the {place}: {reason}")]
    UnusableFace { place: FaceIn, reason: String },
    #[error(transparent)]
    Challenge(#[from] ChallengeError),
    #[error(transparent)]
    Quota(#[from] QuotaError),
    #[error(transparent)]
    Compute(#[from] ComputeError),
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// A model or engine failed (a bug or a broken installation; logged).
    #[error("the {check} check failed: {detail}")]
    Engine { check: &'static str, detail: String },
}

/// Where a face was missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaceIn {
    Image(&'static str),
    Frame(usize),
}

impl std::fmt::Display for FaceIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FaceIn::Image(which) => write!(f, "{which} image"),
            FaceIn::Frame(i) => write!(f, "frame {i}"),
        }
    }
}

impl CheckError {
    pub fn evidence(field: &str, problem: EvidenceProblem) -> Self {
        CheckError::Evidence {
            field: field.to_owned(),
            problem,
        }
    }

    pub fn invalid(field: &'static str, expected: impl Into<String>) -> Self {
        CheckError::Invalid {
            field,
            expected: expected.into(),
        }
    }
}
