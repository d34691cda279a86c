//! Fuzz target: the included-file readers `table::read_csv` and `table::read_txt` on arbitrary text.
//!
//! Invariants: no panic; every record and cell span lies inside the text on char boundaries,
//! records in order and cells inside their record; the text at a cell's span is the cell
//! (verbatim, or quoted with `""` for a quote); every data row has the header's width; an
//! error's span lies inside the text on char boundaries; reading is deterministic.

#![no_main]

use dslc_db::table::{read_csv, read_txt, Record, Table};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let text = common::decode(data);

    match read_csv(&text) {
        Ok(table) => {
            let header = table.header.as_ref().expect("a CSV table always has a header");
            check_records(&text, &table, true);
            for record in &table.records {
                assert_eq!(record.cells.len(), header.cells.len(), "ragged row accepted in {text:?}");
            }
        }
        Err(error) => common::assert_span(&text, &error.span, "CSV error"),
    }
    assert_eq!(read_csv(&text), read_csv(&text), "read_csv is not deterministic");

    let table = match read_txt(&text) {
        Ok(table) => table,
        Err(error) => {
            assert!(error.over_limit, "a TXT file fails only over the cell limit");
            return common::assert_span(&text, &error.span, "TXT error");
        }
    };
    assert!(table.header.is_none(), "a TXT table has no header");
    check_records(&text, &table, false);
    for record in &table.records {
        assert_eq!(record.cells.len(), 1, "a TXT record has one cell");
        let cell = &record.cells[0];
        assert!(!cell.text.is_empty() && cell.text == cell.text.trim(), "TXT value not trimmed: {:?}", cell.text);
        assert!(!cell.text.contains('\n'), "TXT value spans lines: {:?}", cell.text);
    }
});

/// Checks the spans of every record and cell, and that each cell's text is what its span holds.
fn check_records(text: &str, table: &Table, csv: bool) {
    let mut last_end = 0;
    for record in table.header.iter().chain(&table.records) {
        common::assert_span(text, &record.span, "record");
        assert!(record.span.start >= last_end, "records overlap at {:?} in {text:?}", record.span);
        last_end = record.span.end;
        check_cells(text, record, csv);
    }
}

fn check_cells(text: &str, record: &Record, csv: bool) {
    let mut last_end = record.span.start;
    for cell in &record.cells {
        common::assert_span(text, &cell.span, "cell");
        assert!(
            cell.span.start >= last_end && cell.span.end <= record.span.end,
            "cell {:?} outside its record {:?} in {text:?}",
            cell.span,
            record.span
        );
        last_end = cell.span.end;
        let raw = &text[cell.span.clone()];
        let expected = match raw.strip_prefix('"') {
            Some(quoted) if csv => {
                let inner = quoted.strip_suffix('"').unwrap_or_else(|| panic!("quoted cell {raw:?} is not closed"));
                assert!(!inner.replace("\"\"", "").contains('"'), "lone quote inside quoted cell {raw:?}");
                inner.replace("\"\"", "\"")
            }
            _ => raw.to_string(),
        };
        assert_eq!(cell.text, expected, "cell text differs from its span {:?} in {text:?}", cell.span);
        if csv && !raw.starts_with('"') {
            assert!(!raw.contains([',', '\n', '\r']), "unquoted cell {raw:?} holds a separator");
        }
    }
}
