//! A real SMTP server for the notification tests: `aiosmtpd` (PyPI) on a
//! free loopback port, storing what it receives in a Maildir of its own;
//! the messages are read back and decoded by Python's `email` package
//! (scripts/check/read_maildir.py). The venv comes from scripts/lib/smtp.sh.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

#[derive(Debug)]
pub struct MailServer {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
}

fn python() -> String {
    std::env::var("VERITRAIL_SMTP_PYTHON").expect(
        "VERITRAIL_SMTP_PYTHON: the aiosmtpd venv's python (scripts/lib/smtp.sh, run by scripts/test.sh)",
    )
}

/// A loopback port nothing listens on (now).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

impl MailServer {
    /// Starts a server on a free port and waits until it accepts connections.
    pub async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    /// Starts a server on `port` (e.g. one a sender already points at).
    pub async fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().expect("a maildir");
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let server = Self { child, dir, port };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not listen on port {port}");
    }

    /// `smtp://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received, oldest first, decoded: `to`, `from`,
    /// `reply_to`, `subject`, `message_id`, `body`.
    pub fn messages(&self) -> Vec<Value> {
        let maildir = self.dir.path().join("mail");
        if !maildir.join("new").exists() {
            return Vec::new();
        }
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scripts/check/read_maildir.py"
        );
        let output = Command::new(python())
            .arg(script)
            .arg(&maildir)
            .output()
            .expect("read the maildir");
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice(&output.stdout).expect("messages as JSON")
    }

    /// Stops the server (connections are refused until one starts again).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.stop();
    }
}
