//! MRZ reading accuracy and latency on the generated evaluation set, per
//! degradation level (issue: document checks, items 5 and 7).
//! Usage: bench_mrz EVAL_DIR   (see scripts/bench-mrz.sh)

use std::time::{Duration, Instant};

use serde_json::Value;
use time::macros::date;
use veritrail_vision::MrzReader;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).ok_or("usage: bench_mrz EVAL_DIR")?);
    let reader = MrzReader::from_env()?;
    let truth: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json"))?)?;
    for level in ["none", "mild", "full"] {
        let (mut chars, mut correct, mut docs, mut exact, mut valid) =
            (0usize, 0usize, 0usize, 0usize, 0usize);
        let mut latencies: Vec<Duration> = Vec::new();
        for item in truth.iter().filter(|t| t["level"] == level) {
            let expected: Vec<&str> = item["lines"]
                .as_array()
                .ok_or("lines")?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let image = std::fs::read(dir.join(item["file"].as_str().ok_or("file")?))?;
            let started = Instant::now();
            let read = reader.read(&image, date!(2026 - 11 - 22));
            latencies.push(started.elapsed());
            let got = read.as_ref().map(|r| r.lines.clone()).unwrap_or_default();
            docs += 1;
            for (i, line) in expected.iter().enumerate() {
                let other = got.get(i).map(String::as_bytes).unwrap_or_default();
                chars += line.len();
                correct += line
                    .bytes()
                    .zip(other.iter())
                    .filter(|(a, b)| a == *b)
                    .count();
            }
            exact += usize::from(got.iter().map(String::as_str).eq(expected.iter().copied()));
            valid += usize::from(read.ok().and_then(|r| r.mrz).is_some_and(|m| {
                m.checks
                    .iter()
                    .filter(|c| c.name.ends_with("check_digit"))
                    .all(|c| c.passed)
            }));
        }
        latencies.sort();
        let pct = |p: f64| {
            latencies[((latencies.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
        };
        println!(
            "{level:>5}: {docs} documents | characters {:.2} % | documents exact {:.1} % | check digits valid {:.1} % | latency p50 {:.0} ms p95 {:.0} ms",
            100.0 * correct as f64 / chars.max(1) as f64,
            100.0 * exact as f64 / docs.max(1) as f64,
            100.0 * valid as f64 / docs.max(1) as f64,
            pct(0.5),
            pct(0.95),
        );
    }
    Ok(())
}
