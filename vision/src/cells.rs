//! Where each character Tesseract read sits on its row's crop, for the
//! shape check (`shapes`): a cell one pitch wide, from the baseline up to
//! the capitals' height.

use crate::engine::CharBox;
use crate::glyphs::Glyphs;

/// Where one character's cell sits on the crop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell {
    pub(crate) centre: f32,
    pub(crate) baseline: f32,
    pub(crate) cap: f32,
}

/// How many characters on each side size and place a cell.
const NEIGHBOURS: usize = 6;

/// Each character's cell, from its neighbours as much as from its own box:
/// Tesseract's boxes are approximate, and a few are wrong (a sliver, or
/// two characters wide), but the font is monospaced, so the pitch (the
/// median step between plausible boxes) and the neighbours' centres, bottoms
/// and heights place every cell. `None` when too little is plausible nearby.
pub(crate) fn cells(chars: &[CharBox], glyphs: &Glyphs, expected_cap: f32) -> Vec<Option<Cell>> {
    let heights: Vec<Option<f32>> = chars
        .iter()
        .map(|c| {
            let h = c.y1.saturating_sub(c.y0) as f32;
            c.ch.is_ascii_alphanumeric()
                .then(|| glyphs.cap_height_from(c.ch, h))
                .flatten()
                .filter(|cap| (0.7 * expected_cap..1.4 * expected_cap).contains(cap))
        })
        .collect();
    let Some(cap) = median(heights.iter().flatten().copied().collect()) else {
        return vec![None; chars.len()];
    };
    let pitch = glyphs.advance(cap);
    let centre = |c: &CharBox| (c.x0 + c.x1) as f32 / 2.0;
    let plausible: Vec<bool> = chars
        .iter()
        .zip(&heights)
        .map(|(c, h)| {
            let w = c.x1.saturating_sub(c.x0) as f32;
            let tall = match h {
                Some(h) => (h - cap).abs() < 0.2 * cap,
                // A filler is lower than the capitals; a letter or digit
                // whose height was implausible is not placed by its box.
                None => {
                    c.ch == '<'
                        && (0.4 * cap..1.05 * cap).contains(&(c.y1.saturating_sub(c.y0) as f32))
                }
            };
            w > 0.25 * pitch && w < 1.2 * pitch && tall
        })
        .collect();
    // The pitch on the crop: the median step between plausible neighbours
    // (it changes along a row photographed at an angle).
    let steps: Vec<Option<f32>> = (0..chars.len())
        .map(|i| {
            (i > 0 && plausible[i] && plausible[i - 1])
                .then(|| centre(&chars[i]) - centre(&chars[i - 1]))
                .filter(|s| *s > 0.5 * pitch && *s < 1.5 * pitch)
        })
        .collect();
    (0..chars.len())
        .map(|i| {
            let near = i.saturating_sub(NEIGHBOURS)..(i + NEIGHBOURS + 1).min(chars.len());
            let pitch = median(near.clone().filter_map(|j| steps[j]).collect())?;
            let near: Vec<usize> = near.filter(|j| plausible[*j]).collect();
            let predicted = median(
                near.iter()
                    .filter(|j| **j != i)
                    .map(|j| centre(&chars[*j]) + (i as f32 - *j as f32) * pitch)
                    .collect(),
            )?;
            let own = centre(&chars[i]);
            let centre = if plausible[i] && (own - predicted).abs() < 0.25 * pitch {
                own
            } else {
                predicted
            };
            let full: Vec<usize> = near.into_iter().filter(|j| heights[*j].is_some()).collect();
            Some(Cell {
                centre,
                baseline: median(full.iter().map(|j| chars[*j].y1 as f32).collect())?,
                cap: median(full.iter().filter_map(|j| heights[*j]).collect())?,
            })
        })
        .collect()
}

fn median<T: Copy + PartialOrd>(mut values: Vec<T>) -> Option<T> {
    values.sort_unstable_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    values.get(values.len() / 2).copied()
}
