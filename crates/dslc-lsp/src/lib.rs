//! The dslc language server: LSP over stdio for cohort specs. Only this crate knows LSP types;
//! the checker's byte offsets become positions here (`position`), and every request is answered
//! by `dslc-ide` through one handler each (`handlers`).

pub mod client;
mod convert;
pub mod framing;
mod handlers;
pub mod position;
mod resync;
mod server;
mod watch;

pub use server::serve;

/// Runs the server on stdin/stdout until the client sends `exit` (or closes stdin). Returns
/// whether `shutdown` came first, which decides the exit code.
pub fn run() -> std::io::Result<bool> {
    // One thread: requests are handled one at a time, so the database needs no snapshots and a
    // setter never waits for (or cancels) a running query.
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let clean = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // A blocking read of stdin may still be pending; do not wait for it.
    runtime.shutdown_background();
    Ok(clean)
}
