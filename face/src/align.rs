//! Alignment: the similarity transform (rotation, uniform scale,
//! translation; no reflection) that best maps the detector's five landmarks
//! onto the standard 112×112 template, by least squares, and the face cut
//! out through it with bilinear sampling.

use image::{ImageBuffer, Pixel, Rgb, RgbImage};

/// Side of the aligned face.
pub const SIDE: u32 = 112;

/// The standard five-point template of 112×112 recognition models: eyes,
/// nose tip, mouth corners, image-left first.
pub const TEMPLATE: [[f32; 2]; 5] = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
];

/// `dst = [a −b; b a]·src + t`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    pub a: f32,
    pub b: f32,
    pub tx: f32,
    pub ty: f32,
}

impl Similarity {
    /// The least-squares similarity taking `src` points onto `dst` points.
    pub fn estimate(src: &[[f32; 2]], dst: &[[f32; 2]]) -> Option<Similarity> {
        let n = src.len().min(dst.len());
        if n < 2 {
            return None;
        }
        let mean = |pts: &[[f32; 2]]| {
            let (sx, sy) = pts[..n]
                .iter()
                .fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
            [sx / n as f32, sy / n as f32]
        };
        let (ms, md) = (mean(src), mean(dst));
        let (mut num_a, mut num_b, mut den) = (0.0f32, 0.0f32, 0.0f32);
        for i in 0..n {
            let (x, y) = (src[i][0] - ms[0], src[i][1] - ms[1]);
            let (u, v) = (dst[i][0] - md[0], dst[i][1] - md[1]);
            num_a += x * u + y * v;
            num_b += x * v - y * u;
            den += x * x + y * y;
        }
        if den <= f32::EPSILON {
            return None;
        }
        let (a, b) = (num_a / den, num_b / den);
        Some(Similarity {
            a,
            b,
            tx: md[0] - (a * ms[0] - b * ms[1]),
            ty: md[1] - (b * ms[0] + a * ms[1]),
        })
    }

    pub fn apply(&self, p: [f32; 2]) -> [f32; 2] {
        [
            self.a * p[0] - self.b * p[1] + self.tx,
            self.b * p[0] + self.a * p[1] + self.ty,
        ]
    }

    /// Where a destination point comes from.
    pub fn invert(&self, q: [f32; 2]) -> [f32; 2] {
        let det = self.a * self.a + self.b * self.b;
        let (x, y) = (q[0] - self.tx, q[1] - self.ty);
        [
            (self.a * x + self.b * y) / det,
            (-self.b * x + self.a * y) / det,
        ]
    }

    /// The scale factor (destination pixels per source pixel).
    pub fn scale(&self) -> f32 {
        (self.a * self.a + self.b * self.b).sqrt()
    }
}

/// `image` at (x, y), interpolated between its four nearest pixels, each
/// of its `N` channels; `None` outside the image.
pub(crate) fn bilinear<P, const N: usize>(
    image: &ImageBuffer<P, Vec<u8>>,
    x: f32,
    y: f32,
) -> Option<[f32; N]>
where
    P: Pixel<Subpixel = u8>,
{
    let (w, h) = image.dimensions();
    if w == 0 || h == 0 || x < 0.0 || y < 0.0 || x > (w - 1) as f32 || y > (h - 1) as f32 {
        return None;
    }
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p = |xx, yy| image.get_pixel(xx, yy).channels();
    let (p00, p10, p01, p11) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
    let mut out = [0f32; N];
    for (c, o) in out.iter_mut().enumerate() {
        let top = f32::from(p00[c]) * (1.0 - fx) + f32::from(p10[c]) * fx;
        let bottom = f32::from(p01[c]) * (1.0 - fx) + f32::from(p11[c]) * fx;
        *o = top * (1.0 - fy) + bottom * fy;
    }
    Some(out)
}

/// A `width`×`height` image whose pixel `q` is `image` at `t⁻¹(q)`
/// (bilinear; black outside).
pub fn warp(image: &RgbImage, t: &Similarity, width: u32, height: u32) -> RgbImage {
    let mut out = RgbImage::new(width, height);
    for (u, v, px) in out.enumerate_pixels_mut() {
        let [x, y] = t.invert([u as f32, v as f32]);
        let s: [f32; 3] = bilinear(image, x, y).unwrap_or([0.0; 3]);
        *px = Rgb(s.map(|c| c.round().clamp(0.0, 255.0) as u8));
    }
    out
}

/// The face with these landmarks, aligned to the template, 112×112 RGB.
pub fn align(image: &RgbImage, landmarks: &[[f32; 2]; 5]) -> Option<RgbImage> {
    let t = Similarity::estimate(landmarks, &TEMPLATE)?;
    Some(warp(image, &t, SIDE, SIDE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_recovers_a_known_similarity_and_inverts() {
        let truth = Similarity {
            a: 0.8,
            b: 0.3,
            tx: 5.0,
            ty: -7.0,
        };
        let src: Vec<[f32; 2]> = TEMPLATE.iter().map(|p| [p[0] * 1.7, p[1] * 1.3]).collect();
        let dst: Vec<[f32; 2]> = src.iter().map(|p| truth.apply(*p)).collect();
        let t = Similarity::estimate(&src, &dst).expect("estimate");
        for (got, want) in [
            (t.a, truth.a),
            (t.b, truth.b),
            (t.tx, truth.tx),
            (t.ty, truth.ty),
        ] {
            assert!((got - want).abs() < 1e-3, "{got} vs {want}");
        }
        let back = t.invert(t.apply([10.0, 20.0]));
        assert!((back[0] - 10.0).abs() < 1e-3 && (back[1] - 20.0).abs() < 1e-3);
        assert!(Similarity::estimate(&[[1.0, 1.0]; 5], &TEMPLATE).is_none());
    }

    #[test]
    fn aligning_the_template_itself_is_the_identity() {
        let mut img = RgbImage::new(SIDE, SIDE);
        for (x, y, p) in img.enumerate_pixels_mut() {
            *p = Rgb([(x * 2) as u8, (y * 2) as u8, 7]);
        }
        let out = align(&img, &TEMPLATE).expect("align");
        assert_eq!(out.get_pixel(50, 60), img.get_pixel(50, 60));
    }
}
