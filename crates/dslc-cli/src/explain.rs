//! `dslc explain CODE`: prints the documentation page of a diagnostic code.

use dslc_db::diagnostic::did_you_mean;
use dslc_syntax::codes;

mod pages {
    include!(concat!(env!("OUT_DIR"), "/pages.rs"));
}

/// The page for `code`, if it is a known code with a page.
pub(crate) fn page(code: &str) -> Option<&'static str> {
    let code = codes::lookup(code)?;
    pages::PAGES.iter().find(|(id, _)| *id == code.id).map(|(_, page)| *page)
}

pub(crate) fn run(code: &str) -> i32 {
    match page(code) {
        Some(text) => {
            print!("{text}");
            0
        }
        None => {
            let ids: Vec<&str> = codes::ALL.iter().map(|c| c.id).collect();
            let suggestions = did_you_mean(&code.to_ascii_uppercase(), ids);
            eprintln!("error: `{code}` is not a dslc diagnostic code");
            if !suggestions.is_empty() {
                eprintln!("help: did you mean {}?", suggestions.join(", "));
            } else {
                eprintln!("help: codes look like E0101 or W0402; `dslc explain --list` lists them all");
            }
            2
        }
    }
}

/// Prints every code with its severity and title.
pub(crate) fn list() -> i32 {
    for code in codes::ALL {
        println!("{}  {:<7}  {}", code.id, code.severity.as_str(), code.title);
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_page_and_every_page_a_code() {
        for code in codes::ALL {
            let page = page(code.id).unwrap_or_else(|| panic!("docs/diagnostics/{}.md is missing", code.id));
            assert!(page.starts_with(&format!("# {}", code.id)), "{} page starts with its heading", code.id);
        }
        for (id, _) in pages::PAGES {
            assert!(codes::lookup(id).is_some(), "docs/diagnostics/{id}.md documents no code");
        }
    }
}
