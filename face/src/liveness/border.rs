//! A picture held up to the camera (issue 15, CHK-1): a print's edge or a
//! phone's bezel draws long straight lines around the face — left and
//! right of it, above and below — which a face in a room seldom has on
//! three sides at once. The frame is scaled so the face is `FACE_PX` high,
//! and on each side of the face the straightest long edge is looked for:
//! a line within ±12° of the side's direction whose every point has a
//! strong gradient across it, of one polarity, over most of its length.

use image::GrayImage;

use crate::detect::Face;

/// Face height after scaling.
const FACE_PX: f32 = 48.0;
/// Gradient (Sobel, 0–255 grey) that counts as an edge.
const STRONG: f32 = 60.0;
/// Share of a side's span a line must cover to count.
pub const COVERAGE: f32 = 0.7;
/// Slopes tried, as tangents (±12° in 2° steps).
const SLOPES: [f32; 13] = [
    -0.2126, -0.1763, -0.1405, -0.1051, -0.0699, -0.0349, 0.0, 0.0349, 0.0699, 0.1051, 0.1405,
    0.1763, 0.2126,
];

/// Gradients of a grey image, stored so that lines "along y" can be
/// searched in it and in its transpose alike.
struct Gradients {
    width: usize,
    height: usize,
    /// Gradient across a line along y (∂/∂x) and along it (∂/∂y).
    across: Vec<f32>,
    along: Vec<f32>,
}

impl Gradients {
    fn of(grey: &[f32], width: usize, height: usize) -> Gradients {
        let mut across = vec![0.0; width * height];
        let mut along = vec![0.0; width * height];
        let p = |x: usize, y: usize| grey[y * width + x];
        for y in 1..height.saturating_sub(1) {
            for x in 1..width.saturating_sub(1) {
                across[y * width + x] = (p(x + 1, y - 1) + 2.0 * p(x + 1, y) + p(x + 1, y + 1))
                    - (p(x - 1, y - 1) + 2.0 * p(x - 1, y) + p(x - 1, y + 1));
                along[y * width + x] = (p(x - 1, y + 1) + 2.0 * p(x, y + 1) + p(x + 1, y + 1))
                    - (p(x - 1, y - 1) + 2.0 * p(x, y - 1) + p(x + 1, y - 1));
            }
        }
        Gradients {
            width,
            height,
            across,
            along,
        }
    }

    fn transposed(&self) -> Gradients {
        let (w, h) = (self.width, self.height);
        let flip = |v: &[f32]| -> Vec<f32> { (0..w * h).map(|i| v[(i % h) * w + i / h]).collect() };
        Gradients {
            width: h,
            height: w,
            across: flip(&self.along),
            along: flip(&self.across),
        }
    }

    /// The best coverage of a line along y crossing row `yc` at a column
    /// in `columns`, over rows `rows`.
    fn best_line(&self, columns: std::ops::Range<i32>, rows: (i32, i32), yc: f32) -> f32 {
        let (top, bottom) = (rows.0.max(1), rows.1.min(self.height as i32 - 2));
        let span = (bottom - top + 1).max(1) as f32;
        let mut best = 0.0f32;
        for x0 in columns {
            for slope in SLOPES {
                let (mut positive, mut negative) = (0u32, 0u32);
                for y in top..=bottom {
                    let x = (x0 as f32 + (y as f32 - yc) * slope).round() as i32;
                    // The strongest of three neighbouring columns.
                    let edge = (x - 1..=x + 1)
                        .filter(|x| *x >= 1 && *x < self.width as i32 - 1)
                        .map(|x| y as usize * self.width + x as usize)
                        .map(|i| (self.across[i], self.along[i]))
                        .filter(|(a, b)| a.abs() > STRONG && a.abs() > 2.0 * b.abs())
                        .map(|(a, _)| a)
                        .max_by(|a, b| a.abs().total_cmp(&b.abs()));
                    match edge {
                        Some(a) if a > 0.0 => positive += 1,
                        Some(_) => negative += 1,
                        None => {}
                    }
                }
                best = best.max(positive.max(negative) as f32 / span);
            }
        }
        best
    }
}

/// On how many sides of the face (0–4) a long straight edge runs, covering
/// at least `COVERAGE` of the span beside the face (one face height beyond
/// it at each end).
pub fn framed_sides(grey: &GrayImage, face: &Face) -> usize {
    let scale = (FACE_PX / face.bbox[3].max(1.0)).min(1.0);
    let (w, h) = (
        ((grey.width() as f32 * scale).round() as u32).max(8),
        ((grey.height() as f32 * scale).round() as u32).max(8),
    );
    let small = image::imageops::thumbnail(grey, w, h);
    let values: Vec<f32> = small.as_raw().iter().map(|v| f32::from(*v)).collect();
    let upright = Gradients::of(&values, w as usize, h as usize);
    let lying = upright.transposed();
    let [bx, by, bw, bh] = face.bbox.map(|v| v * scale);
    let gap = |size: f32| (0.15 * size).ceil() as i32;
    let (left, right) = ((bx as i32) - gap(bw), (bx + bw) as i32 + gap(bw));
    let (above, below) = ((by as i32) - gap(bh), (by + bh) as i32 + gap(bh));
    let rows = ((by - bh) as i32, (by + 2.0 * bh) as i32);
    let columns = ((bx - bw) as i32, (bx + 2.0 * bw) as i32);
    let (yc, xc) = (by + bh / 2.0, bx + bw / 2.0);
    let coverages = [
        upright.best_line(1..left.max(1), rows, yc),
        upright.best_line(right..w as i32 - 1, rows, yc),
        lying.best_line(1..above.max(1), columns, xc),
        lying.best_line(below..h as i32 - 1, columns, xc),
    ];
    coverages.iter().filter(|c| **c >= COVERAGE).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    fn face() -> Face {
        Face {
            score: 1.0,
            bbox: [170.0, 130.0, 60.0, 70.0],
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn a_picture_held_up_is_framed_and_a_plain_room_is_not() {
        // A light card from (100, 40) to (300, 300) on a dark desk.
        let card = GrayImage::from_fn(400, 360, |x, y| {
            let inside = (100..300).contains(&x) && (40..300).contains(&y);
            Luma([if inside { 228 } else { 55 }])
        });
        assert_eq!(framed_sides(&card, &face()), 4);
        let room = GrayImage::from_fn(400, 360, |x, y| Luma([120 + ((x / 3 + y / 5) % 20) as u8]));
        assert_eq!(framed_sides(&room, &face()), 0);
    }
}
