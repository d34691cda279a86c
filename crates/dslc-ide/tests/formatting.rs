//! Formatting for editors: whole-document edits rebuild `dslc_syntax::format`'s text, and range
//! edits change only the lines of the range.

use std::path::Path;

use dslc_db::Database;
use dslc_ide::{format_document, format_range, TextEdit};

fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut out = text.to_string();
    for edit in edits.iter().rev() {
        out.replace_range(edit.span.clone(), &edit.new_text);
    }
    out
}

fn spec(text: &str) -> (Database, dslc_db::SourceFile) {
    let mut db = Database::default();
    let file = db.set_file_text(Path::new("/project/spec.cohort"), text);
    (db, file)
}

const MESSY: &str = "# Header.\naxis  a=[x]\naxis bb = [y]\n\n\n\ntie t(a,bb)   # why\noutput a,bb,t\n";

#[test]
fn document_edits_give_the_formatted_text_and_touch_only_changed_lines() {
    let (db, file) = spec(MESSY);
    let edits = format_document(&db, file);
    assert_eq!(apply(MESSY, &edits), dslc_syntax::format(MESSY).unwrap());
    assert!(edits.iter().all(|e| e.span.start > 0), "the unchanged header line is not rewritten");
    assert!(edits.windows(2).all(|w| w[0].span.end < w[1].span.start), "edits are sorted and apart");
}

#[test]
fn a_formatted_spec_or_one_with_syntax_errors_gets_no_edits() {
    let formatted = dslc_syntax::format(MESSY).unwrap();
    let (db, file) = spec(&formatted);
    assert_eq!(format_document(&db, file), Vec::new());
    let (db, file) = spec("axis a = [x\naxis  b = [y]\n");
    assert_eq!(format_document(&db, file), Vec::new());
    assert_eq!(format_range(&db, file, 0..5), Vec::new());
}

#[test]
fn range_edits_format_the_range_and_leave_lines_away_from_it() {
    let (db, file) = spec(MESSY);
    let tie = MESSY.find("tie").unwrap();
    let edits = format_range(&db, file, tie + 2..tie + 2);
    let after = apply(MESSY, &edits);
    assert!(after.contains("\ntie t (a, bb)  # why\n"), "{after}");
    // The line diff may tie a neighbouring run of lines to the range's (here the next line);
    // lines further away stay as they were.
    assert!(after.starts_with("# Header.\naxis  a=[x]\n"), "other lines stay: {after}");
    // Formatting the rest afterwards gives the same as formatting everything at once.
    assert_eq!(dslc_syntax::format(&after).unwrap(), dslc_syntax::format(MESSY).unwrap());
}
