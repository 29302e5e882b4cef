//! The SQLite leg of `bench_read` (issue 17: rebuild figures on both
//! backends): the PostgreSQL log is copied, event by event with its
//! recording time, into a fresh embedded database, and both read models are
//! rebuilt there from it.

use std::time::Instant;

use veritrail_event_store::{EventDatabase, GlobalPosition};
use veritrail_projections::audit_log;
use veritrail_projections::case_status::rebuild_bulk;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Rows per INSERT (8 values each, under SQLite's 32,766 bound values).
const ROWS: usize = 2_000;

pub async fn rebuilds(postgres: &EventDatabase, path: &str) -> Result<()> {
    let _ = std::fs::remove_file(path);
    let sqlite = EventDatabase::connect(&format!("sqlite://{path}"), 2).await?;
    sqlite.migrate().await?;
    let EventDatabase::Sqlite(pool) = &sqlite else {
        return Err("not SQLite".into());
    };
    let started = Instant::now();
    let (mut cursor, mut copied) = (GlobalPosition::START, 0);
    loop {
        let events = postgres.read_all(cursor, 10_000).await?;
        let Some(last) = events.last() else { break };
        cursor = last.global;
        let mut tx = pool.begin().await?;
        for chunk in events.chunks(ROWS) {
            let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let sql = format!(
                "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type,
                                     event_version, payload, metadata, recorded_at) VALUES {values}"
            );
            let mut query = sqlx::query(&sql);
            for e in chunk {
                let at = e
                    .recorded_at
                    .format(&time::format_description::well_known::Rfc3339)?;
                query = query
                    .bind(&e.aggregate_type)
                    .bind(&e.aggregate_id)
                    .bind(e.sequence)
                    .bind(&e.event_type)
                    .bind(&e.event_version)
                    .bind(e.payload.to_string())
                    .bind(e.metadata.to_string())
                    .bind(at);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        copied += events.len();
    }
    println!(
        "== SQLite ({path}): {copied} events copied in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for report in [
        rebuild_bulk(&sqlite, 5_000, |_| {}).await?,
        audit_log::rebuild_bulk(&sqlite, 5_000, |_| {}).await?,
    ] {
        println!("SQLite {report}");
    }
    Ok(())
}
