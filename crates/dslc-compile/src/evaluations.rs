//! The evaluations of a plan: stored one by one, or, when the design proves every row a distinct
//! evaluation, described by the design's factors and generated in product order on demand, so
//! that a plan's memory is bounded by its drafts and essays, not by its rows.

use std::ops::Range;

use dslc_db::interner::{Interner, Sym};

use crate::gen_id::{gen_id_normalised_in, Stage};
use crate::plan::{Essay, Evaluation};

/// Every evaluation of a plan, in plan order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evaluations {
    /// Each evaluation with its ID: plans whose rows may repeat an evaluation (found through the
    /// evaluation index) and plans read from a generation store.
    Stored(Vec<Evaluation>),
    /// One evaluation per design row, generated from the factors when read.
    Streamed(EvaluationStream),
}

impl Default for Evaluations {
    fn default() -> Self {
        Evaluations::Stored(Vec::new())
    }
}

impl Evaluations {
    pub fn len(&self) -> usize {
        match self {
            Evaluations::Stored(list) => list.len(),
            Evaluations::Streamed(stream) => stream.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The stored list; a streamed plan is never extended.
    pub fn stored_mut(&mut self) -> Option<&mut Vec<Evaluation>> {
        match self {
            Evaluations::Stored(list) => Some(list),
            Evaluations::Streamed(_) => None,
        }
    }

    /// The template of every evaluation, possibly repeated: a streamed plan lists each level of
    /// the factor that feeds it once (every level is in some row).
    pub fn templates(&self) -> Box<dyn Iterator<Item = Sym> + '_> {
        match self {
            Evaluations::Stored(list) => Box::new(list.iter().map(|v| v.template)),
            Evaluations::Streamed(stream) => Box::new(stream.template.values.iter().copied()),
        }
    }

    /// The llm of every evaluation, possibly repeated, as [`Evaluations::templates`].
    pub fn llms(&self) -> Box<dyn Iterator<Item = Sym> + '_> {
        match self {
            Evaluations::Stored(list) => Box::new(list.iter().map(|v| v.llm)),
            Evaluations::Streamed(stream) => Box::new(stream.llm.values.iter().copied()),
        }
    }
}

/// The values one stage column takes, by level of the factor that fills it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelColumn<T> {
    pub factor: usize,
    pub values: Vec<T>,
}

/// The evaluations of a design whose rows are distinct evaluations, up to the factors that feed
/// no stage column: evaluation `r` is row `r` of the product of the other factors, those factors
/// held at level 0 (radix 1). Its essay is looked up by the levels of the factors that feed the
/// draft and essay columns, its own values by the levels of the factors that feed the evaluation
/// columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvaluationStream {
    /// The number of levels of every design factor, first slowest (product order); 1 for a
    /// factor that feeds no stage column.
    pub radices: Vec<usize>,
    /// Per factor: its weight in the index of `essay_of`, 0 for a factor that no draft or essay
    /// column reads.
    pub essay_strides: Vec<usize>,
    /// The essay of every combination of the essay factors' levels, the last factor fastest.
    pub essay_of: Vec<u32>,
    pub template: LevelColumn<Sym>,
    pub llm: LevelColumn<Sym>,
    /// `None` when the spec has no evaluation replicate column (every replicate is 1).
    pub replicate: Option<LevelColumn<u64>>,
    /// The normalised (trimmed, lower-cased) symbol of every symbol of the plan's interner.
    pub normalised: Vec<Sym>,
    /// The number of evaluations: the product of `radices`.
    pub len: usize,
}

/// Evaluations in plan order, generated or copied.
pub enum EvaluationIter<'p> {
    Stored(std::iter::Copied<std::slice::Iter<'p, Evaluation>>),
    Streamed(StreamIter<'p>),
}

impl Iterator for EvaluationIter<'_> {
    type Item = Evaluation;

    fn next(&mut self) -> Option<Evaluation> {
        match self {
            EvaluationIter::Stored(iter) => iter.next(),
            EvaluationIter::Streamed(iter) => iter.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            EvaluationIter::Stored(iter) => iter.size_hint(),
            EvaluationIter::Streamed(iter) => (iter.remaining, Some(iter.remaining)),
        }
    }
}

/// Evaluations `range` of `evaluations`, generating a streamed plan's with their IDs.
pub(crate) fn evaluations_in<'p>(
    evaluations: &'p Evaluations,
    essays: &'p [Essay],
    interner: &'p Interner,
    range: Range<usize>,
) -> EvaluationIter<'p> {
    match evaluations {
        Evaluations::Stored(list) => {
            let end = range.end.min(list.len());
            EvaluationIter::Stored(list[range.start.min(end)..end].iter().copied())
        }
        Evaluations::Streamed(stream) => EvaluationIter::Streamed(StreamIter::new(stream, essays, interner, range)),
    }
}

/// Walks the design product like an odometer from one row on, hashing each row's evaluation.
pub struct StreamIter<'p> {
    stream: &'p EvaluationStream,
    essays: &'p [Essay],
    interner: &'p Interner,
    /// The current row's level of every factor.
    counters: Vec<usize>,
    remaining: usize,
    canonical: Vec<u8>,
}

impl<'p> StreamIter<'p> {
    fn new(stream: &'p EvaluationStream, essays: &'p [Essay], interner: &'p Interner, range: Range<usize>) -> Self {
        let end = range.end.min(stream.len);
        let start = range.start.min(end);
        // Row `start` in mixed radix, the last factor the least significant digit.
        let mut counters = vec![0usize; stream.radices.len()];
        let mut rest = start;
        for (counter, &radix) in counters.iter_mut().zip(&stream.radices).rev() {
            *counter = rest % radix;
            rest /= radix;
        }
        StreamIter { stream, essays, interner, counters, remaining: end - start, canonical: Vec::with_capacity(64) }
    }
}

impl Iterator for StreamIter<'_> {
    type Item = Evaluation;

    fn next(&mut self) -> Option<Evaluation> {
        if self.remaining == 0 {
            return None;
        }
        let stream = self.stream;
        let counters = &self.counters;
        let key: usize = counters.iter().zip(&stream.essay_strides).map(|(level, stride)| level * stride).sum();
        let essay = stream.essay_of[key];
        let template = stream.template.values[counters[stream.template.factor]];
        let llm = stream.llm.values[counters[stream.llm.factor]];
        let replicate = stream.replicate.as_ref().map_or(1, |r| r.values[counters[r.factor]]);
        let normalised = |sym: Sym| self.interner.get(stream.normalised[sym.0 as usize]).as_bytes();
        let parts = [self.essays[essay as usize].gen_id.as_bytes(), normalised(template), normalised(llm)];
        let gen_id = gen_id_normalised_in(&mut self.canonical, Stage::Evaluation, &parts, replicate);
        self.remaining -= 1;
        if self.remaining > 0 {
            // The last factor turns fastest.
            for (counter, &radix) in self.counters.iter_mut().zip(&stream.radices).rev() {
                *counter += 1;
                if *counter < radix {
                    break;
                }
                *counter = 0;
            }
        }
        Some(Evaluation { gen_id, essay, template, llm, replicate })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}
