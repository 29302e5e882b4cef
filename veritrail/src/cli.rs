//! Command line: `serve`, `process`, `migrate`, `demo`, `openapi`, `replay`,
//! `bootstrap`, `rotate-signing-key`, `projections`.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::app::{open_database, Application};
use crate::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "veritrail",
    version,
    about = "Event-sourced identity-verification case service"
)]
pub struct Cli {
    /// TOML configuration file (layered over defaults, under VERITRAIL_* variables).
    #[arg(long, global = true, env = "VERITRAIL_CONFIG")]
    config: Option<PathBuf>,

    /// `postgres://…` for PostgreSQL, or `sqlite://FILE` for the embedded store.
    #[arg(long, global = true)]
    database_url: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service (migrates the database first).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Run only the processors (no HTTP): submitted cases' checks, scores
    /// and decisions. Several instances share the work on PostgreSQL.
    Process {
        /// Process what is pending now, then exit.
        #[arg(long)]
        once: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Load sample tenants and cases at every stage, so there is data to look at.
    Demo,
    /// Print the OpenAPI 3.1 document.
    Openapi,
    /// Print a case's events step by step with the state after each (investigations).
    Replay {
        /// The case id.
        case_id: String,
    },
    /// Open the platform tenant (if missing) and register an operator client;
    /// prints its credentials once. Operators then open tenants and clients
    /// over `/operator/...`.
    Bootstrap {
        /// The platform tenant's id.
        #[arg(long, default_value = "platform")]
        tenant: String,
    },
    /// Rotate the token signing key: a new key signs from now on; keys
    /// superseded longer ago than a token lives are retired.
    RotateSigningKey,
    /// Projection maintenance.
    Projections {
        #[command(subcommand)]
        command: ProjectionsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ProjectionsCommand {
    /// Rebuild read models from the event log into shadow tables and swap them
    /// in atomically (readers keep the old data until the swap).
    Rebuild {
        /// Only this projection (default: all).
        name: Option<String>,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Show each projection's checkpoint, applied count and parked events.
    Status,
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        let mut config = Config::load(self.config.as_deref()).context("invalid configuration")?;
        if let Some(url) = self.database_url {
            config.database_url = url;
        }
        match self.command {
            Command::Openapi => {
                println!("{}", veritrail_command_api::http::openapi_json());
                Ok(())
            }
            Command::Migrate => {
                let db =
                    open_database(&config.database_url(), config.database_max_connections).await?;
                tracing::info!(backend = ?db.backend(), "database migrated");
                Ok(())
            }
            Command::Demo => {
                let db =
                    open_database(&config.database_url(), config.database_max_connections).await?;
                let options = crate::demo::DemoOptions {
                    credentials_file: config.data_dir().join("demo-credentials.json"),
                    base_url: config.base_url(config.bind_port()),
                    secrets_key: config.secrets_key().map(str::to_owned),
                };
                println!("database: {}", config.database_shown());
                let summary = crate::demo::load(db, &options).await?;
                println!("{summary}");
                Ok(())
            }
            Command::Bootstrap { tenant } => {
                let db =
                    open_database(&config.database_url(), config.database_max_connections).await?;
                let credentials =
                    crate::bootstrap::operator(&db, &tenant, config.secrets_key()).await?;
                println!(
                    "database: {}\noperator client for tenant {tenant} (the secret is shown once):\nclient_id={}\nclient_secret={}",
                    config.database_shown(),
                    credentials.client_id,
                    credentials.client_secret
                );
                Ok(())
            }
            Command::RotateSigningKey => {
                let db =
                    open_database(&config.database_url(), config.database_max_connections).await?;
                let vault =
                    veritrail_application::auth::Vault::open(db.clone(), config.secrets_key())
                        .await?;
                let keys =
                    veritrail_application::auth::SigningKeys::load_or_create(db, Arc::new(vault))
                        .await?;
                let ttl = time::Duration::minutes(i64::from(config.token_ttl_minutes));
                let kid = keys.rotate_and_retire(ttl).await?;
                let published: Vec<String> = keys.all().into_iter().map(|k| k.kid).collect();
                println!("new signing key {kid}; published: {}", published.join(", "));
                Ok(())
            }
            Command::Replay { case_id } => {
                let db =
                    open_database(&config.database_url(), config.database_max_connections).await?;
                print!("{}", crate::replay::replay(&db, &case_id).await?);
                Ok(())
            }
            Command::Projections { command } => {
                let db =
                    open_database(&config.database_url(), config.database_max_connections).await?;
                match command {
                    ProjectionsCommand::Rebuild { name, quiet } => {
                        let names: Vec<&str> = match name.as_deref() {
                            Some(name) => vec![name],
                            None => veritrail_projections::ALL.to_vec(),
                        };
                        for name in names {
                            let report = crate::rebuild::rebuild(&db, name, !quiet).await?;
                            println!("{report}");
                        }
                    }
                    ProjectionsCommand::Status => print!("{}", crate::rebuild::status(&db).await?),
                }
                Ok(())
            }
            Command::Process { once } => {
                let done = crate::process::run(&config, once).await?;
                if once {
                    println!("processed {done} case jobs");
                }
                Ok(())
            }
            Command::Serve { bind } => {
                if let Some(bind) = bind {
                    config.bind = bind;
                }
                tracing::info!(?config, "starting");
                let app = Application::build(&config).await?;
                tracing::info!(port = app.port(), "veritrail is serving");
                app.run().await.context("HTTP server failed")
            }
        }
    }
}
