//! `veritrail projections rebuild|status`.

use std::fmt::Write as _;

use indicatif::{ProgressBar, ProgressStyle};
use veritrail_event_store::EventDatabase;
use veritrail_projections::rebuild::RebuildReport;

async fn event_count(db: &EventDatabase) -> anyhow::Result<u64> {
    let sql = "SELECT COUNT(*) FROM events";
    let n: i64 = match db {
        EventDatabase::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
        EventDatabase::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
    };
    Ok(u64::try_from(n).unwrap_or_default())
}

/// Rebuilds one projection by name, drawing a progress bar on stderr.
pub async fn rebuild(
    db: &EventDatabase,
    name: &str,
    show_progress: bool,
) -> anyhow::Result<RebuildReport> {
    let total = event_count(db).await?;
    let bar = if show_progress {
        ProgressBar::new(total)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>12} [{bar:40}] {pos}/{len} events {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix(name.to_owned());
    let progress = |n: u64| bar.set_position(n);
    let batch = 5_000;
    let report = match name {
        veritrail_projections::case_status::NAME => {
            veritrail_projections::case_status::rebuild_bulk(db, batch, progress).await?
        }
        veritrail_projections::audit_log::NAME => {
            veritrail_projections::audit_log::rebuild_bulk(db, batch, progress).await?
        }
        other => anyhow::bail!(
            "no projection {other:?}; known: {}",
            veritrail_projections::ALL.join(", ")
        ),
    };
    bar.finish_and_clear();
    Ok(report)
}

/// A table of checkpoints and parked events.
pub async fn status(db: &EventDatabase) -> anyhow::Result<String> {
    let sql = "SELECT c.name, c.last_tx, c.last_position, c.events_applied, COALESCE(c.owner, '-'),
                      (SELECT COUNT(*) FROM projection_dead_letters d WHERE d.projection = c.name)
                 FROM projection_checkpoints c ORDER BY c.name";
    let rows: Vec<(String, i64, i64, i64, String, i64)> = match db {
        EventDatabase::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
        EventDatabase::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
    };
    let mut out = format!(
        "{:<14} {:>22} {:>10} {:>7}  owner\n",
        "projection", "checkpoint", "applied", "parked"
    );
    for (name, tx, pos, applied, owner, parked) in rows {
        let _ = writeln!(
            out,
            "{name:<14} {:>22} {applied:>10} {parked:>7}  {owner}",
            format!("{tx}:{pos}")
        );
    }
    let _ = writeln!(out, "events in the log: {}", event_count(db).await?);
    Ok(out)
}
