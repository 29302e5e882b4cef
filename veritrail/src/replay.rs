//! `veritrail replay CASE_ID`: a case's events step by step, with the state
//! after each one (AUD-3, investigations).

use std::fmt::Write as _;

use anyhow::Context;
use cqrs_es::Aggregate;
use time::format_description::well_known::Rfc3339;
use veritrail_domain::case::{upcasters, VerificationCase};
use veritrail_event_store::EventDatabase;

/// Renders the replay as text.
pub async fn replay(db: &EventDatabase, case_id: &str) -> anyhow::Result<String> {
    let events = db
        .read_stream(VerificationCase::TYPE, case_id)
        .await
        .context("cannot read the case stream")?;
    anyhow::ensure!(!events.is_empty(), "no case {case_id}");
    let upcasters = upcasters();
    let mut case = VerificationCase::default();
    let mut out = String::new();
    for event in &events {
        let payload = event
            .decode(&upcasters)
            .with_context(|| format!("event {} does not decode", event.sequence))?;
        case.apply(payload);
        let meta = |key: &str| {
            event
                .metadata
                .get(key)
                .and_then(|v| v.as_str())
                .unwrap_or("-")
        };
        let _ = writeln!(
            out,
            "#{seq} {at} {kind}:{actor} {etype} v{version} (global {global}, correlation {corr})",
            seq = event.sequence,
            at = event.recorded_at.format(&Rfc3339).unwrap_or_default(),
            kind = meta("actor_kind"),
            actor = meta("actor_id"),
            etype = event.event_type,
            version = event.event_version,
            global = event.global,
            corr = meta("correlation_id"),
        );
        let body = event
            .payload
            .get(&event.event_type)
            .unwrap_or(&event.payload);
        let _ = writeln!(out, "   payload: {body}");
        if let Some(opened) = case.opened() {
            let checks: Vec<String> = opened
                .checks
                .iter()
                .map(|(kind, record)| format!("{kind}={}#{}", record.state, record.attempt))
                .collect();
            let _ = writeln!(out, "   state:   {} | {}", opened.status, checks.join(" "));
        }
    }
    Ok(out)
}
