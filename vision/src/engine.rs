//! A pool of warm Tesseract engines: creating one loads the 11 MB model
//! (about 45 ms), so engines are made on demand and reused.

use std::sync::{Arc, Mutex};

use tesseract::{OcrEngineMode, PageSegMode, Tesseract};

use crate::gray::GrayImage;
use crate::VisionError;

/// One recognised line: text, Tesseract's mean word confidence (0–100),
/// and each character with its box on the image read.
#[derive(Debug, Clone)]
pub struct Recognised {
    pub text: String,
    pub confidence: f32,
    pub chars: Vec<CharBox>,
}

/// A character Tesseract read and its box (pixels of the image read).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CharBox {
    pub ch: char,
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

/// Engines for one traineddata, shared by clones.
#[derive(Clone)]
pub struct EnginePool {
    traineddata: Arc<Vec<u8>>,
    language: &'static str,
    whitelist: Option<&'static str>,
    idle: Arc<Mutex<Vec<Tesseract>>>,
}

impl std::fmt::Debug for EnginePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnginePool")
            .field("language", &self.language)
            .field("model_bytes", &self.traineddata.len())
            .finish_non_exhaustive()
    }
}

fn ocr_error(e: impl std::fmt::Display) -> VisionError {
    VisionError::Ocr(e.to_string())
}

impl EnginePool {
    pub fn new(
        traineddata: Vec<u8>,
        language: &'static str,
        whitelist: Option<&'static str>,
    ) -> Self {
        Self {
            traineddata: Arc::new(traineddata),
            language,
            whitelist,
            idle: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn take(&self) -> Result<Tesseract, VisionError> {
        if let Some(engine) = self.idle.lock().map_err(ocr_error)?.pop() {
            return Ok(engine);
        }
        let mut engine = Tesseract::new_with_data(
            &self.traineddata,
            Some(self.language),
            OcrEngineMode::LstmOnly,
        )
        .map_err(ocr_error)?;
        engine = engine
            .set_variable("hocr_char_boxes", "1")
            .map_err(ocr_error)?;
        if let Some(whitelist) = self.whitelist {
            engine = engine
                .set_variable("tessedit_char_whitelist", whitelist)
                .map_err(ocr_error)?;
        }
        Ok(engine)
    }

    /// Creates `count` engines ahead of the first request.
    pub fn warm(&self, count: usize) -> Result<(), VisionError> {
        let engines = (0..count)
            .map(|_| self.take())
            .collect::<Result<Vec<_>, _>>()?;
        self.idle.lock().map_err(ocr_error)?.extend(engines);
        Ok(())
    }

    /// Recognises `image` with the page segmentation `mode`.
    pub fn recognise(
        &self,
        image: &GrayImage,
        mode: PageSegMode,
    ) -> Result<Recognised, VisionError> {
        let mut engine = self.take()?;
        engine.set_page_seg_mode(mode);
        let width = i32::try_from(image.width).map_err(ocr_error)?;
        let height = i32::try_from(image.height).map_err(ocr_error)?;
        // On error the engine is dropped rather than returned in an unknown state.
        let mut engine = engine
            .set_frame(&image.pixels, width, height, 1, width)
            .map_err(ocr_error)?
            .set_source_resolution(300);
        let text = engine.get_text().map_err(ocr_error)?;
        let confidence = engine.mean_text_conf() as f32;
        let chars = char_boxes(&engine.get_hocr_text(0).map_err(ocr_error)?);
        self.idle.lock().map_err(ocr_error)?.push(engine);
        Ok(Recognised {
            text,
            confidence,
            chars,
        })
    }
}

/// The characters of Tesseract's hOCR with `hocr_char_boxes` on:
/// `<span class='ocrx_cinfo' title='x_bboxes 36 16 59 45; x_conf 99'>M</span>`.
fn char_boxes(hocr: &str) -> Vec<CharBox> {
    hocr.split("x_bboxes ")
        .skip(1)
        .filter_map(|piece| {
            let (title, rest) = piece.split_once("'>")?;
            let numbers: Vec<usize> = title
                .split(';')
                .next()?
                .split_whitespace()
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            let text = rest.split('<').next()?;
            let ch = match text {
                "&lt;" => '<',
                "&gt;" => '>',
                "&amp;" => '&',
                _ => text.chars().next()?,
            };
            match numbers[..] {
                [x0, y0, x1, y1] => Some(CharBox { ch, x0, y0, x1, y1 }),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_boxes_are_read_from_hocr() {
        let hocr = "<span class='ocrx_word' id='word_1_1' title='bbox 36 13 120 45; x_wconf 79'>\
            <span class='ocrx_cinfo' title='x_bboxes 36 16 59 45; x_conf 99.02'>M</span>\
            <span class='ocrx_cinfo' title='x_bboxes 67 16 89 44; x_conf 98.5'>&lt;</span></span>";
        assert_eq!(
            char_boxes(hocr),
            [
                CharBox {
                    ch: 'M',
                    x0: 36,
                    y0: 16,
                    x1: 59,
                    y1: 45
                },
                CharBox {
                    ch: '<',
                    x0: 67,
                    y0: 16,
                    x1: 89,
                    y1: 44
                },
            ]
        );
    }
}
