//! The face match (CHK-4): the selfie's face against the document's
//! portrait, with MobileFaceNet embeddings; the threshold is the tenant's,
//! else the service default chosen from the ROC (docs/accuracy.md).

use std::sync::Arc;

use serde::Serialize;
use veritrail_domain::tenant::Module;
use veritrail_face::{Comparison, FaceEngine, FaceError, FoundFace, MIN_EYE_DISTANCE};

use super::error::{CheckError, FaceIn};
use super::evidence::decode_photo;
use super::{elapsed_ms, UsageNote};
use crate::compute::ComputePool;

/// Two vetted images: the live photo and the document (or its portrait).
#[derive(Debug, Clone)]
pub struct FaceEvidence {
    pub selfie: Vec<u8>,
    pub document: Vec<u8>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaceView {
    /// Detection confidence, 0–1.
    pub score: f32,
    /// Left, top, width, height in the image's pixels.
    pub bbox: [f32; 4],
    pub eye_distance_px: f32,
    /// Other faces found in the same image.
    pub other_faces: usize,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaceMatchView {
    #[serde(rename = "match")]
    pub is_match: bool,
    /// Cosine similarity of the face embeddings, clipped to 0–1.
    pub similarity: f64,
    /// The similarity a match needs (the tenant's or the default).
    pub threshold: f64,
    pub selfie: FaceView,
    pub document: FaceView,
    /// What would make the comparison more reliable.
    pub hints: Vec<String>,
    pub processing_ms: f64,
    pub usage: UsageNote,
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn face_view(found: &FoundFace) -> FaceView {
    FaceView {
        score: (found.face.score * 1000.0).round() / 1000.0,
        bbox: found.face.bbox.map(|v| v.round()),
        eye_distance_px: found.face.eye_distance().round(),
        other_faces: found.others,
    }
}

fn hints(c: &Comparison) -> Vec<String> {
    let mut hints = Vec::new();
    let [selfie, document] = &c.faces;
    if selfie.face.eye_distance() < MIN_EYE_DISTANCE {
        hints.push("The face in the selfie is small: hold the camera closer.".to_owned());
    }
    if document.face.eye_distance() < MIN_EYE_DISTANCE {
        hints.push(
            "The document portrait is small: photograph the document closer or at a higher resolution."
                .to_owned(),
        );
    }
    if selfie.others > 0 {
        hints.push(
            "More than one face is in the selfie: only the person being verified should be in it."
                .to_owned(),
        );
    }
    hints
}

fn face_error(error: FaceError) -> CheckError {
    match error {
        FaceError::NoFace(which) | FaceError::Unalignable(which) => {
            CheckError::NoFace(FaceIn::Image(which))
        }
        FaceError::Unusable { which, reason } => CheckError::UnusableFace {
            place: FaceIn::Image(which),
            reason,
        },
        e => CheckError::Engine {
            check: "face_match",
            detail: e.to_string(),
        },
    }
}

/// Compares the faces on the compute pool (unmetered: the caller meters).
pub(crate) async fn compare(
    faces: &Arc<FaceEngine>,
    compute: &ComputePool,
    threshold: f64,
    evidence: FaceEvidence,
) -> Result<FaceMatchView, CheckError> {
    let started = std::time::Instant::now();
    let engine = faces.clone();
    let compared = compute
        .run(move || {
            let selfie = decode_photo("image_selfie_base64", &evidence.selfie)?;
            let document = decode_photo("image_document_base64", &evidence.document)?;
            engine
                .compare(&selfie, "selfie", &document, "document")
                .map_err(face_error)
        })
        .await??;
    let similarity = f64::from(compared.similarity);
    Ok(FaceMatchView {
        is_match: similarity >= threshold,
        similarity: round3(similarity),
        threshold,
        selfie: face_view(&compared.faces[0]),
        document: face_view(&compared.faces[1]),
        hints: hints(&compared),
        processing_ms: elapsed_ms(started),
        usage: UsageNote::billed(Module::FaceMatch),
    })
}
