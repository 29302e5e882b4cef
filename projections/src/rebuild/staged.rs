//! Staged tables for bulk rebuilds on PostgreSQL (issue 17, ADR 0019): a
//! read model's rows are copied into a fresh table without indexes
//! (`{table}__rebuild`), its indexes are then built in one pass each, and
//! the swap transaction drops the live table and renames the staged one and
//! its indexes into place. Loading a fresh table and sorting each index
//! once is several times faster than deleting the live rows and inserting
//! into every live index; readers keep the old table until the swap
//! commits (the swap waits for their statements, then they see the new
//! table, resolved again by name).

use sqlx::{PgPool, Row};

use crate::runtime::Tx;

const SUFFIX: &str = "__rebuild";
/// PostgreSQL's longest identifier, in bytes.
const MAX_NAME: usize = 63;

/// A live table's staged copy, and what the swap renames.
#[derive(Debug)]
pub(crate) struct Staged {
    pub table: &'static str,
    /// Plain indexes of the live table: (name, definition).
    indexes: Vec<(String, String)>,
    /// Primary-key and unique constraints: (name, definition).
    constraints: Vec<(String, String)>,
}

impl Staged {
    /// The staged table's name.
    pub fn name(&self) -> String {
        format!("{}{SUFFIX}", self.table)
    }
}

fn staged_name(name: &str) -> Result<String, sqlx::Error> {
    let staged = format!("{name}{SUFFIX}");
    if staged.len() > MAX_NAME {
        return Err(sqlx::Error::Protocol(format!(
            "cannot stage {name}: {staged} is longer than {MAX_NAME} bytes"
        )));
    }
    Ok(staged)
}

/// (name, definition) pairs the catalogue query `sql` gives for `table`.
async fn names_and_definitions(
    pool: &PgPool,
    sql: &str,
    table: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(sql).bind(table).fetch_all(pool).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Creates `table`'s empty staged copy (columns, defaults and checks, no
/// indexes), replacing one left by an interrupted rebuild.
pub(crate) async fn stage(pool: &PgPool, table: &'static str) -> Result<Staged, sqlx::Error> {
    let staged = staged_name(table)?;
    let constraints = names_and_definitions(
        pool,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
          WHERE conrelid = ('public.' || $1)::regclass AND contype IN ('p', 'u')",
        table,
    )
    .await?;
    let indexes = names_and_definitions(
        pool,
        "SELECT i.indexname, i.indexdef FROM pg_indexes i
          WHERE i.schemaname = 'public' AND i.tablename = $1
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                             WHERE c.conrelid = ('public.' || $1)::regclass
                               AND c.conname = i.indexname)",
        table,
    )
    .await?;
    for (name, _) in indexes.iter().chain(&constraints) {
        staged_name(name)?;
    }
    sqlx::query(&format!("DROP TABLE IF EXISTS public.{staged}"))
        .execute(pool)
        .await?;
    sqlx::query(&format!(
        "CREATE TABLE public.{staged} (LIKE public.{table} INCLUDING ALL EXCLUDING INDEXES)"
    ))
    .execute(pool)
    .await?;
    Ok(Staged {
        table,
        indexes,
        constraints,
    })
}

/// Builds the staged table's indexes and constraints, under staged names.
pub(crate) async fn build_indexes(pool: &PgPool, staged: &Staged) -> Result<(), sqlx::Error> {
    let (table, name) = (staged.table, staged.name());
    for (constraint, definition) in &staged.constraints {
        let sql = format!(
            "ALTER TABLE public.{name} ADD CONSTRAINT {} {definition}",
            staged_name(constraint)?
        );
        sqlx::query(&sql).execute(pool).await?;
    }
    for (index, definition) in &staged.indexes {
        let live = format!(" {index} ON public.{table} ");
        let moved = format!(" {} ON public.{name} ", staged_name(index)?);
        if !definition.contains(&live) {
            return Err(sqlx::Error::Protocol(format!(
                "unexpected definition of index {index}: {definition}"
            )));
        }
        sqlx::query(&definition.replacen(&live, &moved, 1))
            .execute(pool)
            .await?;
    }
    sqlx::query(&format!("ANALYZE public.{name}"))
        .execute(pool)
        .await?;
    Ok(())
}

/// In the swap transaction: the live table goes, the staged one takes its
/// name, and its indexes and constraints theirs.
pub(crate) async fn swap_in(tx: &mut Tx<'_>, staged: &Staged) -> Result<(), sqlx::Error> {
    let (table, name) = (staged.table, staged.name());
    let mut statements = vec![
        format!("DROP TABLE public.{table}"),
        format!("ALTER TABLE public.{name} RENAME TO {table}"),
    ];
    for (index, _) in &staged.indexes {
        statements.push(format!(
            "ALTER INDEX public.{} RENAME TO {index}",
            staged_name(index)?
        ));
    }
    for (constraint, _) in &staged.constraints {
        statements.push(format!(
            "ALTER TABLE public.{table} RENAME CONSTRAINT {} TO {constraint}",
            staged_name(constraint)?
        ));
    }
    for sql in statements {
        crate::run!(&mut *tx, sqlx::query(&sql))?;
    }
    Ok(())
}

/// Deletes the rows of `cases` from a staged table (to write them again).
pub(crate) async fn delete_cases(
    tx: &mut Tx<'_>,
    name: &str,
    cases: &[String],
) -> Result<(), sqlx::Error> {
    let Tx::Postgres(c) = tx else {
        return Err(sqlx::Error::Protocol(
            "staged tables are PostgreSQL's".into(),
        ));
    };
    sqlx::query(&format!(
        "DELETE FROM public.{name} WHERE case_id = ANY($1)"
    ))
    .bind(cases)
    .execute(&mut **c)
    .await?;
    Ok(())
}
