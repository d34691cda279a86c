//! Embeds the diagnostic pages of `docs/diagnostics/` so `dslc explain` works from any directory.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/diagnostics");
    println!("cargo:rerun-if-changed={}", docs.display());
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
    let mut code =
        String::from("/// (code, page) for every page in docs/diagnostics.\npub const PAGES: &[(&str, &str)] = &[\n");
    for (stem, path) in pages {
        let _ = writeln!(code, "    ({stem:?}, include_str!({path:?})),");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("pages.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
