//! Compiler layer of dslc: streams design rows and writes outputs atomically.

pub mod gen_id;
pub mod lock;
pub mod lower;
pub mod output;
pub mod plan;
pub mod rows;
pub mod store;
