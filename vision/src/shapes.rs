//! A second opinion on each character, independent of Tesseract's model:
//! the character's pixels are compared with every OCR-B shape (`glyphs`) by
//! normalised correlation, in a cell the size of the font's pitch, over a
//! few pixels of shift. Where another shape fits clearly better than the
//! character read, the reading is disputed there (issue 15: the model reads
//! some W as M, Q as G and H as M with full confidence, and the check digits
//! cannot see those swaps).

use crate::cells::{cells, Cell};
use crate::engine::CharBox;
use crate::glyphs::{Glyph, Glyphs};
use crate::gray::GrayImage;

/// How far, in pixels of the crop, a shape is moved to find its best fit.
const SHIFT: i64 = 2;
/// Blank rows above and below the capitals in a cell.
const MARGIN: usize = 3;
/// Below this correlation no shape fits the cell well (clutter from another
/// row, a smear): its second opinion is not taken.
const MIN_FIT: f32 = 0.55;

/// A character whose shape is closer to another character.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Dispute {
    /// Index in the row's characters as read.
    pub(crate) index: usize,
    pub(crate) read: char,
    pub(crate) shape: char,
}

/// A shape laid in a cell: zero mean, unit norm.
struct Template {
    ch: char,
    values: Vec<f32>,
}

/// Every shape laid in cells for capitals `cap` pixels high.
struct Templates {
    cap: usize,
    width: usize,
    height: usize,
    shapes: Vec<Template>,
}

impl Templates {
    fn new(glyphs: &Glyphs, cap: usize) -> Self {
        let width = glyphs.advance(cap as f32).round().max(1.0) as usize + 2;
        let height = cap + 2 * MARGIN;
        let shapes = glyphs
            .render(cap as f32)
            .iter()
            .filter_map(|g| template(g, width, height))
            .collect();
        Self {
            cap,
            width,
            height,
            shapes,
        }
    }
}

fn normalise(values: &mut [f32]) -> bool {
    let mean = values.iter().sum::<f32>() / values.len().max(1) as f32;
    values.iter_mut().for_each(|v| *v -= mean);
    let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm < 1e-6 {
        return false;
    }
    values.iter_mut().for_each(|v| *v /= norm);
    true
}

/// `glyph` in a `width` × `height` cell: centred across, its top `top`
/// pixels above the baseline `height - MARGIN`.
fn template(glyph: &Glyph, width: usize, height: usize) -> Option<Template> {
    let mut values = vec![0.0; width * height];
    let left = (width as f32 - glyph.width as f32) / 2.0;
    let top = (height - MARGIN) as f32 - glyph.top;
    for y in 0..glyph.height {
        for x in 0..glyph.width {
            let (cx, cy) = ((left + x as f32).round(), (top + y as f32).round());
            if cx >= 0.0 && cy >= 0.0 && (cx as usize) < width && (cy as usize) < height {
                values[cy as usize * width + cx as usize] = glyph.coverage[y * glyph.width + x];
            }
        }
    }
    normalise(&mut values).then_some(Template {
        ch: glyph.ch,
        values,
    })
}

/// The characters of one row whose shape fits another character better by
/// more than `min_margin`; the crop was scaled for capitals `expected_cap`
/// pixels high.
pub(crate) fn disputes(
    crop: &GrayImage,
    chars: &[CharBox],
    glyphs: &Glyphs,
    expected_cap: f32,
    min_margin: f32,
) -> Vec<Dispute> {
    let mut rendered: Vec<Templates> = Vec::new();
    let mut out = Vec::new();
    for (index, (c, cell)) in chars
        .iter()
        .zip(cells(chars, glyphs, expected_cap))
        .enumerate()
    {
        let Some(cell) = cell else { continue };
        let cap = cell.cap.round().max(4.0) as usize;
        let at = match rendered.iter().position(|t| t.cap == cap) {
            Some(at) => at,
            None => {
                rendered.push(Templates::new(glyphs, cap));
                rendered.len() - 1
            }
        };
        let Templates {
            width,
            height,
            shapes: templates,
            ..
        } = &rendered[at];
        let best = fits(crop, &cell, *width, *height, templates);
        let read = templates.iter().position(|t| t.ch == c.ch).map(|i| best[i]);
        let top_fit = best
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, s)| (templates[i].ch, *s));
        if let (Some(read), Some((shape, score))) = (read, top_fit) {
            if shape != c.ch && score >= MIN_FIT && score - read > min_margin {
                out.push(Dispute {
                    index,
                    read: c.ch,
                    shape,
                });
            }
        }
    }
    out
}

/// The disputes of every row of one reading (`rows`: each crop and the
/// characters read on it), the rows on parallel threads; `None` if a row's
/// check failed.
pub(crate) fn check_rows(
    rows: &[(GrayImage, Vec<CharBox>)],
    glyphs: &Glyphs,
    expected_cap: f32,
    min_margin: f32,
) -> Option<Vec<Vec<Dispute>>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = rows
            .iter()
            .map(|(crop, chars)| {
                scope.spawn(move || disputes(crop, chars, glyphs, expected_cap, min_margin))
            })
            .collect();
        handles.into_iter().map(|h| h.join().ok()).collect()
    })
}

/// `a · b` in eight lanes, which the compiler turns into vector code.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for k in 0..8 {
            lanes[k] += x[k] * y[k];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// Each template's best correlation with the cell's pixels over the shifts.
fn fits(
    crop: &GrayImage,
    cell: &Cell,
    width: usize,
    height: usize,
    templates: &[Template],
) -> Vec<f32> {
    let mut best = vec![f32::MIN; templates.len()];
    let mut pixels = vec![0.0f32; width * height];
    let left = (cell.centre - width as f32 / 2.0).round() as i64;
    let top = (cell.baseline + MARGIN as f32 - height as f32).round() as i64;
    for dy in -SHIFT..=SHIFT {
        for dx in -SHIFT - 1..=SHIFT + 1 {
            for (row, out) in pixels.chunks_exact_mut(width).enumerate() {
                let y = top + dy + row as i64;
                for (column, v) in out.iter_mut().enumerate() {
                    let x = left + dx + column as i64;
                    let inside =
                        x >= 0 && y >= 0 && (x as usize) < crop.width && (y as usize) < crop.height;
                    *v = if inside {
                        255.0 - f32::from(crop.at(x as usize, y as usize))
                    } else {
                        0.0
                    };
                }
            }
            if !normalise(&mut pixels) {
                continue;
            }
            for (score, t) in best.iter_mut().zip(templates) {
                *score = score.max(dot(&t.values, &pixels));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs() -> Glyphs {
        let path = crate::model_dir().join("OCRB.otf");
        Glyphs::load(&path).expect("OCRB.otf: run `bash scripts/fetch-models.sh`")
    }

    /// `text` printed in OCR-B with capitals `cap` pixels high, and each
    /// character's ink box labelled with the character of `read` instead.
    fn row(glyphs: &Glyphs, text: &str, read: &str, cap: f32) -> (GrayImage, Vec<CharBox>) {
        let pitch = glyphs.advance(cap);
        let baseline = (cap * 1.5) as usize;
        let mut image = GrayImage::new(
            (pitch * (text.len() as f32 + 2.0)) as usize,
            baseline + 20,
            235,
        );
        let shapes = glyphs.render(cap);
        let mut boxes = Vec::new();
        for (i, (ch, label)) in text.chars().zip(read.chars()).enumerate() {
            let g = shapes
                .iter()
                .find(|g| g.ch == ch)
                .expect("an MRZ character");
            let x0 = (pitch * (i as f32 + 1.0)) as usize + (pitch as usize - g.width) / 2;
            let y0 = baseline - g.top.round() as usize;
            for y in 0..g.height {
                for x in 0..g.width {
                    let ink = g.coverage[y * g.width + x];
                    let p = &mut image.pixels[(y0 + y) * image.width + x0 + x];
                    *p = (f32::from(*p) * (1.0 - ink) + 30.0 * ink) as u8;
                }
            }
            let (x1, y1) = (x0 + g.width, y0 + g.height);
            boxes.push(CharBox {
                ch: label,
                x0,
                y0,
                x1,
                y1,
            });
        }
        (image, boxes)
    }

    #[test]
    fn a_w_read_as_m_is_disputed_and_the_rest_is_not() {
        let glyphs = glyphs();
        let (image, boxes) = row(&glyphs, "W3XX1918<<HQ0", "M3XX1918<<MG0", 30.0);
        let found: Vec<(usize, char, char)> = disputes(&image, &boxes, &glyphs, 30.0, 0.1)
            .iter()
            .map(|d| (d.index, d.read, d.shape))
            .collect();
        assert_eq!(found, [(0, 'M', 'W'), (10, 'M', 'H'), (11, 'G', 'Q')]);
        let (image, boxes) = row(&glyphs, "W3XX1918<<HQ0", "W3XX1918<<HQ0", 30.0);
        assert!(disputes(&image, &boxes, &glyphs, 30.0, 0.1).is_empty());
    }

    #[test]
    fn a_wrong_box_is_placed_by_its_neighbours() {
        let glyphs = glyphs();
        let (image, mut boxes) = row(&glyphs, "ZEMI<<W1MH<QG", "ZEMI<<M1MH<QG", 30.0);
        // Tesseract's box for the W: a sliver at the top of the next cell.
        let w = boxes[6];
        boxes[6] = CharBox {
            x0: w.x1 + 2,
            x1: w.x1 + 6,
            y1: w.y0 + 3,
            ..w
        };
        let found: Vec<(usize, char)> = disputes(&image, &boxes, &glyphs, 30.0, 0.1)
            .iter()
            .map(|d| (d.index, d.shape))
            .collect();
        assert_eq!(found, [(6, 'W')]);
    }

    #[test]
    fn a_row_of_implausible_boxes_is_not_judged() {
        let glyphs = glyphs();
        // Capitals twice the height the crop was scaled for: another row's
        // ink merged in, nothing can be placed.
        let (image, boxes) = row(&glyphs, "W3XX1918", "M3XX1918", 60.0);
        assert!(disputes(&image, &boxes, &glyphs, 30.0, 0.1).is_empty());
    }
}
