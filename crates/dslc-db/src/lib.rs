//! Semantic layer of dslc: salsa inputs and queries over spec files, their includes and the
//! project; the analysis of axes and rules into a product design; every check's diagnostics.

pub mod catalog;
pub mod catalog_check;
pub mod db;
pub mod diagnostic;
pub mod files;
pub mod interner;
pub mod names;
pub mod project;
pub mod root;
pub mod semantics;
pub mod spans;
pub mod stage;
pub mod table;
pub mod why;

pub use db::{
    analyze, check, counts, describe_count, parse, Counts, Database, Db, Directory, FileContents, FileStatus,
    SourceFile,
};
pub use diagnostic::{Diagnostic, FilePath, Fix, Label};
pub use files::{FileSystem, MemoryFileSystem, OsFileSystem};
pub use semantics::{Analysis, Design, ReusePolicy};
