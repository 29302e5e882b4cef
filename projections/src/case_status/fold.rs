//! The case-status read model folded in memory, for bulk rebuilds (issue
//! 17): each case's rows are built from its events exactly as the live
//! projection's statements build them (`mod.rs`, `change.rs`), then written
//! at once. The live projection and this fold must agree row for row; the
//! suite checks it (`projections::crash_rebuild`, `rebuild`) on both
//! backends.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use veritrail_domain::case::{CaseEvent, CheckState};
use veritrail_event_store::RecordedEvent;

use super::decode;
use super::rows::{CaseRow, CheckRow};
use crate::runtime::ProjectionError;
use crate::{day, millis};

/// A case's rows.
#[derive(Debug, Clone)]
pub struct CaseRows {
    pub case: CaseRow,
    pub checks: Vec<CheckRow>,
}

/// The whole read model, in memory.
#[derive(Debug, Default)]
pub struct Folded {
    pub cases: HashMap<String, CaseRows>,
    /// `case_entities`: (tenant, entity, case), each once, with the case's
    /// opening time.
    pub entities: HashMap<(String, String, String), i64>,
    /// `dashboard_money`: (tenant, metric, currency) → (cases, total).
    pub money: BTreeMap<(String, &'static str, String), (i64, Decimal)>,
}

impl Folded {
    /// Folds one event of the log (events of other aggregates are ignored).
    pub fn apply(&mut self, event: &RecordedEvent) -> Result<(), ProjectionError> {
        if event.aggregate_type != "VerificationCase" {
            return Ok(());
        }
        let id = event.aggregate_id.as_str();
        let at = millis(crate::occurred_at(event));
        match decode(event)? {
            CaseEvent::CaseOpened {
                tenant,
                subject,
                checks,
                entities,
                restart,
                opened_at,
                ..
            } => {
                if self.cases.contains_key(id) {
                    return Ok(());
                }
                let entities: Vec<String> =
                    entities.iter().map(|e| e.as_str().to_owned()).collect();
                for entity in &entities {
                    let link = (tenant.as_str().to_owned(), entity.clone(), id.to_owned());
                    self.entities.insert(link, millis(opened_at));
                }
                let case = CaseRow {
                    case_id: id.to_owned(),
                    tenant_id: tenant.as_str().to_owned(),
                    subject_id: subject.id.as_str().to_owned(),
                    subject_name: subject.display_name.as_ref().map(|n| n.to_string()),
                    status: "PENDING_ORG",
                    entities,
                    restart: restart.as_ref().and_then(|r| serde_json::to_string(r).ok()),
                    opened_at_ms: millis(opened_at),
                    updated_at_ms: at,
                    version: event.sequence,
                    check_outcome: "pending",
                    opened_day: day(opened_at),
                    ..CaseRow::default()
                };
                let mut rows: Vec<CheckRow> = Vec::new();
                for (position, check) in checks.iter().enumerate() {
                    if rows.iter().any(|r| r.check_kind == check.as_str()) {
                        continue;
                    }
                    rows.push(CheckRow {
                        check_kind: check.as_str().to_owned(),
                        state: CheckState::Requested.as_str(),
                        attempt: 1,
                        position: i64::try_from(position).unwrap_or_default(),
                        ..CheckRow::default()
                    });
                }
                self.cases
                    .insert(id.to_owned(), CaseRows { case, checks: rows });
            }
            other => {
                let Some(rows) = self.cases.get_mut(id) else {
                    return Ok(());
                };
                if rows.case.version >= event.sequence {
                    return Ok(());
                }
                rows.case.version = event.sequence;
                rows.case.updated_at_ms = at;
                let effect = rows.change(at, other);
                let (tenant, opened) = (rows.case.tenant_id.clone(), rows.case.opened_at_ms);
                let completed = effect.completed.then(|| rows.case.clone());
                for entity in effect.linked {
                    let link = (tenant.clone(), entity, id.to_owned());
                    self.entities.entry(link).or_insert(opened);
                }
                if let Some(case) = completed {
                    self.add_money(&case)?;
                }
            }
        }
        Ok(())
    }

    /// A completed case's amounts, added to its tenant's totals.
    fn add_money(&mut self, case: &CaseRow) -> Result<(), ProjectionError> {
        for (metric, amount, currency) in [
            (
                "requested_amount",
                &case.requested_amount,
                &case.requested_currency,
            ),
            (
                "declared_income",
                &case.declared_income,
                &case.income_currency,
            ),
        ] {
            let (Some(amount), Some(currency)) = (amount, currency) else {
                continue;
            };
            let amount: Decimal = amount
                .parse()
                .map_err(|e| ProjectionError::Other(format!("stored amount {amount:?}: {e}")))?;
            let key = (case.tenant_id.clone(), metric, currency.clone());
            let entry = self.money.entry(key).or_insert((0, Decimal::ZERO));
            entry.0 += 1;
            entry.1 += amount;
        }
        Ok(())
    }
}
