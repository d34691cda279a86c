//! Renders diagnostics for people (ariadne), for tools (JSON lines) and for GitHub annotations.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use ariadne::{Color, Config, IndexType, Label as AriadneLabel, Report, ReportKind};
use dslc_db::{Database, Db, Diagnostic};
use dslc_syntax::codes::Severity;
use dslc_syntax::line_index::LineIndex;
use serde_json::json;

/// The output formats of `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
}

/// Source lines longer than this (in bytes) are not excerpted in human output.
const MAX_SHOWN_LINE: usize = 1_000;

/// Looks up file texts in the database and shortens paths for display.
pub(crate) struct Renderer<'a> {
    db: &'a Database,
    cwd: PathBuf,
    color: bool,
    /// Line starts per file, built once however many diagnostics point into it.
    line_indexes: RefCell<HashMap<PathBuf, Rc<LineIndex>>>,
    /// ariadne's line tables per file, built once: rebuilding them for every report made human
    /// output quadratic in the number of diagnostics.
    sources: RefCell<SourceCache<'a>>,
    /// Codes of the errors shown in human output, for the closing `dslc explain` pointer.
    shown_errors: RefCell<BTreeSet<&'static str>>,
}

/// The sources of every file a report has pointed into, keyed by display name.
#[derive(Default)]
struct SourceCache<'a> {
    sources: HashMap<String, ariadne::Source<&'a str>>,
}

impl<'a> ariadne::Cache<String> for SourceCache<'a> {
    type Storage = &'a str;

    fn fetch(&mut self, id: &String) -> Result<&ariadne::Source<&'a str>, impl std::fmt::Debug> {
        self.sources.get(id).ok_or_else(|| format!("no source was loaded for {id}"))
    }

    fn display<'b>(&self, id: &'b String) -> Option<impl std::fmt::Display + 'b> {
        Some(id)
    }
}

impl<'a> Renderer<'a> {
    pub(crate) fn new(db: &'a Database, color: bool) -> Self {
        Renderer {
            db,
            cwd: std::env::current_dir().unwrap_or_default(),
            color,
            line_indexes: RefCell::default(),
            sources: RefCell::default(),
            shown_errors: RefCell::default(),
        }
    }

    /// A path relative to the working directory when it lies below it, else as it is.
    pub(crate) fn display_path(&self, path: &Path) -> String {
        path.strip_prefix(&self.cwd).unwrap_or(path).display().to_string()
    }

    fn text(&self, path: &Path) -> &'a str {
        &self.db.file(path).contents(self.db).text
    }

    fn line_index(&self, path: &Path) -> Rc<LineIndex> {
        let mut cache = self.line_indexes.borrow_mut();
        cache.entry(path.to_path_buf()).or_insert_with(|| Rc::new(LineIndex::new(self.text(path)))).clone()
    }

    pub(crate) fn write(&self, format: Format, diagnostics: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
        for d in diagnostics {
            match format {
                Format::Human => self.human(d, out)?,
                Format::Json => writeln!(out, "{}", self.json(d))?,
                Format::Github => writeln!(out, "{}", self.github(d))?,
            }
        }
        Ok(())
    }

    /// Ends human output as rustc does: which errors shown have a page, and how to read one.
    /// Writes nothing when no error was shown.
    pub(crate) fn write_explain_pointer(&self, out: &mut dyn Write) -> io::Result<()> {
        let codes = self.shown_errors.borrow();
        let Some(first) = codes.first() else { return Ok(()) };
        writeln!(out)?;
        if codes.len() == 1 {
            writeln!(out, "For more information about this error, try `dslc explain {first}`.")
        } else {
            let listed: Vec<&str> = codes.iter().copied().collect();
            writeln!(out, "Some errors have detailed explanations: {}.", listed.join(", "))?;
            writeln!(out, "For more information about an error, try `dslc explain {first}`.")
        }
    }

    /// The length in bytes of the longest source line that a label of `d` touches.
    fn longest_labelled_line(&self, d: &Diagnostic) -> usize {
        std::iter::once(&d.primary)
            .chain(&d.secondary)
            .map(|label| {
                let text = self.text(&label.file);
                let index = self.line_index(&label.file);
                let first = index.line(label.span.start);
                let last = index.line(label.span.end);
                (first..=last)
                    .map(|line| {
                        let start = index.line_start(line).unwrap_or(text.len());
                        let end = index.line_start(line + 1).unwrap_or(text.len());
                        end - start
                    })
                    .max()
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0)
    }

    /// A report without source excerpts, for labels on lines too long to show: printing a line of
    /// megabytes once per diagnostic would make the output quadratic in the file's size.
    fn plain(&self, d: &Diagnostic, longest: usize, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}[{}]: {}", d.severity.as_str(), d.code.id, d.message)?;
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let (line, column, _, _) = self.position(label);
            writeln!(out, "  --> {}:{line}:{column}: {}", self.display_path(&label.file), label.message)?;
        }
        writeln!(
            out,
            "  = note: the source line is {longest} bytes long; lines over {MAX_SHOWN_LINE} bytes are not shown"
        )?;
        if let Some(help) = &d.help {
            writeln!(out, "  = help: {help}")?;
        }
        Ok(())
    }

    fn human(&self, d: &Diagnostic, out: &mut dyn Write) -> io::Result<()> {
        if d.severity == Severity::Error {
            self.shown_errors.borrow_mut().insert(d.code.id);
        }
        let longest = self.longest_labelled_line(d);
        if longest > MAX_SHOWN_LINE {
            return self.plain(d, longest, out);
        }
        let color = match d.severity {
            Severity::Error => Color::Red,
            Severity::Warning => Color::Yellow,
            Severity::Note => Color::Cyan,
        };
        // rustc's header style, `error[E0103]: message`, is a custom kind without a separate code.
        let heading = format!("{}[{}]", d.severity.as_str(), d.code.id);
        let mut sources = self.sources.borrow_mut();
        let mut span_of = |label: &dslc_db::Label| -> (String, std::ops::Range<usize>) {
            let name = self.display_path(&label.file);
            let text = self.text(&label.file);
            sources.sources.entry(name.clone()).or_insert_with(|| ariadne::Source::from(text));
            (name, char_aligned(text, &label.span))
        };
        let primary = span_of(&d.primary);
        let mut report = Report::build(ReportKind::Custom(&heading, color), primary)
            .with_config(Config::default().with_index_type(IndexType::Byte).with_color(self.color))
            .with_message(&d.message);
        // ariadne starts a new snippet whenever a label lies above the previous one, so labels go
        // in file order: the primary label's file first, then by position.
        let mut labels: Vec<(&dslc_db::Label, Color)> =
            std::iter::once((&d.primary, color)).chain(d.secondary.iter().map(|l| (l, Color::Blue))).collect();
        labels.sort_by(|(a, _), (b, _)| {
            (a.file != d.primary.file, &a.file, a.span.start).cmp(&(b.file != d.primary.file, &b.file, b.span.start))
        });
        for (order, (label, label_color)) in labels.into_iter().enumerate() {
            let span = span_of(label);
            report = report.with_label(
                AriadneLabel::new(span).with_message(&label.message).with_color(label_color).with_order(order as i32),
            );
        }
        if let Some(help) = &d.help {
            report = report.with_help(help);
        }
        let mut rendered = Vec::new();
        report.finish().write(&mut *sources, &mut rendered)?;
        let rendered = String::from_utf8_lossy(&rendered);
        // ariadne colours a custom kind's heading even with colour off, so strip escapes here.
        if self.color {
            out.write_all(rendered.as_bytes())
        } else {
            out.write_all(strip_ansi(&rendered).as_bytes())
        }
    }

    /// 1-based line and column (in characters) of both ends of a label.
    fn position(&self, label: &dslc_db::Label) -> (usize, usize, usize, usize) {
        let text = self.text(&label.file);
        let index = self.line_index(&label.file);
        let (line, column) = index.line_col(text, label.span.start);
        let (end_line, end_column) = index.line_col(text, label.span.end);
        (line + 1, column + 1, end_line + 1, end_column + 1)
    }

    fn json(&self, d: &Diagnostic) -> serde_json::Value {
        let (line, column, end_line, end_column) = self.position(&d.primary);
        let labels: Vec<serde_json::Value> = std::iter::once(&d.primary)
            .chain(&d.secondary)
            .map(|label| {
                let (line, column, end_line, end_column) = self.position(label);
                json!({
                    "file": self.display_path(&label.file),
                    "line": line,
                    "column": column,
                    "end_line": end_line,
                    "end_column": end_column,
                    "message": label.message,
                    "primary": std::ptr::eq(label, &d.primary),
                })
            })
            .collect();
        json!({
            "file": self.display_path(&d.primary.file),
            "code": d.code.id,
            "severity": d.severity.as_str(),
            "message": d.message,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "labels": labels,
            "help": d.help,
            "fix": d.fix.as_ref().map(|fix| self.json_fix(fix)),
        })
    }

    /// A fix as JSON: the file, the byte range to replace (`start`, `end`), the same range as
    /// lines and columns, and the replacement text.
    fn json_fix(&self, fix: &dslc_db::Fix) -> serde_json::Value {
        let at = dslc_db::Label::new(&fix.file, fix.span.clone(), "");
        let (line, column, end_line, end_column) = self.position(&at);
        json!({
            "file": self.display_path(&fix.file),
            "start": fix.span.start,
            "end": fix.span.end,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "replacement": fix.replacement,
        })
    }

    fn github(&self, d: &Diagnostic) -> String {
        let (line, column, end_line, end_column) = self.position(&d.primary);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        format!(
            "::{command} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}",
            escape_property(&self.display_path(&d.primary.file)),
            escape_property(d.code.id),
            escape_data(&message)
        )
    }
}

/// Clamps a span into `text` and widens it to character boundaries: ariadne slices the text at
/// both ends, and a span ending inside a multibyte character would make it panic.
fn char_aligned(text: &str, span: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// Removes ANSI colour sequences (`ESC [ … m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Escapes a workflow command's message as GitHub Actions requires.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_colour() {
        assert_eq!(strip_ansi("\u{1b}[31merror\u{1b}[0m: x"), "error: x");
    }

    #[test]
    fn spans_are_widened_to_character_boundaries() {
        let text = "a\u{e9}b";
        assert_eq!(char_aligned(text, &(2..2)), 1..3);
        assert_eq!(char_aligned(text, &(1..2)), 1..3);
        assert_eq!(char_aligned(text, &(3..99)), 3..4);
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 9..3;
        assert_eq!(char_aligned(text, &reversed), 4..4);
    }

    #[test]
    fn github_escapes() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
