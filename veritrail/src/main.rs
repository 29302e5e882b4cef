//! `veritrail` — the service binary. Thin: parse arguments, compose, run.

use clap::Parser;
use veritrail::{cli, runtime, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    runtime::limit_openmp_threads();
    telemetry::init();
    let cli = cli::Cli::parse();
    if let Err(error) = cli.run().await {
        tracing::error!(
            error = format!("{error:#}"),
            "veritrail stopped on an error"
        );
        return Err(error);
    }
    Ok(())
}
