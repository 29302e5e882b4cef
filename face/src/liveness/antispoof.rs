//! The passive anti-spoofing model (FaceAntiSpoofing, converted from TFLite;
//! docs/models.md): a square crop around the face, 256×256 RGB / 255, NHWC;
//! a tree of classifiers whose leaf scores (`Identity`) weighted by the leaf
//! the input reaches (`Identity_1`) give a spoof score, 0 live … 1 spoof.
//! Weak alone on still photos (genuine portraits can score as spoofs), so it
//! is one piece of evidence among several.

use image::imageops::FilterType;
use image::RgbImage;
use ort::value::Tensor;

use crate::detect::Face;
use crate::runtime::Pool;
use crate::FaceError;

const SIDE: u32 = 256;
/// Above this the model considers the face a spoof (the upstream threshold).
pub const SPOOF_SCORE: f32 = 0.2;

#[derive(Debug)]
pub struct AntiSpoof {
    pool: Pool,
}

impl AntiSpoof {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// The spoof score of `face` in `image`.
    pub fn score(&self, image: &RgbImage, face: &Face) -> Result<f32, FaceError> {
        let [x, y, w, h] = face.bbox;
        let side = w.max(h) * 1.2;
        let (cx, cy) = (x + w / 2.0, y + h / 2.0);
        let left = (cx - side / 2.0).max(0.0) as u32;
        let top = (cy - side / 2.0).max(0.0) as u32;
        let width = (side as u32).min(image.width().saturating_sub(left)).max(1);
        let height = (side as u32).min(image.height().saturating_sub(top)).max(1);
        let crop = image::imageops::crop_imm(image, left, top, width, height).to_image();
        let input = image::imageops::resize(&crop, SIDE, SIDE, FilterType::Triangle);
        let data: Vec<f32> = input
            .as_raw()
            .iter()
            .map(|v| f32::from(*v) / 255.0)
            .collect();
        let tensor = Tensor::from_array(([1usize, SIDE as usize, SIDE as usize, 3], data))
            .map_err(|e| FaceError::Inference(e.to_string()))?;
        self.pool.with(|session| {
            let outputs = session.run(ort::inputs!["input" => tensor])?;
            let leaves = outputs["Identity"].try_extract_tensor::<f32>()?.1.to_vec();
            let mask = outputs["Identity_1"]
                .try_extract_tensor::<f32>()?
                .1
                .to_vec();
            Ok(leaves.iter().zip(&mask).map(|(c, m)| c.abs() * m).sum())
        })
    }
}
