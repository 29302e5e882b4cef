//! Command line: `serve` and `migrate`.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use veritrail_command_api::application::{CaseService, RandomIds, SystemClock};
use veritrail_command_api::http::{server, AppState};
use veritrail_event_store::EventDatabase;

/// The embedded default: a SQLite file in the working directory.
const DEFAULT_DATABASE_URL: &str = "sqlite://.veritrail/veritrail.db";

#[derive(Debug, Parser)]
#[command(
    name = "veritrail",
    version,
    about = "Event-sourced identity-verification case service"
)]
pub struct Cli {
    /// `postgres://…` for PostgreSQL, or `sqlite://FILE` for the embedded store.
    #[arg(long, global = true, env = "VERITRAIL_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,

    /// Connection pool size.
    #[arg(
        long,
        global = true,
        env = "VERITRAIL_DATABASE_MAX_CONNECTIONS",
        default_value_t = 10
    )]
    max_connections: u32,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service (migrates the database first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "VERITRAIL_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
    },
    /// Apply database migrations and exit.
    Migrate,
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        let db = connect(&self.database_url, self.max_connections).await?;
        match self.command {
            Command::Migrate => {
                tracing::info!(backend = ?db.backend(), "database migrated");
                Ok(())
            }
            Command::Serve { bind } => {
                let listener =
                    TcpListener::bind(&bind).with_context(|| format!("cannot listen on {bind}"))?;
                let address = listener.local_addr()?;
                let cases = CaseService::new(db, Arc::new(SystemClock), Arc::new(RandomIds));
                tracing::info!(%address, "veritrail is serving");
                server(
                    listener,
                    AppState {
                        cases: Arc::new(cases),
                    },
                )?
                .await
                .context("HTTP server failed")
            }
        }
    }
}

async fn connect(url: &str, max_connections: u32) -> anyhow::Result<EventDatabase> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
    }
    let db = EventDatabase::connect(url, max_connections)
        .await
        .context("cannot open the event store")?;
    db.migrate()
        .await
        .context("cannot migrate the event store")?;
    Ok(db)
}
