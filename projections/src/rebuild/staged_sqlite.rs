//! Staged tables for bulk rebuilds on SQLite (issue 17, ADR 0020): the rows
//! are written into a fresh `{table}__rebuild` in the main database, batch
//! by batch (each a short write transaction, so commands interleave), and
//! the swap transaction drops the live table, renames the staged one and
//! creates the live table's indexes on it under their own names (SQLite
//! cannot rename an index, so they are built there, once each).

use sqlx::{Row, SqlitePool};

use crate::runtime::Tx;

const SUFFIX: &str = "__rebuild";

/// A live table's staged copy, and the indexes the swap creates.
#[derive(Debug)]
pub(crate) struct SqliteStaged {
    pub table: &'static str,
    /// `CREATE INDEX` statements of the live table.
    indexes: Vec<String>,
}

impl SqliteStaged {
    pub fn name(&self) -> String {
        format!("{}{SUFFIX}", self.table)
    }
}

/// The column list and constraints of `table`'s own `CREATE TABLE`
/// (everything after its first parenthesis, the closing one included).
pub(crate) async fn table_body<'e, E>(executor: E, table: &str) -> Result<String, sqlx::Error>
where
    E: sqlx::SqliteExecutor<'e>,
{
    let ddl: String =
        sqlx::query("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = $1")
            .bind(table)
            .fetch_one(executor)
            .await?
            .get(0);
    ddl.split_once('(')
        .map(|(_, rest)| rest.to_owned())
        .ok_or_else(|| sqlx::Error::Protocol(format!("unexpected DDL for {table}")))
}

/// Creates `table`'s empty staged copy from its own `CREATE TABLE`,
/// replacing one left by an interrupted rebuild.
pub(crate) async fn stage(
    pool: &SqlitePool,
    table: &'static str,
) -> Result<SqliteStaged, sqlx::Error> {
    let body = table_body(pool, table).await?;
    let indexes = sqlx::query(
        "SELECT sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL",
    )
    .bind(table)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    let staged = format!("{table}{SUFFIX}");
    sqlx::query(&format!("DROP TABLE IF EXISTS main.{staged}"))
        .execute(pool)
        .await?;
    sqlx::query(&format!("CREATE TABLE main.{staged} ({body}"))
        .execute(pool)
        .await?;
    Ok(SqliteStaged { table, indexes })
}

/// In the swap transaction: the live table goes, the staged one takes its
/// name and gets the live table's indexes.
pub(crate) async fn swap_in(tx: &mut Tx<'_>, staged: &SqliteStaged) -> Result<(), sqlx::Error> {
    let table = staged.table;
    let mut statements = vec![
        format!("DROP TABLE main.{table}"),
        format!("ALTER TABLE main.{} RENAME TO {table}", staged.name()),
    ];
    statements.extend(staged.indexes.iter().cloned());
    for sql in statements {
        crate::run!(&mut *tx, sqlx::query(&sql))?;
    }
    Ok(())
}
