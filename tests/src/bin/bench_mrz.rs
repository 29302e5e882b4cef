//! MRZ reading accuracy and latency on the generated evaluation set, per
//! degradation level (issue: document checks, items 5 and 7).
//! Usage: bench_mrz EVAL_DIR [--failures | --all] [--confidence]   (see scripts/bench-mrz.sh)

use std::time::{Duration, Instant};

use time::macros::date;
use veritrail_tests::mrz_eval::{score_lines, EvalSet};
use veritrail_vision::{locate_mrz, GrayImage, MrzReader};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn percentile<T: Copy + PartialOrd>(sorted: &[T], p: f64) -> T {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> Result<()> {
    // As `veritrail serve` does: without it OpenMP oversubscribes the cores
    // and reads measure 2–3× slower than the service's.
    veritrail::runtime::limit_openmp_threads();
    let dir = std::path::PathBuf::from(std::env::args().nth(1).ok_or("usage: bench_mrz EVAL_DIR")?);
    let show_failures = std::env::args().any(|a| a == "--failures");
    let show_all = std::env::args().any(|a| a == "--all");
    // One line per document for calibrating the row-confidence bar:
    // `conf <level> <exact> <lowest row confidence> <certain but for confidence>`.
    let show_confidence = std::env::args().any(|a| a == "--confidence");
    let reader = MrzReader::from_env()?;
    reader.warm(1)?;
    let set = EvalSet::load(&dir)?;
    for level in set.levels() {
        let level = level.as_str();
        if level == "licence" {
            continue;
        }
        let mut score = veritrail_tests::mrz_eval::Score::default();
        let (mut total, mut locate) = (Vec::new(), Vec::new());
        let (mut sharpness, mut quality_passed) = (Vec::new(), 0usize);
        for item in set.level(level) {
            let bytes = std::fs::read(dir.join(item["file"].as_str().ok_or("file")?))?;
            let started = Instant::now();
            let read = reader.read(&bytes, date!(2026 - 11 - 22));
            total.push(started.elapsed());
            let exact_before = score.exact;
            score_lines(&mut score, item, read.as_ref().ok(), date!(2026 - 11 - 22));
            if show_all || (show_failures && score.exact == exact_before) {
                println!(
                    "  {} {}: expected {} got {:?}",
                    item["file"],
                    item["degradations"],
                    item["lines"],
                    read.as_ref().map(|r| (
                        &r.raw_lines,
                        &r.lines,
                        &r.row_confidence,
                        &r.doubts,
                        &r.quality.hints
                    ))
                );
            }
            if let (true, Ok(r)) = (show_confidence, &read) {
                let lowest = r.row_confidence.iter().copied().fold(1.0, f64::min);
                let other_doubts = r
                    .doubts
                    .iter()
                    .filter(|d| !d.contains("confidence"))
                    .count();
                let (passed, total) = r.check_digits();
                println!(
                    "conf {level} {} {lowest:.3} {}",
                    score.exact > exact_before,
                    r.mrz.as_ref().is_some_and(|m| m.mrz_valid())
                        && passed == total
                        && other_doubts == 0
                );
            }
            if let Ok(r) = &read {
                sharpness.push(r.quality.sharpness);
                quality_passed += usize::from(r.quality.passed());
            }
            let gray = GrayImage::decode(&bytes)?;
            let started = Instant::now();
            let _ = locate_mrz(&gray);
            locate.push(started.elapsed());
        }
        total.sort();
        locate.sort();
        sharpness.sort_by(f64::total_cmp);
        println!(
            "{level:>11}: {} | latency p50 {:.0} ms p95 {:.0} ms (locate + level p50 {:.0} ms) | sharpness p5 {:.2} p50 {:.2} | quality passed {:.1} %",
            score.summary(),
            ms(percentile(&total, 0.5)),
            ms(percentile(&total, 0.95)),
            ms(percentile(&locate, 0.5)),
            percentile(&sharpness, 0.05),
            percentile(&sharpness, 0.5),
            100.0 * quality_passed as f64 / score.docs.max(1) as f64,
        );
    }
    Ok(())
}
