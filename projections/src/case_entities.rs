//! The entities a case affects, kept in `case_status.entities` (JSON) and in
//! `case_entities` (one row each, for "last active case of an entity").

use veritrail_domain::EntityId;

use crate::runtime::{ProjectionError, Tx};
use crate::{fetch_optional, run};

/// Adds `entities` to case `id` (already-linked ones are skipped).
pub(crate) async fn link(
    tx: &mut Tx<'_>,
    id: &str,
    entities: &[EntityId],
) -> Result<(), ProjectionError> {
    let select = "SELECT tenant_id, entities, opened_at_ms FROM case_status WHERE case_id = $1";
    let row: Option<(String, String, i64)> = fetch_optional!(tx, sqlx::query_as(select).bind(id))?;
    let Some((tenant, json, opened)) = row else {
        return Ok(());
    };
    let mut linked: Vec<String> = serde_json::from_str(&json).unwrap_or_default();
    for entity in entities {
        if !linked.iter().any(|e| e == entity.as_str()) {
            linked.push(entity.as_str().to_owned());
        }
        insert(tx, &tenant, entity.as_str(), id, opened).await?;
    }
    let json = serde_json::to_string(&linked).unwrap_or_else(|_| "[]".into());
    run!(
        tx,
        sqlx::query("UPDATE case_status SET entities = $2 WHERE case_id = $1")
            .bind(id)
            .bind(json)
    )?;
    Ok(())
}

/// Links `entity` to case `id` (opened at `opened_at_ms`), once.
pub(crate) async fn insert(
    tx: &mut Tx<'_>,
    tenant: &str,
    entity: &str,
    id: &str,
    opened_at_ms: i64,
) -> Result<(), sqlx::Error> {
    run!(
        tx,
        sqlx::query(
            "INSERT INTO case_entities (tenant_id, entity_id, case_id, opened_at_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING"
        )
        .bind(tenant)
        .bind(entity)
        .bind(id)
        .bind(opened_at_ms)
    )?;
    Ok(())
}
