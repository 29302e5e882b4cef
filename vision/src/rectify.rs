//! Rows photographed at an angle and under uneven light (issue 15, item 3).
//!
//! Under perspective a row stays straight but its characters grow towards
//! the camera: the top and bottom of its full-height characters are two
//! lines that converge. [`row_quad`] fits them; [`warp_quad`] maps that
//! quadrilateral onto a rectangle, so every character comes out the same
//! height and level. [`flatten_light`] divides out a shadow or a light
//! gradient across the row: each column is stretched between its
//! neighbourhood's ink and paper levels.

use crate::gray::{histogram_percentile, GrayImage};
use crate::lines::TextLine;

/// Corners on the page: top-left, top-right, bottom-right, bottom-left.
pub type Quad = [(f64, f64); 4];

/// Least-squares line `y = a + b·x` through `points`.
fn fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| {
        let b = sxy / sxx;
        (my - b * mx, b)
    })
}

/// The row's quadrilateral: its full-height characters' top and bottom
/// lines between its ends, widened by `pad` character heights on each side
/// and `margin` above and below. None when too few characters are
/// full-height to fit the lines.
pub fn row_quad(row: &TextLine, pad: f64, margin: f64) -> Option<Quad> {
    let h = row.char_height;
    let full: Vec<_> = row
        .parts
        .iter()
        .filter(|c| c.height() as f64 >= 0.8 * h && c.width() as f64 <= 1.5 * h)
        .collect();
    if full.len() < 6 {
        return None;
    }
    let tops: Vec<(f64, f64)> = full.iter().map(|c| (c.cx(), c.y0 as f64)).collect();
    let bottoms: Vec<(f64, f64)> = full.iter().map(|c| (c.cx(), c.y1 as f64)).collect();
    let (top, bottom) = (fit(&tops)?, fit(&bottoms)?);
    let (x0, x1) = (row.x0 as f64 - pad * h, row.x1 as f64 + pad * h);
    let at = |line: (f64, f64), x: f64| line.0 + line.1 * x;
    let (h0, h1) = (at(bottom, x0) - at(top, x0), at(bottom, x1) - at(top, x1));
    if h0 < 0.4 * h || h1 < 0.4 * h {
        return None;
    }
    Some([
        (x0, at(top, x0) - margin * h0),
        (x1, at(top, x1) - margin * h1),
        (x1, at(bottom, x1) + margin * h1),
        (x0, at(bottom, x0) + margin * h0),
    ])
}

/// The quadrilateral `quad` of `page` mapped onto a `width` × `height`
/// rectangle (bilinear in the corners; `fill` outside the page).
pub fn warp_quad(
    page: &GrayImage,
    quad: &Quad,
    width: usize,
    height: usize,
    fill: u8,
) -> GrayImage {
    let mut out = GrayImage::new(width.max(1), height.max(1), fill);
    let lerp =
        |a: (f64, f64), b: (f64, f64), t: f64| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
    for y in 0..out.height {
        let t = (y as f64 + 0.5) / out.height as f64;
        let left = lerp(quad[0], quad[3], t);
        let right = lerp(quad[1], quad[2], t);
        for x in 0..out.width {
            let s = (x as f64 + 0.5) / out.width as f64;
            let (sx, sy) = lerp(left, right, s);
            out.pixels[y * out.width + x] = page.sample(sx - 0.5, sy - 0.5, fill);
        }
    }
    out
}

/// Each column stretched between the ink (5th percentile) and paper (85th)
/// levels of the columns within `radius`, so a shadow's edge or a light
/// gradient along the row no longer changes what is dark.
pub fn flatten_light(img: &GrayImage, radius: usize) -> GrayImage {
    let (w, h) = (img.width, img.height);
    if w == 0 || h == 0 {
        return img.clone();
    }
    let mut histogram = [0usize; 256];
    let column = |x: usize, histogram: &mut [usize; 256], add: bool| {
        for y in 0..h {
            let v = usize::from(img.pixels[y * w + x]);
            if add {
                histogram[v] += 1;
            } else {
                histogram[v] -= 1;
            }
        }
    };
    for x in 0..=radius.min(w - 1) {
        column(x, &mut histogram, true);
    }
    let mut out = img.clone();
    for x in 0..w {
        if x > radius {
            column(x - radius - 1, &mut histogram, false);
        }
        if x > 0 && x + radius < w {
            column(x + radius, &mut histogram, true);
        }
        let total: usize = histogram.iter().sum();
        let ink = f64::from(histogram_percentile(&histogram, total, 0.05));
        let paper = f64::from(histogram_percentile(&histogram, total, 0.85));
        let span = (paper - ink).max(24.0);
        for y in 0..h {
            let v = f64::from(img.pixels[y * w + x]);
            out.pixels[y * w + x] = (255.0 * (v - ink) / span).clamp(0.0, 255.0) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::{components, text_lines};

    /// A row of blocks growing from `h0` to `h1` pixels high, bottoms on a line.
    fn keystoned_row(h0: f64, h1: f64) -> GrayImage {
        let mut img = GrayImage::new(900, 300, 230);
        for k in 0..30 {
            let x = 20 + k * 28;
            let hk = h0 + (h1 - h0) * k as f64 / 29.0;
            let bottom = 200usize;
            for y in bottom - hk as usize..bottom {
                for dx in 0..14 {
                    img.pixels[y * 900 + x + dx] = 20;
                }
            }
        }
        img
    }

    #[test]
    fn a_keystoned_row_comes_out_with_even_characters() {
        let img = keystoned_row(20.0, 40.0);
        let lines = text_lines(&components(&img.dark_mask(20, 20), 900), 300, 0.5);
        let row = lines.iter().max_by_key(|l| l.char_count()).expect("a row");
        let quad = row_quad(row, 0.5, 0.3).expect("a quad");
        let left_height = quad[3].1 - quad[0].1;
        let right_height = quad[2].1 - quad[1].1;
        assert!(right_height > 1.6 * left_height, "{quad:?}");
        let flat = warp_quad(&img, &quad, 900, 48, 230);
        // Every block now spans about the same rows: compare the first and
        // last block's dark height.
        let dark_rows = |x: usize| (0..48).filter(|y| flat.at(x, *y) < 120).count();
        let (first, last) = (dark_rows(40), dark_rows(860));
        assert!(first.abs_diff(last) <= 4, "{first} vs {last}");
    }

    #[test]
    fn a_shadow_across_the_row_is_flattened() {
        let mut img = GrayImage::new(400, 40, 220);
        for x in (10..390).step_by(20) {
            for y in 10..30 {
                for dx in 0..6 {
                    img.pixels[y * 400 + x + dx] = 40;
                }
            }
        }
        // The right half in shadow: paper 110, ink 20.
        for y in 0..40 {
            for x in 200..400 {
                let p = &mut img.pixels[y * 400 + x];
                *p = (u16::from(*p) / 2) as u8;
            }
        }
        let flat = flatten_light(&img, 40);
        assert!(flat.at(300, 5) > 200, "paper in the shadow is white");
        assert!(flat.at(50, 5) > 200);
        assert!(flat.at(292, 20) < 60, "ink in the shadow is black");
    }
}
