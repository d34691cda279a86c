//! Writes design rows as CSV (`rows.csv`: header in output order, one line per row, LF endings)
//! or JSON lines (`rows.jsonl`: one object per row, keys in column order), optionally in the
//! order `random.Random(seed).shuffle` gives them (`crate::shuffle`).

use std::io::{self, Write};

use dslc_db::interner::Sym;
use dslc_db::Design;

use crate::shuffle::{permutation, Seed};

/// How `compile --emit rows` writes the rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowFormat {
    /// `rows.csv`.
    Csv,
    /// `rows.jsonl`, as the old system's `--format jsonl` wrote it.
    Jsonl,
}

impl RowFormat {
    /// The file this format is written to.
    pub fn file_name(self) -> &'static str {
        match self {
            RowFormat::Csv => "rows.csv",
            RowFormat::Jsonl => "rows.jsonl",
        }
    }
}

/// Writes one CSV field, quoted only when it must be (RFC 4180).
pub fn write_field<W: Write + ?Sized>(out: &mut W, value: &str) -> io::Result<()> {
    if value.contains([',', '"', '\n', '\r']) {
        out.write_all(b"\"")?;
        out.write_all(value.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(value.as_bytes())
    }
}

/// Writes one CSV record followed by LF.
pub fn write_record<'a, W: Write + ?Sized>(out: &mut W, fields: impl IntoIterator<Item = &'a str>) -> io::Result<()> {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_field(out, field)?;
    }
    out.write_all(b"\n")
}

/// Streams every design row of `design` as CSV into `out`; returns the number of rows written.
pub fn write_rows<W: Write + ?Sized>(design: &Design, out: &mut W) -> io::Result<u64> {
    write_rows_as(design, RowFormat::Csv, None, out)
}

/// Writes the design rows in `format`, shuffled by `seed` when there is one; returns the number
/// of rows written. Without a seed the rows stream; with one they are held in memory (one `u32`
/// per cell), since a shuffle needs them all, as the old system's did.
pub fn write_rows_as<W: Write + ?Sized>(
    design: &Design,
    format: RowFormat,
    seed: Option<&Seed>,
    out: &mut W,
) -> io::Result<u64> {
    let write_row = |out: &mut W, row: &[Sym]| {
        let values = row.iter().map(|sym| design.interner.get(*sym));
        match format {
            RowFormat::Csv => write_record(out, values),
            RowFormat::Jsonl => write_json_line(out, &design.columns, values),
        }
    };
    if format == RowFormat::Csv {
        write_record(out, design.columns.iter().map(String::as_str))?;
    }
    let mut written = 0u64;
    let mut failure = None;
    let Some(seed) = seed else {
        design.for_each_row(|row| match write_row(out, row) {
            Ok(()) => {
                written += 1;
                true
            }
            Err(e) => {
                failure = Some(e);
                false
            }
        });
        return failure.map_or(Ok(written), Err);
    };
    let width = design.columns.len();
    let mut cells: Vec<Sym> = Vec::new();
    let mut rows = 0usize;
    design.for_each_row(|row| {
        cells.extend_from_slice(row);
        rows += 1;
        true
    });
    for index in permutation(rows, seed) {
        write_row(out, &cells[index * width..(index + 1) * width])?;
        written += 1;
    }
    Ok(written)
}

/// Writes one row as Python's `json.dumps(dict(zip(columns, values)))` does: `", "` and `": "`
/// between items, every value a string, non-ASCII escaped (`ensure_ascii`), then LF.
pub fn write_json_line<'a, W: Write + ?Sized>(
    out: &mut W,
    columns: &[String],
    values: impl IntoIterator<Item = &'a str>,
) -> io::Result<()> {
    let mut line = String::from("{");
    for (i, (column, value)) in columns.iter().zip(values).enumerate() {
        if i > 0 {
            line.push_str(", ");
        }
        json_string(column, &mut line);
        line.push_str(": ");
        json_string(value, &mut line);
    }
    line.push_str("}\n");
    out.write_all(line.as_bytes())
}

/// A JSON string as Python's `json` module writes it with `ensure_ascii=True`.
fn json_string(text: &str, out: &mut String) {
    use std::fmt::Write as _;
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_escape_as_python_does() {
        let mut out = Vec::new();
        let columns = ["a".to_string(), "b\"".to_string(), "c".to_string()];
        write_json_line(&mut out, &columns, ["x", "q\"\\\n\t\u{7f}", "é😀\u{1}"]).unwrap();
        // python3 -c 'import json; print(json.dumps({"a": "x", "b\"": "q\"\\\n\t\x7f", "c": "é😀\x01"}))'
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"a\": \"x\", \"b\\\"\": \"q\\\"\\\\\\n\\t\\u007f\", \"c\": \"\\u00e9\\ud83d\\ude00\\u0001\"}\n"
        );
    }

    #[test]
    fn quotes_only_when_needed() {
        let mut out = Vec::new();
        write_record(&mut out, ["plain", "a,b", "say \"hi\"", "two\nlines", ""]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\n");
    }
}
