//! Writing many rows at once into a rebuild's shadow tables: `COPY … FROM
//! STDIN` on PostgreSQL, multi-row `INSERT`s on SQLite.

use crate::runtime::Tx;

/// A value of a row to write.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<String> for Cell {
    fn from(value: String) -> Self {
        Cell::Text(Some(value))
    }
}

impl From<&str> for Cell {
    fn from(value: &str) -> Self {
        Cell::Text(Some(value.to_owned()))
    }
}

impl From<Option<String>> for Cell {
    fn from(value: Option<String>) -> Self {
        Cell::Text(value)
    }
}

impl From<i64> for Cell {
    fn from(value: i64) -> Self {
        Cell::Int(Some(value))
    }
}

impl From<Option<i64>> for Cell {
    fn from(value: Option<i64>) -> Self {
        Cell::Int(value)
    }
}

/// Rows per COPY message, and the most bound values per SQLite statement.
const COPY_CHUNK: usize = 2_000;
const SQLITE_VALUES: usize = 30_000;

/// Writes `rows` (each with one cell per column) into `table` within `tx`.
pub(crate) async fn write_rows(
    tx: &mut Tx<'_>,
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<u64, sqlx::Error> {
    let list = columns.join(", ");
    match tx {
        Tx::Postgres(c) => {
            let mut copy = c
                .copy_in_raw(&format!("COPY {table} ({list}) FROM STDIN"))
                .await?;
            let mut buffer = String::new();
            let mut pending = 0;
            for row in rows {
                copy_line(&mut buffer, &row);
                pending += 1;
                if pending == COPY_CHUNK {
                    copy.send(std::mem::take(&mut buffer).into_bytes()).await?;
                    pending = 0;
                }
            }
            if !buffer.is_empty() {
                copy.send(buffer.into_bytes()).await?;
            }
            copy.finish().await
        }
        Tx::Sqlite(c) => {
            let per_statement = (SQLITE_VALUES / columns.len().max(1)).max(1);
            let mut written = 0;
            let mut rows = rows.into_iter().peekable();
            while rows.peek().is_some() {
                let chunk: Vec<Vec<Cell>> = rows.by_ref().take(per_statement).collect();
                let one = format!("({})", vec!["?"; columns.len()].join(", "));
                let sql = format!(
                    "INSERT INTO {table} ({list}) VALUES {}",
                    vec![one.as_str(); chunk.len()].join(", ")
                );
                let mut query = sqlx::query(&sql);
                for cell in chunk.into_iter().flatten() {
                    query = match cell {
                        Cell::Text(v) => query.bind(v),
                        Cell::Int(v) => query.bind(v),
                    };
                }
                written += query.execute(&mut **c).await?.rows_affected();
            }
            Ok(written)
        }
    }
}

/// One row in COPY's text format.
fn copy_line(buffer: &mut String, row: &[Cell]) {
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            buffer.push('\t');
        }
        match cell {
            Cell::Text(None) | Cell::Int(None) => buffer.push_str("\\N"),
            Cell::Int(Some(n)) => buffer.push_str(&n.to_string()),
            Cell::Text(Some(text)) => {
                for ch in text.chars() {
                    match ch {
                        '\\' => buffer.push_str("\\\\"),
                        '\n' => buffer.push_str("\\n"),
                        '\r' => buffer.push_str("\\r"),
                        '\t' => buffer.push_str("\\t"),
                        other => buffer.push(other),
                    }
                }
            }
        }
    }
    buffer.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_lines_escape_what_the_text_format_reserves() {
        let mut line = String::new();
        copy_line(
            &mut line,
            &[
                Cell::from("a\tb\\c\nd"),
                Cell::Int(None),
                Cell::from(7),
                Cell::Text(None),
            ],
        );
        assert_eq!(line, "a\\tb\\\\c\\nd\t\\N\t7\t\\N\n");
    }
}
