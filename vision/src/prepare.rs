//! How a row is cropped for Tesseract: a box around it turned level and
//! scaled, or its quadrilateral rectified with the light flattened
//! (`rectify`), in gray or binarised. The reader tries these in turn.

use crate::gray::GrayImage;
use crate::lines::TextLine;
use crate::rectify;

/// How a row crop is prepared for Tesseract.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Preparation {
    /// Character height the crop is scaled to.
    pub(crate) char_height: f64,
    /// Black on white from the adaptive mask instead of the gray crop.
    pub(crate) binarise: bool,
    /// The row's quadrilateral mapped to a rectangle (perspective) and its
    /// light flattened (shadows), instead of a rotated box.
    pub(crate) rectify: bool,
}

pub(crate) const PREPARATIONS: [Preparation; 5] = [
    Preparation {
        char_height: 30.0,
        binarise: false,
        rectify: false,
    },
    Preparation {
        char_height: 30.0,
        binarise: true,
        rectify: false,
    },
    Preparation {
        char_height: 30.0,
        binarise: false,
        rectify: true,
    },
    Preparation {
        char_height: 44.0,
        binarise: false,
        rectify: false,
    },
    Preparation {
        char_height: 36.0,
        binarise: true,
        rectify: true,
    },
];

/// One row, cropped with a margin, levelled, scaled to the preparation's
/// character height.
pub(crate) fn row_image(page: &GrayImage, row: &TextLine, preparation: Preparation) -> GrayImage {
    let quad = preparation
        .rectify
        .then(|| rectify::row_quad(row, 1.2, 0.45))
        .flatten();
    let mut scaled = match quad {
        Some(quad) => {
            let target = preparation.char_height;
            let height = (target * 1.9).round() as usize;
            let side = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1);
            let mean_height = (side(quad[0], quad[3]) + side(quad[1], quad[2])) / 2.0 / 1.9;
            let width = (side(quad[0], quad[1]) * target / mean_height.max(1.0)).round() as usize;
            let warped = rectify::warp_quad(page, &quad, width, height, page.percentile(0.8));
            rectify::flatten_light(&warped, (2.0 * target) as usize)
        }
        None => box_image(page, row, preparation),
    };
    if preparation.binarise {
        let r = (preparation.char_height as usize / 2).max(8);
        let contrast = i64::from(scaled.percentile(0.95)) - i64::from(scaled.percentile(0.05));
        let mask = scaled.dark_mask(r, (contrast / 6).clamp(8, 30));
        for (p, dark) in scaled.pixels.iter_mut().zip(mask) {
            *p = if dark { 0 } else { 255 };
        }
    }
    scaled
}

/// The row's box with a margin, turned level by its slope and scaled.
fn box_image(page: &GrayImage, row: &TextLine, preparation: Preparation) -> GrayImage {
    let h = row.char_height;
    let (pad_x, pad_y) = ((1.2 * h) as usize, (0.45 * h) as usize);
    let mut crop = page.crop(
        row.x0.saturating_sub(pad_x),
        row.y0.saturating_sub(pad_y),
        row.x1 + pad_x,
        row.y1 + pad_y,
    );
    if row.slope.abs() > 0.004 {
        let fill = crop.percentile(0.8);
        crop = crop.rotate(-row.slope.atan().to_degrees(), fill);
    }
    let scale = preparation.char_height / h.max(1.0);
    crop.resize(
        (crop.width as f64 * scale).round() as usize,
        (crop.height as f64 * scale).round() as usize,
    )
}
