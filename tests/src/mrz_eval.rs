//! The generated MRZ evaluation set (`scripts/gen/mrz_eval_set.py`) and its
//! scoring, shared by the CI tests and the benchmark.

use std::path::{Path, PathBuf};

use serde_json::Value;
use veritrail_vision::MrzReading;

/// `truth.json` of a generated set.
#[derive(Debug)]
pub struct EvalSet {
    pub dir: PathBuf,
    pub items: Vec<Value>,
}

impl EvalSet {
    pub fn load(dir: &Path) -> Result<Self, Box<dyn std::error::Error>> {
        let items = serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json"))?)?;
        Ok(Self {
            dir: dir.to_owned(),
            items,
        })
    }

    /// The set `scripts/test.sh` generated (`VERITRAIL_MRZ_EVAL_DIR`).
    pub fn from_env() -> Self {
        let dir = std::env::var_os("VERITRAIL_MRZ_EVAL_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                panic!("VERITRAIL_MRZ_EVAL_DIR is not set: run `bash scripts/test.sh`, which generates the set")
            });
        Self::load(&dir).unwrap_or_else(|e| panic!("no evaluation set in {}: {e}", dir.display()))
    }

    /// The levels (conditions) of the set, in order of first appearance.
    pub fn levels(&self) -> Vec<String> {
        let mut levels: Vec<String> = Vec::new();
        for item in &self.items {
            if let Some(level) = item["level"].as_str() {
                if !levels.iter().any(|l| l == level) {
                    levels.push(level.to_owned());
                }
            }
        }
        levels
    }

    /// Items of one degradation level (`none`, `mild`, `full`; the photo
    /// set's conditions).
    pub fn level<'a>(&'a self, level: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.items.iter().filter(move |t| t["level"] == level)
    }

    pub fn image(&self, item: &Value) -> Vec<u8> {
        let file = item["file"].as_str().expect("file");
        std::fs::read(self.dir.join(file)).expect("image")
    }
}

/// Character accuracy (position by position), exact documents, reads whose
/// every check digit verifies, and wrong passes: readings the document check
/// would answer `pass` (digits verified, good quality, a valid and current
/// document) whose lines are not the document's — the one error a KYC
/// service must never make.
#[derive(Debug, Default, Clone, Copy)]
pub struct Score {
    pub chars: usize,
    pub correct: usize,
    pub docs: usize,
    pub exact: usize,
    pub valid: usize,
    /// Readings the check would answer `pass`.
    pub passes: usize,
    pub wrong_passes: usize,
}

impl Score {
    pub fn char_accuracy(&self) -> f64 {
        self.correct as f64 / self.chars.max(1) as f64
    }
    pub fn doc_accuracy(&self) -> f64 {
        self.exact as f64 / self.docs.max(1) as f64
    }
    pub fn summary(&self) -> String {
        format!(
            "{} documents | characters {:.2} % | documents exact {:.1} % | check digits valid {:.1} % | pass {:.1} % | wrong passes {}",
            self.docs,
            100.0 * self.char_accuracy(),
            100.0 * self.doc_accuracy(),
            100.0 * self.valid as f64 / self.docs.max(1) as f64,
            100.0 * self.passes as f64 / self.docs.max(1) as f64,
            self.wrong_passes
        )
    }
}

/// Whether the document check would answer `pass` for `read` on `today`.
fn would_pass(read: &MrzReading, today: time::Date) -> bool {
    veritrail_application::checks::document::mrz_passes(read, today)
}

/// Adds one document's reading (made on `today`) to `score`.
pub fn score_lines(score: &mut Score, item: &Value, read: Option<&MrzReading>, today: time::Date) {
    let expected: Vec<&str> = item["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let got: Vec<&str> = read
        .map(|r| r.lines.iter().map(String::as_str).collect())
        .unwrap_or_default();
    score.docs += 1;
    for (i, line) in expected.iter().enumerate() {
        let other = got.get(i).map(|l| l.as_bytes()).unwrap_or_default();
        score.chars += line.len();
        score.correct += line
            .bytes()
            .zip(other.iter())
            .filter(|(a, b)| a == *b)
            .count();
    }
    score.exact += usize::from(got == expected);
    let passes = read.is_some_and(|r| would_pass(r, today));
    score.passes += usize::from(passes);
    score.wrong_passes += usize::from(got != expected && passes);
    score.valid += usize::from(read.is_some_and(|r| {
        let (passed, total) = r.check_digits();
        r.mrz.is_some() && passed == total
    }));
}
