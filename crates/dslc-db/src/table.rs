//! A small RFC 4180 reader for included CSV and TXT files that keeps each cell's byte span.
//!
//! Spans let diagnostics point into the included file at the exact cell, which a general
//! CSV library does not report.

use dslc_syntax::Span;

/// One cell: its unquoted text and where it stands in the file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cell {
    pub text: String,
    pub span: Span,
}

/// One record: its cells and the span of the whole line.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Record {
    pub cells: Vec<Cell>,
    pub span: Span,
}

/// A parsed file: the header record (absent for `.txt`) and the data records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Table {
    pub header: Option<Record>,
    pub records: Vec<Record>,
}

/// A structural problem in the file, with the span it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableError {
    pub span: Span,
    pub message: String,
    /// The file is well-formed as far as it was read, but over [`MAX_CELLS`].
    pub over_limit: bool,
}

/// The most cells an included file may have: memory per cell is about a hundred bytes, and no
/// cohort needs millions of levels from one file.
pub const MAX_CELLS: usize = 2_000_000;

fn over_limit(span: Span) -> TableError {
    TableError {
        span,
        message: format!("the file has more than {MAX_CELLS} cells, the limit for an included file"),
        over_limit: true,
    }
}

/// The length of a leading UTF-8 byte order mark, which spreadsheet exports often add.
fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    }
}

/// Reads a `.txt` file: one value per line, blank lines skipped, no header.
pub fn read_txt(text: &str) -> Result<Table, TableError> {
    let mut records = Vec::new();
    let mut offset = bom_len(text);
    for line in text[offset..].split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let value = content.trim();
        if !value.is_empty() {
            if records.len() == MAX_CELLS {
                return Err(over_limit(offset..offset + content.len()));
            }
            // The span covers the value itself, without surrounding spaces.
            let start = offset + (content.len() - content.trim_start().len());
            let span = start..start + value.len();
            records.push(Record { cells: vec![Cell { text: value.to_string(), span: span.clone() }], span });
        }
        offset += line.len();
    }
    Ok(Table { header: None, records })
}

/// Reads a CSV file with a header row. Quoted fields, `""` escapes, CRLF and blank lines are handled;
/// every record must have as many cells as the header.
pub fn read_csv(text: &str) -> Result<Table, TableError> {
    let bytes = text.as_bytes();
    let mut pos = bom_len(text);
    let mut records: Vec<Record> = Vec::new();
    let mut cells = 0usize;
    while pos < bytes.len() {
        let (record, next) = read_record(text, pos)?;
        pos = next;
        cells += record.cells.len();
        if cells > MAX_CELLS {
            return Err(over_limit(record.span));
        }
        // A line of only spaces is blank too; a quoted empty cell is data (and reported as empty).
        let blank = record.cells.len() == 1 && text[record.span.clone()].trim().is_empty();
        if !blank {
            records.push(record);
        }
    }
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        return Err(TableError {
            span: 0..0,
            message: "the file is empty: a header row is required".into(),
            over_limit: false,
        });
    };
    let records: Vec<Record> = records.collect();
    for record in &records {
        if record.cells.len() != header.cells.len() {
            return Err(TableError {
                span: record.span.clone(),
                message: format!(
                    "this row has {} cell{} but the header has {}",
                    record.cells.len(),
                    if record.cells.len() == 1 { "" } else { "s" },
                    header.cells.len()
                ),
                over_limit: false,
            });
        }
    }
    Ok(Table { header: Some(header), records })
}

/// The span of the character at `pos`, so a span never ends inside a multibyte character.
fn char_span(text: &str, pos: usize) -> Span {
    let width = text[pos..].chars().next().map_or(0, char::len_utf8);
    pos..pos + width
}

/// Reads one record starting at `start`; returns it and the offset after its line break.
fn read_record(text: &str, start: usize) -> Result<(Record, usize), TableError> {
    let bytes = text.as_bytes();
    let mut cells = Vec::new();
    let mut pos = start;
    loop {
        let cell_start = pos;
        let mut value = String::new();
        if bytes.get(pos) == Some(&b'"') {
            pos += 1;
            loop {
                match bytes.get(pos) {
                    None => {
                        return Err(TableError {
                            span: cell_start..cell_start + 1,
                            message: "this quoted cell is never closed".into(),
                            over_limit: false,
                        })
                    }
                    Some(b'"') if bytes.get(pos + 1) == Some(&b'"') => {
                        value.push('"');
                        pos += 2;
                    }
                    Some(b'"') => {
                        pos += 1;
                        break;
                    }
                    Some(_) => {
                        let ch = text[pos..].chars().next().unwrap_or('\u{fffd}');
                        value.push(ch);
                        pos += ch.len_utf8();
                    }
                }
            }
            if !matches!(bytes.get(pos), None | Some(b',') | Some(b'\n') | Some(b'\r')) {
                return Err(TableError {
                    span: char_span(text, pos),
                    message: "unexpected text after a closing quote".into(),
                    over_limit: false,
                });
            }
        } else {
            while let Some(&b) = bytes.get(pos) {
                if b == b',' || b == b'\n' || b == b'\r' {
                    break;
                }
                pos += 1;
            }
            value.push_str(&text[cell_start..pos]);
        }
        cells.push(Cell { text: value, span: cell_start..pos });
        match bytes.get(pos) {
            Some(b',') => pos += 1,
            Some(b'\r') if bytes.get(pos + 1) == Some(&b'\n') => {
                return Ok((Record { cells, span: start..pos }, pos + 2));
            }
            Some(b'\n') | Some(b'\r') => return Ok((Record { cells, span: start..pos }, pos + 1)),
            _ => return Ok((Record { cells, span: start..pos }, pos)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_over_the_cell_limit_are_refused() {
        let lines = "v\n".repeat(MAX_CELLS + 1);
        let err = read_txt(&lines).unwrap_err();
        assert!(err.over_limit && err.message.contains("more than 2000000 cells"), "{}", err.message);
        assert!(read_txt(&"v\n".repeat(MAX_CELLS)).is_ok());
        let csv = format!("a,b\n{}", "x,y\n".repeat(MAX_CELLS / 2));
        assert!(read_csv(&csv).unwrap_err().over_limit);
    }

    fn texts(record: &Record) -> Vec<&str> {
        record.cells.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn reads_header_and_rows_with_spans() {
        let text = "a,b\nx,y\n";
        let table = read_csv(text).unwrap();
        assert_eq!(texts(table.header.as_ref().unwrap()), ["a", "b"]);
        assert_eq!(texts(&table.records[0]), ["x", "y"]);
        assert_eq!(&text[table.records[0].cells[1].span.clone()], "y");
    }

    #[test]
    fn handles_bom_crlf_quotes_and_blank_lines() {
        let text = "\u{feff}a,b\r\n\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n";
        let table = read_csv(text).unwrap();
        assert_eq!(texts(table.header.as_ref().unwrap()), ["a", "b"]);
        assert_eq!(table.records.len(), 1);
        assert_eq!(texts(&table.records[0]), ["x,1", "say \"hi\""]);
        assert_eq!(&text[table.records[0].cells[0].span.clone()], "\"x,1\"");
    }

    #[test]
    fn keeps_empty_cells_for_the_checker() {
        let table = read_csv("a,b\nx,\n").unwrap();
        assert_eq!(texts(&table.records[0]), ["x", ""]);
    }

    #[test]
    fn reports_ragged_rows_unclosed_quotes_and_empty_files() {
        let err = read_csv("a,b\nx\n").unwrap_err();
        assert!(err.message.contains("1 cell but the header has 2"), "{}", err.message);
        assert_eq!(err.span, 4..5);
        assert!(read_csv("a\n\"x\n").unwrap_err().message.contains("never closed"));
        assert!(read_csv("").unwrap_err().message.contains("empty"));
        assert!(read_csv("a\n\"x\"y\n").unwrap_err().message.contains("after a closing quote"));
    }

    #[test]
    fn error_spans_end_on_character_boundaries() {
        let text = "v\n\"\"\u{e9}\n";
        let err = read_csv(text).unwrap_err();
        assert_eq!(err.span, 4..6, "the span covers the whole two-byte character");
        assert!(text.is_char_boundary(err.span.end));
    }

    #[test]
    fn txt_skips_blank_lines() {
        let table = read_txt("one\n\n  \r\n  two \r\n").unwrap();
        let values: Vec<&str> = table.records.iter().map(|r| r.cells[0].text.as_str()).collect();
        assert_eq!(values, ["one", "two"]);
        assert!(table.header.is_none());
    }
}
