//! ONNX Runtime, loaded at run time from the library the setup script took
//! out of the PyPI wheel, and pools of sessions shared by every request.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;

use crate::FaceError;

/// The library file inside the models directory.
pub const ORT_LIBRARY: &str = "libonnxruntime.so.1.32.0";

static RUNTIME: OnceLock<Result<Environment, String>> = OnceLock::new();

/// Loads ONNX Runtime once per process (later calls reuse the first result).
pub fn environment(dir: &Path) -> Result<&'static Environment, FaceError> {
    let loaded = RUNTIME.get_or_init(|| {
        let library = std::env::var_os("ORT_DYLIB_PATH")
            .map(PathBuf::from)
            .unwrap_or_else(|| dir.join(ORT_LIBRARY));
        if !library.is_file() {
            return Err(format!(
                "ONNX Runtime library not found at {}: run scripts/fetch-models.sh (it takes it out of the onnxruntime wheel on PyPI)",
                library.display()
            ));
        }
        ort::init_from(&library)
            .map_err(|e| format!("cannot load ONNX Runtime from {}: {e}", library.display()))?
            .with_name("veritrail")
            .build()
            .map_err(|e| format!("cannot start ONNX Runtime: {e}"))
    });
    loaded
        .as_ref()
        .map_err(|message| FaceError::Runtime(message.clone()))
}

/// A few sessions of one model; a run takes the next one in turn.
pub struct Pool {
    name: &'static str,
    sessions: Vec<Mutex<Session>>,
    next: AtomicUsize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("model", &self.name)
            .field("sessions", &self.sessions.len())
            .finish()
    }
}

impl Pool {
    /// Opens `size` sessions of the model file `file` in `dir`.
    pub fn open(
        env: &Environment,
        dir: &Path,
        name: &'static str,
        file: &str,
        size: usize,
    ) -> Result<Self, FaceError> {
        let path = dir.join(file);
        if !path.is_file() {
            return Err(FaceError::Runtime(format!(
                "model {name} not found at {}: run scripts/fetch-models.sh",
                path.display()
            )));
        }
        let open = || -> Result<Session, String> {
            Session::builder(env)
                .map_err(|e| e.to_string())?
                .with_optimization_level(GraphOptimizationLevel::Level3)
                .map_err(|e| e.to_string())?
                .with_intra_threads(1)
                .map_err(|e| e.to_string())?
                .commit_from_file(&path)
                .map_err(|e| e.to_string())
        };
        let sessions = (0..size.max(1))
            .map(|_| {
                open().map(Mutex::new).map_err(|e| {
                    FaceError::Runtime(format!(
                        "cannot load model {name} ({}): {e}",
                        path.display()
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            name,
            sessions,
            next: AtomicUsize::new(0),
        })
    }

    /// Runs `f` with one of the sessions.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Session) -> Result<T, ort::Error>,
    ) -> Result<T, FaceError> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.sessions.len();
        let mut session = self.sessions[i]
            .lock()
            .map_err(|_| FaceError::Runtime(format!("model {} is unusable", self.name)))?;
        f(&mut session).map_err(|e| FaceError::Inference(format!("{}: {e}", self.name)))
    }
}
