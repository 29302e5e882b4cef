//! Finding the MRZ on a page: an adaptive threshold (dark against the local
//! mean, so uniform borders and shading are not "text"), text-line bands from
//! the row profile, and the lowest group of wide lines.

/// An 8-bit grayscale image.
#[derive(Debug, Clone)]
pub struct GrayImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl GrayImage {
    pub fn crop(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> GrayImage {
        let (x1, y1) = (x1.min(self.width), y1.min(self.height));
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
}

/// A horizontal band of text: rows `top..bottom`, columns `left..right`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    pub top: usize,
    pub bottom: usize,
    pub left: usize,
    pub right: usize,
}

/// Dark-against-local-mean mask (window `2r+1`, margin `m`), via an integral image.
fn text_mask(img: &GrayImage, r: usize, margin: i64) -> Vec<bool> {
    let (w, h) = (img.width, img.height);
    let mut integral = vec![0i64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0i64;
        for x in 0..w {
            row += i64::from(img.pixels[y * w + x]);
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
            mask[y * w + x] = i64::from(img.pixels[y * w + x]) * count + margin * count < sum;
        }
    }
    mask
}

/// Text-line bands, top to bottom.
fn bands(img: &GrayImage) -> Vec<Band> {
    let (w, h) = (img.width, img.height);
    let r = (h / 60).clamp(8, 40);
    let mask = text_mask(img, r, 25);
    let threshold = (w / 100).max(3);
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for y in 0..=h {
        let dark = if y < h {
            mask[y * w..(y + 1) * w].iter().filter(|d| **d).count()
        } else {
            0
        };
        match (start, dark > threshold) {
            (None, true) => start = Some(y),
            (Some(s), false) => {
                if y - s >= 6 {
                    let mut left = w;
                    let mut right = 0;
                    for row in s..y {
                        for x in 0..w {
                            if mask[row * w + x] {
                                left = left.min(x);
                                right = right.max(x + 1);
                            }
                        }
                    }
                    out.push(Band {
                        top: s,
                        bottom: y,
                        left,
                        right,
                    });
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The MRZ: the lowest run of 2–3 wide text lines of similar height.
pub fn locate_mrz(img: &GrayImage) -> Option<Band> {
    let all = bands(img);
    let widest = all.iter().map(|b| b.right - b.left).max()?;
    let wide: Vec<&Band> = all
        .iter()
        .filter(|b| (b.right - b.left) * 10 >= widest * 6)
        .collect();
    // Walk up from the bottom, gathering lines that sit close together.
    let mut group: Vec<&Band> = Vec::new();
    for band in wide.iter().rev() {
        match group.last() {
            None => group.push(band),
            Some(last) => {
                let height = last.bottom - last.top;
                if last.top.saturating_sub(band.bottom) <= height && group.len() < 3 {
                    group.push(band);
                } else if group.len() >= 2 {
                    break;
                } else {
                    group = vec![band];
                }
            }
        }
    }
    if group.len() < 2 {
        return None;
    }
    Some(Band {
        top: group.iter().map(|b| b.top).min()?,
        bottom: group.iter().map(|b| b.bottom).max()?,
        left: group.iter().map(|b| b.left).min()?,
        right: group.iter().map(|b| b.right).max()?,
    })
}
