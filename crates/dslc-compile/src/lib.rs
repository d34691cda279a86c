//! Compiler layer of dslc: plans a checked spec (and reports what stops a compile, as
//! diagnostics), streams design rows, writes outputs atomically, and reads compiled cohorts back.

pub mod diagnostics;
pub mod evaluations;
pub mod gen_id;
pub mod lock;
pub mod lookups;
pub mod lower;
pub mod membership;
pub mod origins;
pub mod output;
pub mod plan;
pub mod rows;
pub mod shuffle;
pub mod store;
