//! An 8-bit grayscale image and the few operations the readers need: crop,
//! box downscale, bilinear resize and rotation, and an adaptive text mask.

/// An 8-bit grayscale image, row-major.
#[derive(Debug, Clone)]
pub struct GrayImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl GrayImage {
    pub fn new(width: usize, height: usize, fill: u8) -> Self {
        Self {
            width,
            height,
            pixels: vec![fill; width * height],
        }
    }

    /// Decodes untrusted PNG, JPEG or WebP bytes (pixel and memory limits,
    /// header checked first, EXIF orientation applied).
    pub fn decode(bytes: &[u8]) -> Result<Self, veritrail_imaging::ImageRefusal> {
        let luma = veritrail_imaging::decode(bytes)?.to_luma8();
        Ok(Self {
            width: luma.width() as usize,
            height: luma.height() as usize,
            pixels: luma.into_raw(),
        })
    }

    pub fn at(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }

    /// The rectangle `x0..x1` × `y0..y1`, clamped to the image.
    pub fn crop(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> GrayImage {
        let (x1, y1) = (x1.min(self.width), y1.min(self.height));
        let (x0, y0) = (x0.min(x1), y0.min(y1));
        let mut pixels = Vec::with_capacity((x1 - x0) * (y1 - y0));
        for y in y0..y1 {
            pixels.extend_from_slice(&self.pixels[y * self.width + x0..y * self.width + x1]);
        }
        GrayImage {
            width: x1 - x0,
            height: y1 - y0,
            pixels,
        }
    }

    /// Averages `factor` × `factor` blocks.
    pub fn downscale(&self, factor: usize) -> GrayImage {
        if factor <= 1 {
            return self.clone();
        }
        let (w, h) = (self.width / factor, self.height / factor);
        let mut out = GrayImage::new(w, h, 0);
        let area = (factor * factor) as u32;
        for y in 0..h {
            for x in 0..w {
                let mut sum = 0u32;
                for dy in 0..factor {
                    let row = (y * factor + dy) * self.width + x * factor;
                    sum += self.pixels[row..row + factor]
                        .iter()
                        .map(|p| u32::from(*p))
                        .sum::<u32>();
                }
                out.pixels[y * w + x] = (sum / area) as u8;
            }
        }
        out
    }

    /// Bilinear sample at a real position; `fill` outside.
    pub(crate) fn sample(&self, x: f64, y: f64, fill: u8) -> u8 {
        if x < 0.0 || y < 0.0 || x > (self.width - 1) as f64 || y > (self.height - 1) as f64 {
            return fill;
        }
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (fx, fy) = (x - x0 as f64, y - y0 as f64);
        let p = |x, y| f64::from(self.at(x, y));
        let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
        let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
        (top * (1.0 - fy) + bottom * fy).round() as u8
    }

    /// Bilinear resize to `width` × `height`.
    pub fn resize(&self, width: usize, height: usize) -> GrayImage {
        let mut out = GrayImage::new(width.max(1), height.max(1), 0);
        if self.width == 0 || self.height == 0 {
            return out;
        }
        let sx = self.width as f64 / out.width as f64;
        let sy = self.height as f64 / out.height as f64;
        for y in 0..out.height {
            let src_y = ((y as f64 + 0.5) * sy - 0.5).clamp(0.0, (self.height - 1) as f64);
            for x in 0..out.width {
                let src_x = ((x as f64 + 0.5) * sx - 0.5).clamp(0.0, (self.width - 1) as f64);
                out.pixels[y * out.width + x] = self.sample(src_x, src_y, 0);
            }
        }
        out
    }

    /// Rotates by `degrees` in image coordinates (y down, so positive turns
    /// clockwise as displayed; `rotate(-skew)` levels lines that descend to
    /// the right by `skew`) onto a canvas large enough to hold the whole
    /// image; uncovered pixels get `fill`.
    pub fn rotate(&self, degrees: f64, fill: u8) -> GrayImage {
        if degrees.abs() < 0.05 {
            return self.clone();
        }
        let (sin, cos) = degrees.to_radians().sin_cos();
        let (w, h) = (self.width as f64, self.height as f64);
        // Less a hair, so float noise (cos 90° ≈ 6e-17) adds no pixel.
        let out_w = (w * cos.abs() + h * sin.abs() - 1e-6).ceil() as usize;
        let out_h = (w * sin.abs() + h * cos.abs() - 1e-6).ceil() as usize;
        let mut out = GrayImage::new(out_w, out_h, fill);
        let (cx, cy) = (w / 2.0, h / 2.0);
        let (ox, oy) = (out_w as f64 / 2.0, out_h as f64 / 2.0);
        for y in 0..out_h {
            let dy = y as f64 - oy;
            for x in 0..out_w {
                let dx = x as f64 - ox;
                // Inverse mapping: where in the source this output pixel comes from.
                let src_x = cos * dx + sin * dy + cx;
                let src_y = -sin * dx + cos * dy + cy;
                out.pixels[y * out_w + x] = self.sample(src_x, src_y, fill);
            }
        }
        out
    }

    /// The value below which `share` of the pixels lie.
    pub fn percentile(&self, share: f64) -> u8 {
        let mut histogram = [0usize; 256];
        for p in &self.pixels {
            histogram[usize::from(*p)] += 1;
        }
        histogram_percentile(&histogram, self.pixels.len(), share)
    }

    /// Pixels darker than the mean of their `(2r+1)²` window by more than
    /// `margin` (an integral image keeps it linear in the image size). Uniform
    /// regions, shading and glare gradients are not "dark"; strokes are.
    pub fn dark_mask(&self, r: usize, margin: i64) -> Vec<bool> {
        let (w, h) = (self.width, self.height);
        let mut integral = vec![0i64; (w + 1) * (h + 1)];
        for y in 0..h {
            let mut row = 0i64;
            for x in 0..w {
                row += i64::from(self.pixels[y * w + x]);
                integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
            }
        }
        let mut mask = vec![false; w * h];
        for y in 0..h {
            let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
            for x in 0..w {
                let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
                let sum = integral[y1 * (w + 1) + x1]
                    - integral[y0 * (w + 1) + x1]
                    - integral[y1 * (w + 1) + x0]
                    + integral[y0 * (w + 1) + x0];
                let count = ((x1 - x0) * (y1 - y0)) as i64;
                mask[y * w + x] = (i64::from(self.pixels[y * w + x]) + margin) * count < sum;
            }
        }
        mask
    }
}

/// The value below which `share` of the `total` counted values of
/// `histogram` lie.
pub(crate) fn histogram_percentile(histogram: &[usize; 256], total: usize, share: f64) -> u8 {
    let target = (total as f64 * share) as usize;
    let mut seen = 0;
    for (value, count) in histogram.iter().enumerate() {
        seen += count;
        if seen > target {
            return value as u8;
        }
    }
    255
}

#[cfg(test)]
mod tests {
    use super::GrayImage;

    #[test]
    fn rotation_by_a_quarter_turn_keeps_every_pixel() {
        let mut img = GrayImage::new(40, 20, 255);
        img.pixels[5 * 40 + 30] = 0; // (30, 5)
        let turned = img.rotate(90.0, 128);
        assert_eq!((turned.width, turned.height), (20, 40));
        // Clockwise as displayed: a point right of centre moves below it.
        let darkest = turned
            .pixels
            .iter()
            .enumerate()
            .min_by_key(|(_, p)| **p)
            .map(|(i, _)| (i % turned.width, i / turned.width));
        assert_eq!(darkest, Some((15, 30)));
    }

    #[test]
    fn downscale_and_resize_keep_the_mean() {
        let img = GrayImage {
            width: 4,
            height: 2,
            pixels: vec![0, 100, 200, 50, 0, 100, 200, 50],
        };
        assert_eq!(img.downscale(2).pixels, vec![50, 125]);
        let big = img.resize(8, 4);
        let mean: u32 = big.pixels.iter().map(|p| u32::from(*p)).sum::<u32>() / 32;
        assert!((80..=95).contains(&mean), "{mean}");
    }

    #[test]
    fn strokes_are_dark_and_flat_regions_are_not() {
        let mut img = GrayImage::new(60, 60, 200);
        for y in 20..40 {
            img.pixels[y * 60 + 30] = 20;
        }
        let mask = img.dark_mask(8, 25);
        assert!(mask[30 * 60 + 30]);
        assert!(!mask[30 * 60 + 10]);
        assert_eq!(img.percentile(0.5), 200);
    }
}
