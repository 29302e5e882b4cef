//! Face embeddings with MobileFaceNet: aligned 112×112 RGB faces, scaled to
//! (x − 127.5)/128, give 192 numbers; faces of one person point the same
//! way (cosine similarity). The converted model takes a batch of exactly two,
//! which suits a match: both faces go in one run.

use image::RgbImage;
use ort::value::Tensor;

use crate::align::SIDE;
use crate::runtime::Pool;
use crate::FaceError;

/// Length of an embedding.
pub const DIMENSIONS: usize = 192;

/// A unit-length embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding(pub Vec<f32>);

impl Embedding {
    fn normalised(mut v: Vec<f32>) -> Embedding {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        Embedding(v)
    }

    /// Cosine similarity, −1 to 1.
    pub fn cosine(&self, other: &Embedding) -> f32 {
        self.0.iter().zip(&other.0).map(|(a, b)| a * b).sum()
    }
}

fn planar(face: &RgbImage, out: &mut [f32]) {
    let plane = (SIDE * SIDE) as usize;
    for (x, y, p) in face.enumerate_pixels() {
        let i = (y * SIDE + x) as usize;
        for c in 0..3 {
            out[c * plane + i] = (f32::from(p[c]) - 127.5) / 128.0;
        }
    }
}

/// MobileFaceNet, shared.
#[derive(Debug)]
pub struct Embedder {
    pool: Pool,
}

impl Embedder {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// Embeddings of two aligned faces (one run).
    pub fn embed_pair(&self, a: &RgbImage, b: &RgbImage) -> Result<[Embedding; 2], FaceError> {
        let per_face = 3 * (SIDE * SIDE) as usize;
        let mut data = vec![0f32; 2 * per_face];
        planar(a, &mut data[..per_face]);
        planar(b, &mut data[per_face..]);
        let input = Tensor::from_array(([2usize, 3, SIDE as usize, SIDE as usize], data))
            .map_err(|e| FaceError::Inference(e.to_string()))?;
        let values = self.pool.with(|session| {
            let outputs = session.run(ort::inputs!["input" => input])?;
            Ok(outputs["embeddings"]
                .try_extract_tensor::<f32>()?
                .1
                .to_vec())
        })?;
        if values.len() < 2 * DIMENSIONS {
            return Err(FaceError::Inference(format!(
                "embeddings: {} values, expected {}",
                values.len(),
                2 * DIMENSIONS
            )));
        }
        Ok([
            Embedding::normalised(values[..DIMENSIONS].to_vec()),
            Embedding::normalised(values[DIMENSIONS..2 * DIMENSIONS].to_vec()),
        ])
    }

    /// The embedding of one aligned face.
    pub fn embed(&self, face: &RgbImage) -> Result<Embedding, FaceError> {
        let [e, _] = self.embed_pair(face, face)?;
        Ok(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_of_unit_vectors() {
        let a = Embedding::normalised(vec![3.0, 4.0]);
        let b = Embedding::normalised(vec![6.0, 8.0]);
        let c = Embedding::normalised(vec![-4.0, 3.0]);
        assert!((a.cosine(&b) - 1.0).abs() < 1e-6);
        assert!(a.cosine(&c).abs() < 1e-6);
    }
}
