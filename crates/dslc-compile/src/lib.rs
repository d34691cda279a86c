//! Compiler layer of dslc: streams design rows and writes outputs atomically.

pub mod output;
pub mod rows;
