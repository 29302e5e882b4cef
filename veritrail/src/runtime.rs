//! Process-level settings that must be in place before libraries load.

use std::os::unix::process::CommandExt;

/// Tesseract's LSTM parallelises each line with OpenMP; on a small machine
/// serving concurrent requests that oversubscribes the cores and reads run
/// 2–3× slower (docs/benchmarks.md). libgomp reads `OMP_THREAD_LIMIT` once,
/// when it is loaded — before `main` — so when the variable is unset the
/// process executes itself again with `OMP_THREAD_LIMIT=1`. Parallelism
/// comes from reading rows and requests concurrently instead. Set the
/// variable yourself to choose otherwise.
pub fn limit_openmp_threads() {
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let error = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("OMP_THREAD_LIMIT", "1")
        .exec();
    // Only reached when the exec failed: carry on, slower.
    eprintln!("warning: could not restart with OMP_THREAD_LIMIT=1 ({error}); OCR will be slower");
}
