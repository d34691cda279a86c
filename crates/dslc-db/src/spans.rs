//! Statement-numbered spans, so that an edit elsewhere in a spec does not change what the
//! analysis of a statement sees.
//!
//! The analysis reads a copy of the syntax tree whose spec spans are relative to their
//! statement and tagged with its index: `(index + 1) << 32 | offset`. Adding a comment or blank
//! line moves statements but leaves that tree equal, so salsa reuses the analysis (and every
//! query after it) and only maps its spans back through the new statement starts. Spans below
//! `1 << 32` (included files, and spec spans not inside a statement) are absolute already: files
//! dslc reads are far smaller than 4 GiB. Typst's numbered spans solve the same problem.

use dslc_syntax::ast::SpecFile;
use dslc_syntax::Span;

use crate::diagnostic::{Diagnostic, Label};
use crate::semantics::{Analysis, Design};

const SHIFT: u32 = 32;

/// Where each statement of a spec starts, to turn numbered spans back into byte offsets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpanMap {
    starts: Vec<usize>,
}

impl SpanMap {
    /// The byte span a (possibly numbered) span stands for.
    pub fn absolute(&self, span: &Span) -> Span {
        self.offset(span.start)..self.offset(span.end)
    }

    fn offset(&self, at: usize) -> usize {
        let index = at >> SHIFT;
        if index == 0 {
            return at;
        }
        let within = at & ((1 << SHIFT) - 1);
        // A numbered span always names a statement of the tree it came from; the fallback only
        // keeps a stale span harmless.
        self.starts.get(index - 1).map_or(0, |start| start + within)
    }

    /// Maps every spec span of a diagnostic back to byte offsets.
    pub fn diagnostic(&self, diagnostic: &mut Diagnostic) {
        let label = |label: &mut Label| label.span = self.absolute(&label.span);
        label(&mut diagnostic.primary);
        diagnostic.secondary.iter_mut().for_each(label);
        if let Some(fix) = &mut diagnostic.fix {
            fix.span = self.absolute(&fix.span);
        }
    }

    /// An analysis with every span mapped back to byte offsets.
    pub fn analysis(&self, numbered: &Analysis) -> Analysis {
        let mut analysis = numbered.clone();
        analysis.diagnostics.iter_mut().for_each(|d| self.diagnostic(d));
        self.design(&mut analysis.design);
        analysis
    }

    fn design(&self, design: &mut Design) {
        let map = |span: &mut Span| *span = self.absolute(span);
        for factor in &mut design.factors {
            map(&mut factor.decl.span);
            factor.origins.iter_mut().for_each(|o| map(&mut o.span));
        }
        design.axes.iter_mut().for_each(|a| map(&mut a.decl.span));
        design.rules.iter_mut().for_each(|r| map(&mut r.span));
        design.occurrences.iter_mut().for_each(|o| map(&mut o.origin.span));
        if let Some(reuse) = &mut design.reuse {
            map(&mut reuse.origin.span);
        }
        design.spec_start = self.offset(design.spec_start);
    }
}

/// The map from [`number`]'s spans back to byte offsets, without numbering a copy of the tree.
pub fn map_of(file: &SpecFile) -> SpanMap {
    SpanMap { starts: file.statements.iter().map(|s| s.span().start).collect() }
}

/// The tree with numbered spans, and the map back.
pub fn number(file: &SpecFile) -> (SpecFile, SpanMap) {
    let mut numbered = file.clone();
    let mut starts = Vec::with_capacity(file.statements.len());
    for (index, statement) in numbered.statements.iter_mut().enumerate() {
        let start = statement.span().start;
        let base = (index + 1) << SHIFT;
        starts.push(start);
        statement.for_each_span_mut(&mut |span| *span = base + (span.start - start)..base + (span.end - start));
    }
    (numbered, SpanMap { starts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_spans_map_back_and_survive_moves() {
        let text = "axis a = [x, y]\n\naxis b = 1..3\n";
        let parsed = dslc_syntax::parse(text);
        let (numbered, map) = number(&parsed.file);
        assert_eq!(map_of(&parsed.file).starts, map.starts);
        for (original, relative) in parsed.file.statements.iter().zip(&numbered.statements) {
            assert_eq!(map.absolute(&relative.span()), original.span());
        }
        // A comment above moves every statement but leaves the numbered tree equal.
        let moved = dslc_syntax::parse(&format!("# a note\n{text}"));
        let (moved_numbered, moved_map) = number(&moved.file);
        assert_eq!(moved_numbered, numbered);
        assert_eq!(moved_map.absolute(&numbered.statements[1].span()), moved.file.statements[1].span());
        assert_eq!(map.absolute(&(3..7)), 3..7, "spans outside statements are absolute");
    }
}
