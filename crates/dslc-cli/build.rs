//! Embeds the diagnostic pages of `docs/diagnostics/` so `dslc explain` works from any directory,
//! and the commit and date of a build from git for `dslc --version`.

#[path = "build/git_version.rs"]
mod git_version;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    embed_version();
    let docs = manifest_dir().join("../../docs/diagnostics");
    println!("cargo:rerun-if-changed={}", docs.display());
    // Outside a checkout (a crate package, a Python sdist) the pages are missing, and a binary
    // whose `explain` knows no code would be broken: stop the build instead.
    assert!(
        docs.is_dir(),
        "{} is missing: build dslc from a checkout of its repository, whose docs/diagnostics holds the pages `dslc explain` embeds",
        docs.display()
    );
    let mut pages: Vec<(String, String)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&docs) {
        for entry in entries.flatten() {
            let path = entry.path();
            // Only pages named after a code are embedded; README.md is the index for browsing.
            let is_code_page = path.file_stem().and_then(|s| s.to_str()).is_some_and(|s| s.len() == 5 && s != "INDEX");
            if path.extension().is_some_and(|e| e == "md") && is_code_page {
                if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                    println!("cargo:rerun-if-changed={}", path.display());
                    pages.push((stem.to_string(), path.display().to_string()));
                }
            }
        }
    }
    pages.sort();
    let mut code = String::from(
        "/// (code, page) for every page in docs/diagnostics.\npub(crate) const PAGES: &[(&str, &str)] = &[\n",
    );
    for (stem, path) in pages {
        let _ = writeln!(code, "    ({stem:?}, include_str!({path:?})),");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("pages.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

/// Sets `DSLC_VERSION` for `dslc --version`: the commit and date when the workspace is a git
/// checkout and git runs, else the plain package version (an exported tarball, no git).
fn embed_version() {
    let workspace = manifest_dir().join("../..");
    let commit = git_version::commit("git".as_ref(), &workspace);
    for path in commit.iter().flat_map(|commit| &commit.watched) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let version = git_version::version_text(env!("CARGO_PKG_VERSION"), commit.as_ref());
    println!("cargo:rustc-env=DSLC_VERSION={version}");
}

/// The crate's directory as cargo gives it to this run. Not `env!`: cargo hashes workspace
/// crates by their relative path, so two checkouts sharing one target directory share this
/// compiled script, and a path baked in at compile time would name the other checkout.
fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR for build scripts"))
}
