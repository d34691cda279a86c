//! Writes design rows as CSV (`rows.csv`): header in output order, one line per row, LF endings.

use std::io::{self, Write};

use dslc_db::Design;

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
    write_record(out, design.columns.iter().map(String::as_str))?;
    let mut written = 0u64;
    let mut failure = None;
    design.for_each_row(|row| match write_record(out, row.iter().map(|sym| design.interner.get(*sym))) {
        Ok(()) => {
            written += 1;
            true
        }
        Err(e) => {
            failure = Some(e);
            false
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(written),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        let mut out = Vec::new();
        write_record(&mut out, ["plain", "a,b", "say \"hi\"", "two\nlines", ""]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\n");
    }
}
