//! Finding the MRZ on a photographed page: text lines from an adaptive mask,
//! the page skew from their slopes, the page turned level, the lines found
//! again, and the MRZ taken as the widest group of two or three long,
//! evenly spaced, left-aligned lines of equal character height.

use crate::gray::GrayImage;
use crate::lines::{components, skew, text_lines, TextLine};
use crate::quality::Frame;

/// Largest skew looked for (degrees); the issue asks for ±15°.
const MAX_SKEW_DEGREES: f64 = 25.0;
/// Pages are processed at most this many pixels on their longer side.
const MAX_SIDE: usize = 2200;

/// Where the MRZ is on the levelled page.
#[derive(Debug, Clone)]
pub struct MrzLocation {
    /// How much the page was turned back (degrees; positive = it ran down to
    /// the right).
    pub skew_degrees: f64,
    /// The page, downscaled to at most `MAX_SIDE` and levelled.
    pub page: GrayImage,
    /// The MRZ rows on `page`, top to bottom.
    pub lines: Vec<TextLine>,
    /// Downscale factor from the uploaded image to `page`.
    pub scale: usize,
    /// Size of the downscaled image before levelling.
    pub unlevelled: (usize, usize),
}

/// A photo downscaled to at most `MAX_SIDE` and turned level.
#[derive(Debug, Clone)]
pub struct Levelled {
    pub page: GrayImage,
    /// How much it was turned back (degrees; positive = it ran down to the right).
    pub skew_degrees: f64,
    /// Whether it was turned at all (below 0.3° it is left as it was).
    pub rotated: bool,
    /// The text lines found before levelling (on `page` when not rotated).
    pub lines: Vec<TextLine>,
    /// Downscale factor from the photo to `page`.
    pub scale: usize,
    /// Size of the downscaled photo before levelling.
    pub unlevelled: (usize, usize),
}

/// Downscales big photos and turns the page level by the median slope of
/// its longest text lines (no long lines: left as it is).
pub fn level(original: &GrayImage) -> Levelled {
    let factor = original
        .width
        .max(original.height)
        .div_ceil(MAX_SIDE)
        .max(1);
    let img = original.downscale(factor);
    let unlevelled = (img.width, img.height);
    let lines = find_lines(&img, MAX_SKEW_DEGREES.to_radians().tan());
    let skew_degrees = skew(&lines).map_or(0.0, |slope| slope.atan().to_degrees());
    let rotated = skew_degrees.abs() >= 0.3;
    let page = if rotated {
        let fill = img.percentile(0.5);
        img.rotate(-skew_degrees, fill)
    } else {
        img
    };
    Levelled {
        page,
        skew_degrees,
        rotated,
        lines,
        scale: factor,
        unlevelled,
    }
}

impl MrzLocation {
    /// Where a point of the levelled page lies on the (downscaled) photo.
    pub fn to_photo(&self, x: f64, y: f64) -> (f64, f64) {
        if self.page.width == self.unlevelled.0 && self.page.height == self.unlevelled.1 {
            return (x, y);
        }
        let (sin, cos) = (-self.skew_degrees).to_radians().sin_cos();
        let dx = x - self.page.width as f64 / 2.0;
        let dy = y - self.page.height as f64 / 2.0;
        (
            cos * dx + sin * dy + self.unlevelled.0 as f64 / 2.0,
            -sin * dx + cos * dy + self.unlevelled.1 as f64 / 2.0,
        )
    }

    /// Whether each side of the MRZ (with half a character of margin) is on
    /// the photo.
    pub fn frame(&self) -> Frame {
        let (w, h) = (
            self.unlevelled.0 as f64 - 1.0,
            self.unlevelled.1 as f64 - 1.0,
        );
        let mut frame = Frame {
            cut_top: false,
            cut_bottom: false,
            cut_left: false,
            cut_right: false,
        };
        let (Some(first), Some(last)) = (self.lines.first(), self.lines.last()) else {
            return frame;
        };
        // Half a character of margin beyond the characters' own half height,
        // taken at each end of a row along its slope.
        let m = first.char_height / 2.0;
        let reach = |row: &TextLine| row.char_height / 2.0 + m;
        for x in [first.x0 as f64, first.x1 as f64] {
            let y = first.middle_at(x) - reach(first);
            frame.cut_top |= self.to_photo(x, y).1 < 0.0;
        }
        for x in [last.x0 as f64, last.x1 as f64] {
            let y = last.middle_at(x) + reach(last);
            frame.cut_bottom |= self.to_photo(x, y).1 > h;
        }
        for row in &self.lines {
            let half = row.char_height / 2.0;
            let (left, right) = (row.x0 as f64 - m, row.x1 as f64 + m);
            for dy in [-half, half] {
                frame.cut_left |= self.to_photo(left, row.middle_at(left) + dy).0 < 0.0;
                frame.cut_right |= self.to_photo(right, row.middle_at(right) + dy).0 > w;
            }
        }
        frame
    }
}

/// The text lines of an image, with the mask parameters adapted to its size
/// and contrast.
pub fn find_lines(img: &GrayImage, max_slope: f64) -> Vec<TextLine> {
    let r = (img.height.min(img.width) / 50).clamp(8, 40);
    let contrast = i64::from(img.percentile(0.95)) - i64::from(img.percentile(0.05));
    let margin = (contrast / 8).clamp(10, 30);
    let mask = img.dark_mask(r, margin);
    text_lines(&components(&mask, img.width), img.height, max_slope)
}

/// Levels the photo and finds the MRZ rows on it.
pub fn locate_mrz(original: &GrayImage) -> Option<MrzLocation> {
    let levelled = level(original);
    let lines = if levelled.rotated {
        find_lines(&levelled.page, 0.08)
    } else {
        levelled.lines
    };
    Some(MrzLocation {
        lines: mrz_rows(&lines)?,
        skew_degrees: levelled.skew_degrees,
        page: levelled.page,
        scale: levelled.scale,
        unlevelled: levelled.unlevelled,
    })
}

/// Long enough to be an MRZ row: a 30-character row is about 25 character
/// heights wide.
pub fn is_long(line: &TextLine) -> bool {
    line.width() as f64 >= 15.0 * line.char_height && line.char_count() >= 8
}

/// `lower` is the MRZ row under `upper`: close below it, as tall, and
/// aligned with it on the left — or on the right, when the photo's edge
/// cuts one row's start (the quality check then says the MRZ is cut off,
/// rather than the reader finding no MRZ at all).
fn follows(upper: &TextLine, lower: &TextLine) -> bool {
    let h = upper.char_height.max(lower.char_height);
    let spacing = lower.cy() - upper.cy();
    let ratio = upper.char_height / lower.char_height;
    let aligned = |a: usize, b: usize| (a as f64 - b as f64).abs() <= 3.0 * h;
    (1.1 * h..=3.5 * h).contains(&spacing)
        && (aligned(upper.x0, lower.x0) || aligned(upper.x1, lower.x1))
        && (0.7..=1.45).contains(&ratio)
}

/// The widest group of 2–3 consecutive long rows.
fn mrz_rows(lines: &[TextLine]) -> Option<Vec<TextLine>> {
    let long: Vec<&TextLine> = lines.iter().filter(|l| is_long(l)).collect();
    let mut best: Option<(f64, Vec<TextLine>)> = None;
    let mut start = 0;
    while start < long.len() {
        let mut end = start + 1;
        while end < long.len() && follows(long[end - 1], long[end]) {
            end += 1;
        }
        let group = &long[start..end];
        if group.len() >= 2 {
            // More than three rows: the MRZ is the lowest three (or two).
            let lowest = &group[group.len().saturating_sub(3)..];
            let widest = lowest.iter().map(|l| l.width()).max().unwrap_or(0) as f64;
            let take =
                if lowest.len() == 3 && lowest.iter().all(|l| l.width() as f64 >= 0.85 * widest) {
                    3
                } else {
                    2
                };
            let rows: Vec<TextLine> = group[group.len() - take..]
                .iter()
                .map(|l| (*l).clone())
                .collect();
            let width: f64 = rows.iter().map(|l| l.width() as f64).sum::<f64>() / take as f64;
            if best.as_ref().is_none_or(|(w, _)| width >= *w) {
                best = Some((width, rows));
            }
        }
        start = end;
    }
    best.map(|(_, rows)| rows)
}
