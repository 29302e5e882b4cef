//! `veritrail process`: the processors alone, without the HTTP API — for
//! instances that only run checks. Any number of them share the work on
//! one PostgreSQL store (jobs are leased; a case is processed by one at a
//! time, and a check's result is recorded once), fire timers, deliver
//! webhooks and send notices.

use std::sync::Arc;

use anyhow::Context;
use veritrail_application::SystemClock;
use veritrail_processors::Processors;

use crate::app::open_database;
use crate::config::Config;

/// Runs until SIGINT or SIGTERM; with `once`, processes what is pending
/// now and returns how many jobs it ran.
pub async fn run(config: &Config, once: bool) -> anyhow::Result<usize> {
    let db = open_database(&config.database_url(), config.database_max_connections).await?;
    let (services, _) =
        crate::wiring::services(config, &db, Arc::new(SystemClock), config.bind_port()).await?;
    let instance = format!("{}/process-{}", config.instance_id(0), std::process::id());
    let processors = Processors::new(
        db,
        services,
        crate::wiring::processor_config(config, config.bind_port()),
        instance,
    );
    if once {
        processors
            .feed()
            .catch_up()
            .await
            .context("the pipeline feed cannot catch up")?;
        let done = processors.drain().await.context("the work list")?;
        processors
            .webhook_feed()
            .catch_up()
            .await
            .context("the webhook feed cannot catch up")?;
        let dispatcher = processors.dispatcher().context("the webhook client")?;
        dispatcher.deliver_due().await.context("webhook delivery")?;
        processors
            .notice_feed()
            .catch_up()
            .await
            .context("the notice feed cannot catch up")?;
        let mailer = veritrail_processors::notices::mailer(&config.mail).context("smtp_url")?;
        let sender = processors.notice_sender(mailer);
        sender.send_due().await.context("notices")?;
        return Ok(done);
    }
    let tasks = processors.spawn();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot watch for SIGTERM")?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    tracing::info!("stopping the processors; unfinished jobs are resumed after their lease");
    for task in tasks {
        task.abort();
    }
    Ok(0)
}
