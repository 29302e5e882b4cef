//! The processors of one instance: the pipeline feed (a projection runner)
//! and a few workers that claim case jobs, keep their lease alive while
//! they work, and complete, retry (with a growing delay) or park them.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use uuid::Uuid;
use veritrail_application::Services;
use veritrail_domain::case::ReminderPolicy;
use veritrail_event_store::subscription::{LogTail, Projection, Runner, RunnerConfig};
use veritrail_event_store::EventDatabase;

use crate::feed::PipelineFeed;
use crate::jobs::{Job, Jobs};
use crate::notices::{mailer, Mailer, NoticeFeed, NoticeSender};
use crate::pipeline::Pipeline;
use crate::timers::{TimerFeed, TimerWorker, Timers};
use crate::webhooks::{Dispatcher, WebhookFeed};

/// Settings (configuration keys `processor_*`).
#[derive(Debug, Clone)]
pub struct ProcessorConfig {
    /// Cases processed at once by this instance (their image work shares
    /// the compute pool).
    pub workers: usize,
    /// How long a claim lasts without renewal; renewed every third of it.
    pub lease: Duration,
    /// How often an idle worker looks for work.
    pub poll: Duration,
    /// Failed passes before a job is parked and its checks end `failed`.
    pub max_failures: i64,
    /// Delay before the first retry; doubles with each failure.
    pub backoff: Duration,
    /// The API's public address, for links in webhooks and officers' notices.
    pub public_url: String,
    /// Where invitation links point (`…?token=`), for individuals' notices.
    pub invitation_url: String,
    /// How long a check may process before it is escalated.
    pub escalate_after: Duration,
    /// When individuals whose case waits for them are reminded.
    pub reminders: ReminderPolicy,
}

impl Default for ProcessorConfig {
    fn default() -> Self {
        Self {
            workers: 2,
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(200),
            max_failures: 5,
            backoff: Duration::from_secs(1),
            public_url: String::new(),
            invitation_url: String::new(),
            escalate_after: Duration::from_secs(900),
            reminders: ReminderPolicy {
                after: time::Duration::days(2),
                interval: time::Duration::days(1),
                max: 3,
            },
        }
    }
}

/// The processors of one instance.
#[derive(Debug, Clone)]
pub struct Processors {
    db: EventDatabase,
    pipeline: Pipeline,
    jobs: Jobs,
    config: ProcessorConfig,
    instance: String,
    /// The instance's shared reader of the log, if it has one.
    tail: Option<Arc<LogTail>>,
}

impl Processors {
    pub fn new(
        db: EventDatabase,
        services: Arc<Services>,
        config: ProcessorConfig,
        instance: impl Into<String>,
    ) -> Self {
        Self {
            jobs: Jobs::new(db.clone(), config.lease),
            pipeline: Pipeline::new(services),
            db,
            config,
            instance: instance.into(),
            tail: None,
        }
    }

    /// Feeds read the log through the instance's shared `tail`.
    pub fn with_tail(mut self, tail: Arc<LogTail>) -> Self {
        self.tail = Some(tail);
        self
    }

    /// A feed's runner, named `{instance}/{checkpoint}`.
    fn runner<P: Projection>(&self, feed: P) -> Runner<P> {
        let config = RunnerConfig {
            poll_interval: self.config.poll,
            ..RunnerConfig::default()
        };
        let owner = format!("{}/{}", self.instance, feed.name());
        Runner::new(feed, self.db.clone(), config)
            .with_owner(owner)
            .with_tail(self.tail.clone())
    }

    pub fn config(&self) -> &ProcessorConfig {
        &self.config
    }

    pub fn jobs(&self) -> &Jobs {
        &self.jobs
    }

    /// The feed's runner (its checkpoint is `pipeline_feed`).
    pub fn feed(&self) -> Runner<PipelineFeed> {
        self.runner(PipelineFeed)
    }

    /// The webhook feed's runner (its checkpoint is `webhook_feed`).
    pub fn webhook_feed(&self) -> Runner<WebhookFeed> {
        let webhooks = &self.pipeline.services().webhooks;
        let feed = WebhookFeed::new(webhooks.clock().clone(), self.config.public_url.clone());
        self.runner(feed)
    }

    /// This instance's webhook dispatcher.
    pub fn dispatcher(&self) -> reqwest::Result<Dispatcher> {
        let webhooks = self.pipeline.services().webhooks.clone();
        let owner = format!("{}/webhooks", self.instance);
        Dispatcher::new(webhooks, owner, self.config.poll)
    }

    /// The timer feed's runner (its checkpoint is `timer_feed`).
    pub fn timer_feed(&self) -> Runner<TimerFeed> {
        self.runner(TimerFeed {
            escalate_after: self.config.escalate_after,
            reminders: self.config.reminders,
        })
    }

    /// This instance's timer worker.
    pub fn timer_worker(&self) -> TimerWorker {
        let services = Arc::new(self.pipeline.services().clone());
        let owner = format!("{}/timers", self.instance);
        TimerWorker::new(
            services,
            Timers::new(self.db.clone()),
            owner,
            self.config.poll,
            self.config.reminders,
        )
    }

    /// The notice feed's runner (its checkpoint is `notice_feed`).
    pub fn notice_feed(&self) -> Runner<NoticeFeed> {
        self.runner(NoticeFeed::new(self.pipeline.services().clock.clone()))
    }

    /// This instance's notice sender, through `mailer`.
    pub fn notice_sender(&self, mailer: Arc<dyn Mailer>) -> NoticeSender {
        NoticeSender::new(
            Arc::new(self.pipeline.services().clone()),
            mailer,
            format!("{}/notices", self.instance),
            self.config.poll,
            self.config.public_url.clone(),
            self.config.invitation_url.clone(),
        )
    }

    /// Starts the feeds, the workers, the timers, the webhook dispatcher
    /// and the notice sender.
    pub fn spawn(&self) -> Vec<JoinHandle<()>> {
        let mut tasks = vec![
            tokio::spawn(self.feed().run()),
            tokio::spawn(self.webhook_feed().run()),
            tokio::spawn(self.timer_feed().run()),
            tokio::spawn(self.timer_worker().run()),
            tokio::spawn(self.notice_feed().run()),
        ];
        match mailer(&self.pipeline.services().notifications.settings) {
            Ok(mailer) => tasks.push(tokio::spawn(self.notice_sender(mailer).run())),
            Err(error) => tracing::error!(%error, "notices cannot be sent: the mail settings"),
        }
        match self.dispatcher() {
            Ok(dispatcher) => tasks.push(tokio::spawn(dispatcher.run())),
            Err(error) => tracing::error!(%error, "webhooks cannot be delivered: no HTTP client"),
        }
        for i in 0..self.config.workers.max(1) {
            let this = self.clone();
            let owner = format!("{}/worker-{i}", self.instance);
            tasks.push(tokio::spawn(async move { this.work(owner).await }));
        }
        tracing::info!(instance = %self.instance, workers = self.config.workers, "processors started");
        tasks
    }

    async fn work(self, owner: String) {
        loop {
            match self.work_once(&owner).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "the work list is unavailable"),
            }
            tokio::time::sleep(self.config.poll).await;
        }
    }

    /// Claims and processes one job; false when there was none to claim.
    pub async fn work_once(&self, owner: &str) -> Result<bool, sqlx::Error> {
        let Some(job) = self.jobs.claim(owner).await? else {
            return Ok(false);
        };
        // One run per claim: a run that outlives its lease is told apart
        // from the one that took over.
        let run = format!("{owner}/{}", Uuid::now_v7());
        // Stops with this pass, even if the pass is cancelled: a dead
        // worker's lease must expire.
        let heartbeat = Heartbeat(tokio::spawn(keep_alive(
            self.jobs.clone(),
            job.clone(),
            owner.to_owned(),
        )));
        let outcome = self
            .pipeline
            .process(&job.tenant_id, &job.case_id, &run)
            .await;
        drop(heartbeat);
        match outcome {
            Ok(()) => self.jobs.complete(&job, owner).await?,
            Err(error) => self.failed(&job, owner, &run, &error.0).await?,
        }
        Ok(true)
    }

    async fn failed(
        &self,
        job: &Job,
        owner: &str,
        run: &str,
        error: &str,
    ) -> Result<(), sqlx::Error> {
        let failures = job.failures + 1;
        let park = failures >= self.config.max_failures;
        tracing::warn!(case = %job.case_id, failures, park, error, "processing a case failed");
        if park {
            if let Err(abandon) = self
                .pipeline
                .abandon(&job.tenant_id, &job.case_id, run, error)
                .await
            {
                tracing::error!(case = %job.case_id, error = %abandon, "a parked case could not be told");
            }
        }
        let exponent = u32::try_from(failures.clamp(0, 10)).unwrap_or(10);
        let delay = self.config.backoff * 2u32.pow(exponent.saturating_sub(1));
        self.jobs.release(job, owner, error, delay, park).await
    }

    /// Processes jobs until none is left to claim (tests, `veritrail process --once`).
    pub async fn drain(&self) -> Result<usize, sqlx::Error> {
        let owner = format!("{}/drain", self.instance);
        let mut done = 0;
        while self.work_once(&owner).await? {
            done += 1;
        }
        Ok(done)
    }
}

/// Renews a job's lease until dropped.
struct Heartbeat(JoinHandle<()>);

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn keep_alive(jobs: Jobs, job: Job, owner: String) {
    let every = jobs.lease() / 3;
    loop {
        tokio::time::sleep(every).await;
        match jobs.renew(&job, &owner).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(case = %job.case_id, "the job's lease was taken over");
                return;
            }
            Err(error) => tracing::warn!(%error, "the job's lease could not be renewed"),
        }
    }
}
