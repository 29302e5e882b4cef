//! The OCR-B font's shapes of the MRZ characters (ICAO 9303 prints the zone
//! in OCR-B), rendered at the size of the row being read: the templates of
//! the second opinion in `shapes`. The font is Debian's `fonts-ocr-b`
//! (public domain), copied into the model directory by
//! `scripts/fetch-models.sh`.

use std::path::Path;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};

use crate::VisionError;

/// Every character an MRZ may hold.
pub(crate) const MRZ_CHARS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";

/// The font, parsed once.
pub(crate) struct Glyphs {
    font: FontVec,
    /// Height of `H` at a scale of 1 px (em-relative cap height).
    cap_per_px: f32,
    /// Each character's ink height over the capitals' (digits stand taller
    /// than letters in OCR-B).
    relative_heights: Vec<(char, f32)>,
}

impl std::fmt::Debug for Glyphs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Glyphs").finish_non_exhaustive()
    }
}

/// One character's coverage (0–1), in its own ink box, and where that box
/// sits: `top` pixels above the baseline.
#[derive(Debug, Clone)]
pub(crate) struct Glyph {
    pub(crate) ch: char,
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) top: f32,
    pub(crate) coverage: Vec<f32>,
}

impl Glyphs {
    pub(crate) fn load(path: &Path) -> Result<Self, VisionError> {
        let missing = || VisionError::ModelMissing {
            path: path.to_path_buf(),
        };
        let bytes = std::fs::read(path).map_err(|_| missing())?;
        let font = FontVec::try_from_vec(bytes).map_err(|_| missing())?;
        let reference = 100.0;
        let h = font.glyph_id('H').with_scale(PxScale::from(reference));
        let cap = font
            .outline_glyph(h)
            .map(|g| g.px_bounds().height())
            .filter(|h| *h > 0.0)
            .ok_or_else(missing)?;
        let mut glyphs = Self {
            font,
            cap_per_px: cap / reference,
            relative_heights: Vec::new(),
        };
        glyphs.relative_heights = glyphs
            .render(reference)
            .iter()
            .map(|g| (g.ch, g.height as f32 / reference))
            .collect();
        Ok(glyphs)
    }

    /// The capitals' height implied by `ch` being `height` pixels high.
    pub(crate) fn cap_height_from(&self, ch: char, height: f32) -> Option<f32> {
        let (_, relative) = self.relative_heights.iter().find(|(c, _)| *c == ch)?;
        (*relative > 0.0).then(|| height / relative)
    }

    /// The font's advance (character pitch) at `cap_height`.
    pub(crate) fn advance(&self, cap_height: f32) -> f32 {
        let scaled = self
            .font
            .as_scaled(PxScale::from(cap_height / self.cap_per_px));
        scaled.h_advance(self.font.glyph_id('H'))
    }

    /// Every MRZ character drawn with capitals `cap_height` pixels high.
    pub(crate) fn render(&self, cap_height: f32) -> Vec<Glyph> {
        let scale = PxScale::from(cap_height / self.cap_per_px);
        MRZ_CHARS
            .chars()
            .filter_map(|ch| {
                let outline = self
                    .font
                    .outline_glyph(self.font.glyph_id(ch).with_scale(scale))?;
                let bounds = outline.px_bounds();
                let (width, height) = (bounds.width() as usize, bounds.height() as usize);
                let mut coverage = vec![0.0; width * height];
                outline.draw(|x, y, c| {
                    let (x, y) = (x as usize, y as usize);
                    if x < width && y < height {
                        coverage[y * width + x] = c;
                    }
                });
                Some(Glyph {
                    ch,
                    width,
                    height,
                    top: -bounds.min.y,
                    coverage,
                })
            })
            .collect()
    }
}
