//! Command throughput over HTTP (issue: command API, item 10).
//!
//! Starts the real application on a PostgreSQL database and drives it with N
//! concurrent HTTP clients, each creating a case and submitting its data.
//! Prints commands/s and p50/p99 latency per command. Run it through
//! `bash scripts/bench.sh`, which also runs the pgbench ceiling.
//!
//! Usage: bench_commands DATABASE_URL [CLIENTS] [CASES]
//!        bench_commands migrate DATABASE_URL   (schema only, for pgbench)

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::Mutex;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn report(name: &str, latencies: &mut [Duration], elapsed: Duration) {
    latencies.sort();
    let n = latencies.len();
    println!(
        "{name:<8} {n:>7} commands  {:>8.1} commands/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
        n as f64 / elapsed.as_secs_f64(),
        percentile(latencies, 50.0).as_secs_f64() * 1e3,
        percentile(latencies, 99.0).as_secs_f64() * 1e3,
    );
}

#[tokio::main]
async fn main() -> anyhow_free::Result {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("migrate") {
        let url = args
            .get(2)
            .ok_or("usage: bench_commands migrate DATABASE_URL")?;
        veritrail_event_store::EventDatabase::connect(url, 1)
            .await?
            .migrate()
            .await?;
        return Ok(());
    }
    let url = args
        .get(1)
        .cloned()
        .ok_or("usage: bench_commands DATABASE_URL [CLIENTS] [CASES]")?;
    let clients: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(16);
    let cases: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(2000);

    let db = veritrail_event_store::EventDatabase::connect(&url, clients as u32 + 4).await?;
    db.migrate().await?;
    let config = veritrail::config::Config {
        database_url: url.clone(),
        bind: "127.0.0.1:0".to_owned(),
        dev_identity_headers: true,
        // BENCH_PROJECTIONS=off: no projection runners and no read-your-writes
        // wait, to see the write path alone.
        projections: std::env::var("BENCH_PROJECTIONS").map_or(true, |v| v != "off"),
        // BENCH_PROCESSORS=off: no pipeline, feeds or workers, to see the
        // command path alone (the pgbench ceiling does no checks either).
        processors: std::env::var("BENCH_PROCESSORS").map_or(true, |v| v != "off"),
        ..Default::default()
    };
    let app = veritrail::app::Application::build_with(&config, db).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run());

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let creates = Arc::new(Mutex::new(Vec::with_capacity(cases)));
    let submits = Arc::new(Mutex::new(Vec::with_capacity(cases)));
    let run = uuid::Uuid::new_v4().simple().to_string();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (client, base, next, creates, submits, run) = (
            client.clone(),
            base.clone(),
            next.clone(),
            creates.clone(),
            submits.clone(),
            run.clone(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= cases {
                    return Ok::<(), reqwest::Error>(());
                }
                let t = Instant::now();
                let created: serde_json::Value = client
                    .post(format!("{base}/verifications"))
                    .header("X-Tenant-Id", "bench")
                    .json(&json!({
                        "subject": {"id": format!("B-{run}-{i}"), "display_name": "Bench Person"},
                        "requested_checks": ["document", "liveness", "face_match"],
                        "entities": ["company-1"]
                    }))
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                creates.lock().await.push(t.elapsed());
                let id = created["id"].as_str().unwrap_or_default().to_owned();
                let t = Instant::now();
                client
                    .put(format!("{base}/verifications/{id}/data"))
                    .header("X-Tenant-Id", "bench")
                    .header("X-Actor-Kind", "individual")
                    .header("X-Actor-Id", "invite")
                    .json(&json!({
                        "given_names": "Bench", "family_name": "Person",
                        "date_of_birth": "1990-01-01", "nationality": "AUS",
                        "email": "bench@example.com",
                        "evidence": []
                    }))
                    .send()
                    .await?
                    .error_for_status()?;
                submits.lock().await.push(t.elapsed());
            }
        }));
    }
    for worker in workers {
        worker.await??;
    }
    let elapsed = started.elapsed();
    let mut creates = creates.lock().await.clone();
    let mut submits = submits.lock().await.clone();
    let mut all: Vec<Duration> = creates.iter().chain(submits.iter()).copied().collect();
    println!(
        "veritrail HTTP: {clients} clients, {cases} cases, {:.2} s",
        elapsed.as_secs_f64()
    );
    report("create", &mut creates, elapsed);
    report("submit", &mut submits, elapsed);
    report("all", &mut all, elapsed);
    println!("cases/s {:.1}", cases as f64 / elapsed.as_secs_f64());
    Ok(())
}

/// A tiny error alias so the binary needs no extra crate.
mod anyhow_free {
    pub type Result = std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>;
}
