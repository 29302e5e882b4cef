//! The scene around the face (issue 15, CHK-1). A head turning in front of
//! a camera leaves the background where it was; a 2-D warp of a whole photo
//! moves the background with the face; frames of different captures show
//! different backgrounds. Each frame keeps a small grey thumbnail, and a
//! step frame's background is compared with the neutral frame's twice: left
//! still, and moved by the face's own motion.

use image::GrayImage;

use super::rigid::Homography;
use crate::detect::Face;

/// Thumbnail width in pixels.
const SIDE: u32 = 64;
/// Fewest background pixels a comparison needs.
const MIN_PIXELS: usize = 150;

/// A frame's grey thumbnail, 0–1.
#[derive(Debug, Clone)]
pub struct Scene {
    thumb: GrayImage,
    /// The frame's own grey pixels at the thumbnail's pixel centres,
    /// unfiltered: a camera never takes the same values twice.
    raw: Vec<u8>,
    /// Thumbnail pixels per image pixel.
    scale: f32,
    size: (u32, u32),
}

impl Scene {
    pub fn of(grey: &GrayImage) -> Scene {
        let (w, h) = grey.dimensions();
        let scale = SIDE as f32 / w.max(1) as f32;
        let height = ((h as f32 * scale).round() as u32).clamp(1, 16 * SIDE);
        let raw = (0..height)
            .flat_map(|y| (0..SIDE).map(move |x| (x, y)))
            .map(|(x, y)| {
                let at = |v: u32, limit: u32| {
                    (((v as f32 + 0.5) / scale) as u32).min(limit.saturating_sub(1))
                };
                grey.get_pixel(at(x, w), at(y, h))[0]
            })
            .collect();
        Scene {
            thumb: image::imageops::thumbnail(grey, SIDE, height),
            raw,
            scale,
            size: (w, h),
        }
    }

    /// The frame's size in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    fn at(&self, x: f32, y: f32) -> Option<f32> {
        crate::align::bilinear(&self.thumb, x, y).map(|[v]: [f32; 1]| v / 255.0)
    }

    /// Whether the thumbnail pixel (x, y) shows background: away from the
    /// head (hair above, ears beside) and not below it (neck, shoulders).
    fn background(&self, face: &Face, x: f32, y: f32) -> bool {
        let [bx, by, bw, bh] = face.bbox.map(|v| v * self.scale);
        let (cx, cy) = (bx + bw / 2.0, by + bh / 2.0);
        (x - cx).abs() > bw || y < cy - 1.1 * bh
    }
}

/// The share of background points whose unfiltered value is exactly the
/// neutral frame's (clipped values left out): near 1 when a frame was made
/// by editing the first one's face, never for two camera captures.
pub fn frozen(neutral: (&Scene, &Face), frame: (&Scene, &Face)) -> Option<f32> {
    let ((n, n_face), (f, f_face)) = (neutral, frame);
    if n.size != f.size || n.raw.len() != f.raw.len() {
        return None;
    }
    let width = f.thumb.width() as usize;
    let (mut same, mut count) = (0usize, 0usize);
    for (i, (a, b)) in n.raw.iter().zip(&f.raw).enumerate() {
        let (x, y) = ((i % width) as f32, (i / width) as f32);
        let clipped = |v: u8| !(4..=251).contains(&v);
        if clipped(*a) || !f.background(f_face, x, y) || !n.background(n_face, x, y) {
            continue;
        }
        count += 1;
        same += usize::from(a == b);
    }
    (count >= MIN_PIXELS).then(|| same as f32 / count as f32)
}

/// A step frame's background against the neutral frame's: mean absolute
/// difference (0–1, each side's mean removed) with the neutral background
/// left still — allowing the camera to shift by up to `SHAKE` thumbnail
/// pixels, as a hand holding a phone does — and moved by the face's motion,
/// and how far (thumbnail pixels, mean) that motion carries the background.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub still: f32,
    pub moved: f32,
    pub displacement: f32,
}

/// Camera shake allowed between frames, in thumbnail pixels (each 1/64 of
/// the frame's width).
const SHAKE: i32 = 3;

/// A background point of a step frame: where it is, its value there, the
/// neutral frame's value where the face's motion brings it from, and how
/// far that is.
struct Point {
    x: f32,
    y: f32,
    now: f32,
    moved: f32,
    shift: f32,
}

/// `None` when the frames differ in size or too little background shows.
pub fn compare(
    neutral: (&Scene, &Face),
    frame: (&Scene, &Face),
    motion: &Homography,
) -> Option<Comparison> {
    let ((n, n_face), (f, f_face)) = (neutral, frame);
    if n.size != f.size {
        return None;
    }
    let back = motion.inverse()?;
    // Background points of both frames, far enough from the edges for
    // every shift, each with where the face's motion brings it from.
    let mut points = Vec::new();
    let margin = SHAKE as f32;
    for y in 0..f.thumb.height() {
        for x in 0..f.thumb.width() {
            let (x, y) = (x as f32, y as f32);
            let inside = x >= margin
                && y >= margin
                && x < f.thumb.width() as f32 - margin
                && y < f.thumb.height() as f32 - margin;
            if !inside || !f.background(f_face, x, y) || !n.background(n_face, x, y) {
                continue;
            }
            let [sx, sy] = back.apply([x / f.scale, y / f.scale]).map(|v| v * n.scale);
            if let (Some(now), Some(moved)) = (f.at(x, y), n.at(sx, sy)) {
                let shift = ((sx - x).powi(2) + (sy - y).powi(2)).sqrt();
                points.push(Point {
                    x,
                    y,
                    now,
                    moved,
                    shift,
                });
            }
        }
    }
    if points.len() < MIN_PIXELS {
        return None;
    }
    let count = points.len() as f32;
    let mean_now = points.iter().map(|p| p.now).sum::<f32>() / count;
    let difference = |other: &dyn Fn(&Point) -> f32| {
        let m = points.iter().map(other).sum::<f32>() / count;
        points
            .iter()
            .map(|p| ((p.now - mean_now) - (other(p) - m)).abs())
            .sum::<f32>()
            / count
    };
    let still = (-SHAKE..=SHAKE)
        .flat_map(|dy| (-SHAKE..=SHAKE).map(move |dx| (dx as f32, dy as f32)))
        .map(|(dx, dy)| difference(&|p: &Point| n.at(p.x + dx, p.y + dy).unwrap_or(p.now)))
        .fold(f32::INFINITY, f32::min);
    Some(Comparison {
        still,
        moved: difference(&|p| p.moved),
        displacement: points.iter().map(|p| p.shift).sum::<f32>() / count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    fn textured(shift: f32) -> GrayImage {
        GrayImage::from_fn(320, 240, |x, y| {
            let v =
                (((x as f32 - shift) / 9.0).sin() * ((y as f32) / 7.0).cos() * 100.0 + 128.0) as u8;
            Luma([v])
        })
    }

    fn face() -> Face {
        Face {
            score: 1.0,
            bbox: [130.0, 80.0, 60.0, 70.0],
            landmarks: [
                [145.0, 100.0],
                [175.0, 100.0],
                [160.0, 115.0],
                [148.0, 130.0],
                [172.0, 130.0],
            ],
        }
    }

    #[test]
    fn a_background_that_moves_with_the_face_is_told_from_a_still_one() {
        let neutral = Scene::of(&textured(0.0));
        let shift = Homography([1.0, 0.0, 24.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
        // The whole picture moved 24 px with the face.
        let warped = Scene::of(&textured(24.0));
        let c = compare((&neutral, &face()), (&warped, &face()), &shift).expect("compared");
        assert!(c.moved < 0.5 * c.still, "{c:?}");
        assert!(c.displacement > 4.0, "{c:?}");
        // The camera shook by a few pixels: the same scene.
        let shaken = Scene::of(&textured(5.0));
        let c = compare((&neutral, &face()), (&shaken, &face()), &shift).expect("compared");
        assert!(c.still < 0.02, "{c:?}");
        // The face moved, the background stayed.
        let c =
            compare((&neutral, &face()), (&neutral.clone(), &face()), &shift).expect("compared");
        assert!(c.still < 0.01 && c.moved > 0.05, "{c:?}");
        // Only the face edited: the background is the first frame's, exactly.
        assert_eq!(
            frozen((&neutral, &face()), (&neutral.clone(), &face())),
            Some(1.0)
        );
        assert!(frozen((&neutral, &face()), (&shaken, &face())).expect("compared") < 0.5);
        // Frames of another size are not compared.
        let other = Scene::of(&GrayImage::new(100, 100));
        assert!(compare((&neutral, &face()), (&other, &face()), &shift).is_none());
    }
}
