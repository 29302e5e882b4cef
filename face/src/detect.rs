//! Face detection with YuNet (2023mar): the image is letterboxed into the
//! model's fixed 640×640 BGR input; each of the three heads (strides 8, 16,
//! 32) scores every cell (score = √(cls·obj)), regresses a box around the
//! cell and five landmarks; overlapping boxes are suppressed (NMS).

use image::imageops::FilterType;
use image::RgbImage;
use ort::value::Tensor;
use serde::Serialize;

use crate::runtime::Pool;
use crate::FaceError;

/// The model's input side.
pub const INPUT: u32 = 640;
const STRIDES: [u32; 3] = [8, 16, 32];
/// Boxes overlapping more than this are the same face.
const NMS_IOU: f32 = 0.3;

/// A detected face in the caller's image coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Face {
    /// Detection confidence, 0–1.
    pub score: f32,
    /// Left, top, width, height.
    pub bbox: [f32; 4],
    /// Eye (image left), eye (image right), nose tip, mouth corner (image
    /// left), mouth corner (image right).
    pub landmarks: [[f32; 2]; 5],
}

impl Face {
    pub fn area(&self) -> f32 {
        self.bbox[2].max(0.0) * self.bbox[3].max(0.0)
    }

    /// Distance between the eyes, in pixels (a face-size measure).
    pub fn eye_distance(&self) -> f32 {
        let [l, r] = [self.landmarks[0], self.landmarks[1]];
        ((r[0] - l[0]).powi(2) + (r[1] - l[1]).powi(2)).sqrt()
    }
}

fn iou(a: &Face, b: &Face) -> f32 {
    let (ax2, ay2) = (a.bbox[0] + a.bbox[2], a.bbox[1] + a.bbox[3]);
    let (bx2, by2) = (b.bbox[0] + b.bbox[2], b.bbox[1] + b.bbox[3]);
    let w = (ax2.min(bx2) - a.bbox[0].max(b.bbox[0])).max(0.0);
    let h = (ay2.min(by2) - a.bbox[1].max(b.bbox[1])).max(0.0);
    let inter = w * h;
    let union = a.area() + b.area() - inter;
    if union <= 0.0 {
        0.0
    } else {
        inter / union
    }
}

/// Greedy non-maximum suppression, best first.
pub fn suppress(mut faces: Vec<Face>) -> Vec<Face> {
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Face> = Vec::new();
    for face in faces {
        if kept.iter().all(|k| iou(k, &face) <= NMS_IOU) {
            kept.push(face);
        }
    }
    kept
}

/// The image scaled to fit 640×640 (top-left, zero padding) as a BGR
/// planar tensor, and the scale used.
fn letterbox(image: &RgbImage) -> (Vec<f32>, f32) {
    let (w, h) = image.dimensions();
    let scale = INPUT as f32 / w.max(h) as f32;
    let (nw, nh) = (
        ((w as f32 * scale).round() as u32).clamp(1, INPUT),
        ((h as f32 * scale).round() as u32).clamp(1, INPUT),
    );
    let resized = image::imageops::resize(image, nw, nh, FilterType::Triangle);
    let plane = (INPUT * INPUT) as usize;
    let mut data = vec![0f32; 3 * plane];
    for (x, y, p) in resized.enumerate_pixels() {
        let i = (y * INPUT + x) as usize;
        data[i] = f32::from(p[2]);
        data[plane + i] = f32::from(p[1]);
        data[2 * plane + i] = f32::from(p[0]);
    }
    (data, scale)
}

/// The raw head outputs of one run, by stride.
struct Heads {
    cls: Vec<Vec<f32>>,
    obj: Vec<Vec<f32>>,
    bbox: Vec<Vec<f32>>,
    kps: Vec<Vec<f32>>,
}

/// Decodes every cell scoring at least `min_score` (in letterbox pixels).
fn decode(heads: &Heads, min_score: f32) -> Vec<Face> {
    let mut faces = Vec::new();
    for (s, stride) in STRIDES.into_iter().enumerate() {
        let cols = (INPUT / stride) as usize;
        let cells = cols * cols;
        let (cls, obj, bbox, kps) = (&heads.cls[s], &heads.obj[s], &heads.bbox[s], &heads.kps[s]);
        if cls.len() < cells
            || obj.len() < cells
            || bbox.len() < 4 * cells
            || kps.len() < 10 * cells
        {
            continue;
        }
        let st = stride as f32;
        for i in 0..cells {
            let score = (cls[i].clamp(0.0, 1.0) * obj[i].clamp(0.0, 1.0)).sqrt();
            if score < min_score {
                continue;
            }
            let (row, col) = ((i / cols) as f32, (i % cols) as f32);
            let b = &bbox[4 * i..4 * i + 4];
            let (cx, cy) = ((col + b[0]) * st, (row + b[1]) * st);
            let (w, h) = (b[2].exp() * st, b[3].exp() * st);
            let k = &kps[10 * i..10 * i + 10];
            let mut landmarks = [[0f32; 2]; 5];
            for (n, l) in landmarks.iter_mut().enumerate() {
                *l = [(k[2 * n] + col) * st, (k[2 * n + 1] + row) * st];
            }
            faces.push(Face {
                score,
                bbox: [cx - w / 2.0, cy - h / 2.0, w, h],
                landmarks,
            });
        }
    }
    faces
}

/// YuNet, shared.
#[derive(Debug)]
pub struct Detector {
    pool: Pool,
}

impl Detector {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// Faces scoring at least `min_score`, best first, in image coordinates.
    pub fn detect(&self, image: &RgbImage, min_score: f32) -> Result<Vec<Face>, FaceError> {
        let (data, scale) = letterbox(image);
        let input = Tensor::from_array(([1usize, 3, INPUT as usize, INPUT as usize], data))
            .map_err(|e| FaceError::Inference(e.to_string()))?;
        let heads = self.pool.with(|session| {
            let outputs = session.run(ort::inputs!["input" => input])?;
            let take = |name: String| -> Result<Vec<f32>, ort::Error> {
                Ok(outputs[name.as_str()]
                    .try_extract_tensor::<f32>()?
                    .1
                    .to_vec())
            };
            let mut heads = Heads {
                cls: Vec::new(),
                obj: Vec::new(),
                bbox: Vec::new(),
                kps: Vec::new(),
            };
            for stride in STRIDES {
                heads.cls.push(take(format!("cls_{stride}"))?);
                heads.obj.push(take(format!("obj_{stride}"))?);
                heads.bbox.push(take(format!("bbox_{stride}"))?);
                heads.kps.push(take(format!("kps_{stride}"))?);
            }
            Ok(heads)
        })?;
        let (w, h) = image.dimensions();
        let faces = suppress(decode(&heads, min_score))
            .into_iter()
            .map(|f| {
                let unscale = |v: f32| v / scale;
                Face {
                    score: f.score,
                    bbox: [
                        unscale(f.bbox[0]),
                        unscale(f.bbox[1]),
                        unscale(f.bbox[2]),
                        unscale(f.bbox[3]),
                    ],
                    landmarks: f.landmarks.map(|[x, y]| [unscale(x), unscale(y)]),
                }
            })
            // Boxes centred outside the image come from the padding.
            .filter(|f| {
                let (cx, cy) = (f.bbox[0] + f.bbox[2] / 2.0, f.bbox[1] + f.bbox[3] / 2.0);
                cx >= 0.0 && cy >= 0.0 && cx <= w as f32 && cy <= h as f32
            })
            .collect();
        Ok(faces)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(score: f32, x: f32) -> Face {
        Face {
            score,
            bbox: [x, 0.0, 10.0, 10.0],
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn suppression_keeps_the_best_of_overlapping_boxes() {
        let kept = suppress(vec![face(0.7, 1.0), face(0.9, 0.0), face(0.8, 30.0)]);
        let scores: Vec<f32> = kept.iter().map(|f| f.score).collect();
        assert_eq!(scores, vec![0.9, 0.8]);
    }

    #[test]
    fn a_cell_decodes_to_a_box_around_it_and_landmarks_beside_it() {
        let cells = |stride: u32| ((INPUT / stride) * (INPUT / stride)) as usize;
        let mut heads = Heads {
            cls: STRIDES.iter().map(|s| vec![0.0; cells(*s)]).collect(),
            obj: STRIDES.iter().map(|s| vec![0.0; cells(*s)]).collect(),
            bbox: STRIDES.iter().map(|s| vec![0.0; 4 * cells(*s)]).collect(),
            kps: STRIDES.iter().map(|s| vec![0.0; 10 * cells(*s)]).collect(),
        };
        // Stride 32, row 2, column 3: cls 0.81 · obj 1.0 → score 0.9.
        let i = 2 * 20 + 3;
        heads.cls[2][i] = 0.81;
        heads.obj[2][i] = 1.0;
        heads.bbox[2][4 * i..4 * i + 4].copy_from_slice(&[0.5, 0.5, 0.0, (2.0f32).ln()]);
        heads.kps[2][10 * i] = 0.25;
        let faces = decode(&heads, 0.5);
        assert_eq!(faces.len(), 1);
        let f = faces[0];
        assert!((f.score - 0.9).abs() < 1e-6);
        // Centre (3.5·32, 2.5·32) = (112, 80); size 32 × 64.
        assert_eq!(f.bbox, [96.0, 48.0, 32.0, 64.0]);
        assert_eq!(f.landmarks[0], [3.25 * 32.0, 64.0]);
    }
}
