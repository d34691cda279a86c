//! The end of the analysis: the product factors, the natural column order and `output`.

use super::*;

impl Analyzer<'_> {
    /// Flattens the live entries into factors and computes the column order.
    pub(super) fn finish(&mut self, outputs: &[&ast::OutputStmt]) -> Design {
        let mut factors = Vec::new();
        let live_slots: Vec<usize> = self.live.iter().map(|(i, _)| i).collect();
        let mut axis_columns: HashMap<String, (usize, std::ops::Range<usize>)> = HashMap::default();
        let live_names: Vec<String> = self.live.iter().map(|(_, e)| e.name.clone()).collect();
        // Factors take the levels; the entries stay behind (without levels) for column expansion.
        for index in live_slots {
            let levels = std::mem::take(&mut self.live[index].levels);
            let origins = std::mem::take(&mut self.live[index].origins);
            let entry = &self.live[index];
            let mut columns = Vec::new();
            let mut spans = Vec::new();
            self.collect_columns(entry, &mut columns, &mut spans);
            for (name, range) in spans {
                axis_columns.insert(name, (factors.len(), range));
            }
            let shape = self.flat_shape(entry);
            let mut cells = Vec::with_capacity(columns.len() * levels.len());
            for level in &levels {
                flatten_into(level, &shape, &mut cells);
            }
            let kind = match &entry.kind {
                EntryKind::Plain => FactorKind::Axis,
                EntryKind::Tie { members } => FactorKind::Tie { members: members.clone() },
                EntryKind::Pair { left, right } => FactorKind::Pair { left: left.clone(), right: right.clone() },
                EntryKind::Tuple { members } => FactorKind::Tuple { members: members.clone() },
            };
            factors.push(Factor { name: entry.name.clone(), decl: entry.decl.clone(), kind, columns, cells, origins });
        }
        let natural = self.natural_columns(&live_names);
        let columns = self.apply_output(natural, outputs);
        // The first factor and leaf that fill each column.
        let mut source_of: HashMap<&str, (usize, usize)> = HashMap::default();
        for (f, factor) in factors.iter().enumerate() {
            for (leaf, column) in factor.columns.iter().enumerate() {
                source_of.entry(column.as_str()).or_insert((f, leaf));
            }
        }
        let column_sources: Vec<(usize, usize)> =
            columns.iter().map(|c| source_of.get(c.as_str()).copied().unwrap_or((0, 0))).collect();
        Design {
            tie_of: std::mem::take(&mut self.tie_alias),
            occurrences: std::mem::take(&mut self.occurrences),
            axis_columns,
            interner: std::mem::take(&mut self.interner),
            factors,
            columns,
            column_sources,
            cohort_id: None,
            cohort_note: None,
            reuse: None,
            stage: StageFields::default(),
            axes: std::mem::take(&mut self.axes),
            rules: std::mem::take(&mut self.rules),
            spec_start: 0,
        }
    }

    pub(super) fn entry(&self, name: &str) -> Option<&Entry> {
        match self.live.position(name) {
            Some(index) => Some(&self.live[index]),
            None => self.all.get(name),
        }
    }

    /// Appends an entry's leaf columns to `out`, and where each entry's columns stand.
    fn collect_columns(&self, entry: &Entry, out: &mut Vec<String>, spans: &mut Vec<(String, std::ops::Range<usize>)>) {
        let start = out.len();
        // Recorded before the members, so that for a tie named after one of its axes the axis's
        // own column wins: values written for that axis reach only its column through the tie.
        let slot = spans.len();
        spans.push((entry.name.clone(), start..start));
        match &entry.kind {
            EntryKind::Plain => out.push(entry.name.clone()),
            EntryKind::Tie { members } => {
                if !members.contains(&entry.name) {
                    out.push(entry.name.clone());
                }
                for member in members {
                    if let Some(m) = self.entry(member) {
                        if m.name == entry.name {
                            out.push(m.name.clone());
                        } else {
                            self.collect_columns(m, out, spans);
                        }
                    }
                }
            }
            EntryKind::Pair { .. } | EntryKind::Tuple { .. } => {
                for m in entry.members().iter().filter_map(|m| self.entry(m)) {
                    self.collect_columns(m, out, spans);
                }
            }
        }
        spans[slot].1 = start..out.len();
    }

    fn leaf_columns(&self, entry: &Entry) -> Vec<String> {
        match &entry.kind {
            EntryKind::Plain => vec![entry.name.clone()],
            EntryKind::Tie { members } => {
                let mut columns = Vec::new();
                if !members.contains(&entry.name) {
                    columns.push(entry.name.clone());
                }
                for member in members {
                    if let Some(m) = self.entry(member) {
                        if m.name == entry.name {
                            columns.push(m.name.clone());
                        } else {
                            columns.extend(self.leaf_columns(m));
                        }
                    }
                }
                columns
            }
            EntryKind::Pair { .. } | EntryKind::Tuple { .. } => {
                entry.members().iter().filter_map(|m| self.entry(m)).flat_map(|m| self.leaf_columns(m)).collect()
            }
        }
    }

    /// How an entry's levels map onto its leaf columns, computed once per factor.
    fn flat_shape(&self, entry: &Entry) -> FlatShape {
        match &entry.kind {
            EntryKind::Plain => FlatShape::Copies(1),
            EntryKind::Tie { .. } => FlatShape::Copies(self.leaf_columns(entry).len()),
            EntryKind::Pair { .. } | EntryKind::Tuple { .. } => FlatShape::Parts(
                entry.members().iter().filter_map(|m| self.entry(m)).map(|m| self.flat_shape(m)).collect(),
            ),
        }
    }

    /// The column order of the old system's row dictionaries: live names in axis order, then
    /// pairs, tuples and ties expanded in declaration order, each appending what it adds.
    ///
    /// The old system re-ran passes over every rule until nothing changed, which is quadratic
    /// for chains of rules; here each rule acts once, as soon as a pass of its kind reaches it
    /// after its name became a key, which gives the same order.
    fn natural_columns(&self, live_names: &[String]) -> Vec<String> {
        // Keys in order, with removed ones left as holes, and where each present key stands.
        let mut keys: Vec<Option<String>> = live_names.iter().cloned().map(Some).collect();
        let mut position: HashMap<String, usize> =
            live_names.iter().enumerate().map(|(i, name)| (name.clone(), i)).collect();
        let kind_pass = |entry: &Entry| match entry.kind {
            EntryKind::Pair { .. } => Some(0),
            EntryKind::Tuple { .. } => Some(1),
            EntryKind::Tie { .. } => Some(2),
            EntryKind::Plain => None,
        };
        // Rules by declaration index, with the pass of their kind.
        let mut rule_at: HashMap<&str, (usize, usize)> = HashMap::default();
        for (index, rule) in self.rule_order.iter().enumerate() {
            if let Some(pass) = self.entry(rule).and_then(kind_pass) {
                rule_at.insert(rule.as_str(), (index, pass));
            }
        }
        // Rules whose name is a key and that have not acted yet, per pass, by declaration index.
        let mut pending: [std::collections::BTreeSet<usize>; 3] = Default::default();
        for name in live_names {
            if let Some(&(index, pass)) = rule_at.get(name.as_str()) {
                pending[pass].insert(index);
            }
        }
        while pending.iter().any(|p| !p.is_empty()) {
            for pass in 0..3 {
                let mut cursor = 0;
                while let Some(&index) = pending[pass].range(cursor..).next() {
                    cursor = index + 1;
                    pending[pass].remove(&index);
                    let rule = &self.rule_order[index];
                    let Some(entry) = self.entry(rule) else { continue };
                    if pass < 2 {
                        if let Some(at) = position.remove(rule.as_str()) {
                            keys[at] = None;
                        }
                    }
                    for member in entry.members() {
                        if !position.contains_key(member) {
                            position.insert(member.to_string(), keys.len());
                            keys.push(Some(member.to_string()));
                            if let Some(&(index, pass)) = rule_at.get(member) {
                                pending[pass].insert(index);
                            }
                        }
                    }
                }
            }
        }
        keys.into_iter().flatten().collect()
    }

    fn apply_output(&mut self, natural: Vec<String>, outputs: &[&ast::OutputStmt]) -> Vec<String> {
        if outputs.len() > 1 {
            let d = Diagnostic::new(
                codes::DUPLICATE_OUTPUT,
                "a spec has at most one `output` statement",
                self.label(&outputs[1].span, "second `output`"),
            )
            .with_label(self.label(&outputs[0].span, "first `output`"))
            .with_help("merge the field lists into one `output` statement");
            self.report(d);
        }
        let Some(output) = outputs.first() else { return natural };
        let natural_set: HashSet<&str> = natural.iter().map(String::as_str).collect();
        let mut ordered: Vec<String> = Vec::new();
        let mut seen: HashMap<&str, &Span> = HashMap::default();
        for field in &output.fields {
            if let Some(first) = seen.get(field.text.as_str()) {
                let d = Diagnostic::new(
                    codes::DUPLICATE_OUTPUT,
                    format!("output field `{}` is listed twice", field.text),
                    self.label(&field.span, "listed again"),
                )
                .with_label(self.label(first, "first listed here"))
                .with_help("list each field once");
                self.report(d);
                continue;
            }
            seen.insert(&field.text, &field.span);
            if natural_set.contains(field.text.as_str()) {
                ordered.push(field.text.clone());
                continue;
            }
            if self.poisoned.contains(&field.text) {
                continue;
            }
            let d = if let Some(rule) = self.entry(&field.text).filter(|e| !e.is_atomic()) {
                let leaves = self.atom_leaves(rule);
                Diagnostic::new(
                    codes::UNKNOWN_OUTPUT_FIELD,
                    format!("`{}` is a {}, not a column", field.text, kind_word(&rule.kind)),
                    self.label(&field.span, "rule name"),
                )
                .with_help(format!("list its axes instead: {}", leaves.join(", ")))
            } else if self.poisoned_reference(&field.text) {
                continue;
            } else {
                let suggestions = self.suggest(&field.text, || natural.iter().map(String::as_str));
                let mut d = Diagnostic::new(
                    codes::UNKNOWN_OUTPUT_FIELD,
                    format!("output field `{}` is not a column of this spec", field.text),
                    self.label(&field.span, "unknown field"),
                )
                .with_suggestions(suggestions);
                if d.help.is_none() {
                    d.help = Some(format!("the columns are: {}", preview_names(&natural)));
                }
                d
            };
            self.report(d);
        }
        let listed: HashSet<String> = ordered.iter().cloned().collect();
        ordered.extend(natural.into_iter().filter(|column| !listed.contains(column)));
        ordered
    }

    /// Whether a name belongs to an axis or rule that already failed (so it is not really unknown).
    fn poisoned_reference(&self, name: &str) -> bool {
        self.poisoned.contains(name) || self.rule_names.contains_key(name)
    }
}

/// A value fills one column (a plain axis) or several equal ones (a tie and its axes); a
/// combination fills its members' columns in order.
enum FlatShape {
    Copies(usize),
    Parts(Vec<FlatShape>),
}

fn flatten_into(level: &Level, shape: &FlatShape, out: &mut Vec<Sym>) {
    match (level, shape) {
        (Level::Atom(sym), FlatShape::Copies(n)) => out.extend(std::iter::repeat_n(*sym, *n)),
        (Level::Tuple(parts), FlatShape::Parts(shapes)) => {
            for (part, shape) in parts.iter().zip(shapes) {
                flatten_into(part, shape, out);
            }
        }
        // Levels are built from the same entries as their shapes, so the two always agree.
        _ => {}
    }
}
