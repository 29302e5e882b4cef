//! Face checks on ONNX models run by ONNX Runtime (`ort`, loaded at run
//! time): detection and landmarks (YuNet), alignment to the 112×112
//! template, embeddings and face match (MobileFaceNet), liveness (an active
//! challenge checked from landmarks, passive cues, the FaceAntiSpoofing
//! model). The models and the
//! runtime library come from PyPI/npm through `scripts/fetch-models.sh`
//! (docs/models.md); a missing file is a startup error that names the fix.

pub mod align;
pub mod detect;
pub mod embed;
pub mod liveness;
pub mod quality;
pub mod runtime;

use std::path::{Path, PathBuf};

use image::RgbImage;
pub use veritrail_imaging::ImageRefusal;

pub use detect::{Detector, Face};
pub use embed::{Embedder, Embedding};

/// Files in the models directory.
pub const DETECTOR_MODEL: &str = "yunet.onnx";
pub const EMBEDDER_MODEL: &str = "mobilefacenet.onnx";
pub const ANTISPOOF_MODEL: &str = "antispoof.onnx";

/// Detections below this score are ignored. YuNet scores clear frontal
/// faces above 0.9; small document portraits score lower.
pub const MIN_DETECTION_SCORE: f32 = 0.6;

/// The similarity a face match needs unless the tenant sets its own:
/// on the evaluation set (docs/accuracy.md) it lets 0.03 % of impostor
/// pairs through and refuses 6 % of genuine ones, most of them small grey
/// document portraits and quarter-resolution photos; the equal error rate
/// (0.9 %) is at 0.34.
pub const DEFAULT_MATCH_THRESHOLD: f64 = 0.50;

/// Faces with eyes closer than this many pixels are too small to compare well.
pub const MIN_EYE_DISTANCE: f32 = 24.0;

#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    /// The runtime or a model is missing or broken (a startup error).
    #[error("{0}")]
    Runtime(String),
    #[error("inference failed: {0}")]
    Inference(String),
    /// No face in the named image.
    #[error("no face found in {0}")]
    NoFace(&'static str),
    /// The landmarks do not define an alignment.
    #[error("the face in {0} cannot be aligned")]
    Unalignable(&'static str),
    /// Faces were found in the named image, none fit to compare.
    #[error("no usable face in {which}: {reason}")]
    Unusable { which: &'static str, reason: String },
}

/// Decodes an untrusted photo (pixel and memory limits, header checked
/// first) and turns it upright as its EXIF orientation says (phone selfies
/// are often stored sideways).
pub fn decode_photo(bytes: &[u8]) -> Result<RgbImage, ImageRefusal> {
    veritrail_imaging::decode(bytes).map(|image| image.to_rgb8())
}

/// Where the face models are: `VERITRAIL_FACE_MODELS`, else
/// `~/.cache/veritrail/models/face` (what the setup script fills).
pub fn model_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("VERITRAIL_FACE_MODELS") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache/veritrail/models/face")
}

/// One image's face, found and aligned.
#[derive(Debug, Clone)]
pub struct FoundFace {
    pub face: Face,
    /// Other faces in the image (a second person, a photo in the background).
    pub others: usize,
    pub aligned: RgbImage,
}

/// Two faces compared.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Cosine similarity of the embeddings, −1 to 1.
    pub cosine: f32,
    /// The cosine clipped to 0–1 (what the API reports).
    pub similarity: f32,
    pub faces: [FoundFace; 2],
}

/// The loaded models, shared by every request.
#[derive(Debug)]
pub struct FaceEngine {
    pub detector: Detector,
    pub embedder: Embedder,
    pub antispoof: liveness::antispoof::AntiSpoof,
}

impl FaceEngine {
    /// Loads the runtime and both models from `dir`, `sessions` sessions each.
    pub fn load(dir: &Path, sessions: usize) -> Result<Self, FaceError> {
        let env = runtime::environment(dir)?;
        Ok(Self {
            detector: Detector::new(runtime::Pool::open(
                env,
                dir,
                "YuNet",
                DETECTOR_MODEL,
                sessions,
            )?),
            embedder: Embedder::new(runtime::Pool::open(
                env,
                dir,
                "MobileFaceNet",
                EMBEDDER_MODEL,
                sessions,
            )?),
            antispoof: liveness::antispoof::AntiSpoof::new(runtime::Pool::open(
                env,
                dir,
                "FaceAntiSpoofing",
                ANTISPOOF_MODEL,
                sessions,
            )?),
        })
    }

    /// The image's best usable face by quality (`quality::choose`),
    /// aligned; `NoFace` without a face, `Unusable` when none can be compared.
    pub fn find(&self, image: &RgbImage, which: &'static str) -> Result<FoundFace, FaceError> {
        let faces = self.detector.detect(image, MIN_DETECTION_SCORE)?;
        let chosen = quality::choose(&faces, image.width(), image.height())
            .ok_or(FaceError::NoFace(which))?
            .map_err(|reason| FaceError::Unusable { which, reason })?;
        let face = faces[chosen];
        let aligned = align::align(image, &face.landmarks).ok_or(FaceError::Unalignable(which))?;
        Ok(FoundFace {
            face,
            others: faces.len() - 1,
            aligned,
        })
    }

    /// Compares the best faces of two images.
    pub fn compare(
        &self,
        a: &RgbImage,
        a_name: &'static str,
        b: &RgbImage,
        b_name: &'static str,
    ) -> Result<Comparison, FaceError> {
        let fa = self.find(a, a_name)?;
        let fb = self.find(b, b_name)?;
        let [ea, eb] = self.embedder.embed_pair(&fa.aligned, &fb.aligned)?;
        let cosine = ea.cosine(&eb);
        Ok(Comparison {
            cosine,
            similarity: cosine.clamp(0.0, 1.0),
            faces: [fa, fb],
        })
    }
}
