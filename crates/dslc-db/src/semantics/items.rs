//! Rule items: pair and tuple items (inline or from a CSV), their shapes, domains and balance.

use super::*;

impl Analyzer<'_> {
    /// Evaluates a rule's items against the current domains of its axes; None when any is invalid.
    pub(super) fn items(
        &mut self,
        rule: &str,
        kind: &str,
        names: &[Name],
        indices: &[usize],
        items: &Items,
    ) -> Option<(Vec<Level>, Vec<Origin>)> {
        let sides: Vec<Side> = indices.iter().map(|&index| self.side(index)).collect();
        let mut levels = Vec::new();
        let mut origins = Vec::new();
        let mut ok = true;
        match items {
            Items::List { items, span } => {
                if items.is_empty() {
                    return self.no_items(rule, kind, span);
                }
                for item in items {
                    if item.elems.len() != indices.len() {
                        let d = self.arity_error(&item.span, item.elems.len(), kind, rule, names);
                        self.report(d);
                        ok = false;
                        continue;
                    }
                    let mut parts = Vec::new();
                    for (elem, side) in item.elems.iter().zip(&sides) {
                        match self.level_of_elem(elem, side) {
                            Some(level) => parts.push(level),
                            None => ok = false,
                        }
                    }
                    if parts.len() == indices.len() {
                        levels.push(Level::Tuple(parts));
                        origins.push(self.origin(&item.span));
                    }
                }
            }
            Items::File(file_ref) => {
                let included = match self.resolver.resolve(file_ref) {
                    Ok(included) => included,
                    Err(d) => {
                        self.report(*d);
                        return None;
                    }
                };
                let plan = self.column_plan(rule, names, indices, &included, file_ref)?;
                if !self.take_levels(included.table.records.len(), &file_ref.span) {
                    return None;
                }
                if included.table.records.is_empty() {
                    return self.no_items(rule, kind, &file_ref.span);
                }
                for record in &included.table.records {
                    let mut parts = Vec::new();
                    for (side, columns) in sides.iter().zip(&plan) {
                        match self.level_of_cells(record, columns, side, &included.path, file_ref) {
                            Some(level) => parts.push(level),
                            None => ok = false,
                        }
                    }
                    if parts.len() == indices.len() {
                        levels.push(Level::Tuple(parts));
                        origins.push(Origin { file: included.path.clone(), span: record.span.clone() });
                    }
                }
            }
        }
        if !ok {
            return None;
        }
        // Duplicate items are dropped, first one wins.
        let mut first_seen: HashMap<&Level, usize> = HashMap::default();
        let mut keep = vec![true; levels.len()];
        let mut duplicates = Vec::new();
        for (i, level) in levels.iter().enumerate() {
            if let Some(&first) = first_seen.get(level) {
                keep[i] = false;
                duplicates.push((i, first));
            } else {
                first_seen.insert(level, i);
            }
        }
        // With every record valid, level `i` comes from record `i` of an items file.
        let records = match items {
            Items::File(file_ref) if !duplicates.is_empty() => {
                self.resolver.resolve(file_ref).ok().map(|included| included.table.clone())
            }
            _ => None,
        };
        for (i, first) in duplicates {
            let same_row = |table: &Arc<crate::table::Table>| {
                let cells = |r: usize| table.records.get(r).map(|record| record.cells.iter().map(|c| &c.text));
                match (cells(i), cells(first)) {
                    (Some(repeat), Some(original)) => repeat.eq(original),
                    _ => false,
                }
            };
            let d = if records.as_ref().is_some_and(same_row) {
                Diagnostic::new(
                    codes::DUPLICATE_CSV_ROW,
                    format!("this row of {kind} `{rule}`'s items file repeats an earlier row exactly; the repeat is dropped"),
                    origins[i].label("repeated row"),
                )
                .with_label(origins[first].label("first written here"))
                .with_help("delete the repeated row")
            } else {
                Diagnostic::new(
                    codes::DUPLICATE_ITEM,
                    format!("duplicate item in {kind} `{rule}`; the repeat is dropped"),
                    origins[i].label("repeated here"),
                )
                .with_label(origins[first].label("first listed here"))
            };
            self.report(d);
        }
        let mut index = 0;
        levels.retain(|_| {
            index += 1;
            keep[index - 1]
        });
        let mut index = 0;
        origins.retain(|_| {
            index += 1;
            keep[index - 1]
        });
        Some((levels, origins))
    }

    pub(super) fn no_items<T>(&mut self, rule: &str, kind: &str, span: &Span) -> Option<T> {
        let d =
            Diagnostic::new(codes::EMPTY_ITEMS, format!("{kind} `{rule}` has no items"), self.label(span, "no items"))
                .with_help("a rule with no items makes the product empty; list at least one item");
        self.report(d);
        None
    }

    /// The shape and current levels of a rule's side, computed once per rule so that checking
    /// thousands of items neither copies entries nor scans level lists.
    fn side(&self, index: usize) -> Side {
        let entry = &self.live[index];
        Side { index, shape: self.shape(entry), domain: entry.domain() }
    }

    fn shape(&self, entry: &Entry) -> Shape {
        if entry.is_atomic() {
            return Shape { name: Arc::from(entry.name.as_str()), kind: "axis", members: Vec::new() };
        }
        let members = entry.members().iter().filter_map(|m| self.all.get(*m)).map(|m| self.shape(m)).collect();
        Shape { name: Arc::from(entry.name.as_str()), kind: kind_word(&entry.kind), members }
    }

    /// Converts one written item element to a level of `side`, checking its domain.
    fn level_of_elem(&mut self, elem: &ItemElem, side: &Side) -> Option<Level> {
        let level = self.build_level(elem, &side.shape)?;
        if side.domain.contains(&level) {
            return Some(level);
        }
        self.outside_domain(side.index, &level, self.origin(&elem.span()));
        None
    }

    /// Builds a level from an element following `shape` (values for plain axes, nested tuples
    /// for pairs and tuples). Reports shape mismatches.
    fn build_level(&mut self, elem: &ItemElem, shape: &Shape) -> Option<Level> {
        let names = || shape.members.iter().map(|m| &*m.name).collect::<Vec<_>>().join(", ");
        match (elem, shape.members.is_empty()) {
            (ItemElem::Value(v), true) => {
                let sym = self.interner.intern(&v.text);
                let origin = self.origin(&v.span);
                self.occurrences.push(Occurrence { axis: shape.name.clone(), value: sym, origin });
                Some(Level::Atom(sym))
            }
            (ItemElem::Tuple(t), false) => {
                if t.elems.len() != shape.members.len() {
                    let d = Diagnostic::new(
                        codes::ARITY_MISMATCH,
                        format!(
                            "`{}` combines {} axes but this tuple has {} value{}",
                            shape.name,
                            shape.members.len(),
                            t.elems.len(),
                            plural(t.elems.len())
                        ),
                        self.label(&t.span, format!("expected {} values", shape.members.len())),
                    )
                    .with_help(format!("write ({})", names()));
                    self.report(d);
                    return None;
                }
                let mut parts = Vec::with_capacity(t.elems.len());
                for (e, member) in t.elems.iter().zip(&shape.members) {
                    parts.push(self.build_level(e, member)?);
                }
                Some(Level::Tuple(parts))
            }
            (ItemElem::Tuple(t), true) => {
                let d = Diagnostic::new(
                    codes::ARITY_MISMATCH,
                    format!("`{}` is a plain axis, so this position takes one value, not a tuple", shape.name),
                    self.label(&t.span, "a tuple here"),
                )
                .with_help("write a single level of the axis");
                self.report(d);
                None
            }
            (ItemElem::Value(v), false) => {
                let d = Diagnostic::new(
                    codes::ARITY_MISMATCH,
                    format!(
                        "`{}` is a {} of {} axes, so this position takes a tuple",
                        shape.name,
                        shape.kind,
                        shape.members.len()
                    ),
                    self.label(&v.span, "a single value here"),
                )
                .with_help(format!("write ({})", names()));
                self.report(d);
                None
            }
        }
    }

    /// Reports a level outside the domain of the live entry at `index`.
    fn outside_domain(&mut self, index: usize, level: &Level, origin: Origin) {
        let entry = &self.live[index];
        let shown = self.show_level(level);
        let mut d = Diagnostic::new(
            codes::VALUE_OUTSIDE_DOMAIN,
            format!("`{}` is not a level of `{}`", shown, entry.name),
            origin.label("not in the domain"),
        )
        .with_label(entry.decl.label(format!("`{}` declared here", entry.name)));
        if let Level::Atom(sym) = level {
            let suggestions = self.suggest(self.interner.get(*sym), || {
                entry
                    .levels
                    .iter()
                    .filter_map(|l| if let Level::Atom(s) = l { Some(self.interner.get(*s)) } else { None })
            });
            d = d.with_suggestions(suggestions);
        }
        if d.help.is_none() {
            d.help = Some(format!("`{}` has {}", entry.name, self.preview_levels(entry)));
        }
        self.report(d);
    }

    /// Maps an items CSV's header to the rule's axes: for each axis, the column indices of its
    /// leaf columns (one for a plain axis, several for a pair or tuple side).
    fn column_plan(
        &mut self,
        rule: &str,
        names: &[Name],
        indices: &[usize],
        included: &Included,
        file_ref: &FileRef,
    ) -> Option<Vec<Vec<usize>>> {
        let Some(header) = included.table.header.as_ref() else {
            self.report(self.items_need_csv(rule, file_ref));
            return None;
        };
        let header_names: Vec<&str> = header.cells.iter().map(|c| c.text.as_str()).collect();
        let mut expected: Vec<Vec<String>> = Vec::new();
        for (&index, written) in indices.iter().zip(names) {
            let entry = &self.live[index];
            if entry.is_atomic() {
                // A plain side's column is named as the rule names it, even when that is a tied axis.
                expected.push(vec![written.text.clone()]);
            } else {
                expected.push(self.atom_leaves(entry));
            }
        }
        let wanted: Vec<&str> = expected.iter().flatten().map(String::as_str).collect();
        let wanted_set: HashSet<&str> = wanted.iter().copied().collect();
        // Where each header name first stands; a name seen again is repeated.
        let mut header_position: HashMap<&str, usize> = HashMap::default();
        let mut repeated: Vec<&str> = Vec::new();
        for (i, name) in header_names.iter().enumerate() {
            if header_position.contains_key(name) {
                if !repeated.contains(name) {
                    repeated.push(name);
                }
            } else {
                header_position.insert(name, i);
            }
        }
        let missing: Vec<&str> = wanted.iter().filter(|w| !header_position.contains_key(*w)).copied().collect();
        let extra: Vec<&str> = header_names.iter().filter(|h| !wanted_set.contains(*h)).copied().collect();
        if !missing.is_empty() || !extra.is_empty() || !repeated.is_empty() {
            let mut problems = Vec::new();
            if !missing.is_empty() {
                problems.push(format!(
                    "missing {}",
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ));
            }
            if !extra.is_empty() {
                problems.push(format!(
                    "unexpected {}",
                    extra.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ));
            }
            if !repeated.is_empty() {
                problems.push(format!(
                    "repeated {}",
                    repeated.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ));
            }
            let d = Diagnostic::new(
                codes::FILE_BAD_HEADER,
                format!("the header of this file does not match rule `{}`: {}", rule, problems.join("; ")),
                Label::new(&included.path, header.span.clone(), "header row"),
            )
            .with_label(self.label(&file_ref.span, "included here"))
            .with_help(format!("the header must name exactly the columns {}", wanted.join(",")));
            self.report(d);
            return None;
        }
        Some(
            expected
                .iter()
                .map(|cols| cols.iter().map(|c| header_position.get(c.as_str()).copied().unwrap_or(0)).collect())
                .collect(),
        )
    }

    pub(super) fn items_need_csv(&self, rule: &str, file_ref: &FileRef) -> Diagnostic {
        Diagnostic::new(
            codes::FILE_BAD_EXTENSION,
            format!("the items of `{rule}` must come from a .csv file"),
            self.label(&file_ref.path_span, "not a CSV file"),
        )
        .with_help("items need a header naming the rule's axes; write them as a CSV file")
    }

    /// The plain-axis names under a composite entry, depth first.
    pub(super) fn atom_leaves(&self, entry: &Entry) -> Vec<String> {
        if entry.is_atomic() {
            return vec![entry.name.clone()];
        }
        entry.members().iter().filter_map(|m| self.all.get(*m)).flat_map(|m| self.atom_leaves(m)).collect()
    }

    fn level_of_cells(
        &mut self,
        record: &crate::table::Record,
        columns: &[usize],
        side: &Side,
        file: &FilePath,
        file_ref: &FileRef,
    ) -> Option<Level> {
        for &column in columns {
            if self.empty_cell(file, &record.cells[column], file_ref) {
                return None;
            }
        }
        let mut cells = columns.iter().map(|&c| &record.cells[c]);
        let level = self.level_from_cells(&side.shape, file, &mut cells);
        if side.domain.contains(&level) {
            return Some(level);
        }
        let span = if columns.len() == 1 {
            record.cells[columns[0]].span.clone()
        } else {
            record.cells[columns[0]].span.start..record.cells[*columns.last().unwrap_or(&0)].span.end
        };
        self.outside_domain(side.index, &level, Origin { file: file.clone(), span });
        None
    }

    pub(super) fn level_from_cells<'c>(
        &mut self,
        shape: &Shape,
        file: &FilePath,
        cells: &mut impl Iterator<Item = &'c Cell>,
    ) -> Level {
        if shape.members.is_empty() {
            let Some(cell) = cells.next() else { return Level::Atom(self.interner.intern("")) };
            let sym = self.interner.intern(&cell.text);
            let origin = Origin { file: file.clone(), span: cell.span.clone() };
            self.occurrences.push(Occurrence { axis: shape.name.clone(), value: sym, origin });
            return Level::Atom(sym);
        }
        Level::Tuple(shape.members.iter().map(|m| self.level_from_cells(m, file, cells)).collect())
    }

    pub(super) fn balanced(
        &mut self,
        s: &ast::PairStmt,
        balance: Balance,
        span: &Span,
        levels: &[Level],
        origins: &[Origin],
    ) -> bool {
        let sides: &[(usize, &str)] = match balance {
            Balance::Left => &[(0, "left")],
            Balance::Right => &[(1, "right")],
            Balance::Both => &[(0, "left"), (1, "right")],
        };
        let mut ok = true;
        for &(side, word) in sides {
            let mut counts: Vec<(&Level, usize, usize)> = Vec::new();
            let mut slot: HashMap<&Level, usize> = HashMap::default();
            for (i, level) in levels.iter().enumerate() {
                let Level::Tuple(parts) = level else { continue };
                match slot.get(&parts[side]) {
                    Some(&k) => counts[k].1 += 1,
                    None => {
                        slot.insert(&parts[side], counts.len());
                        counts.push((&parts[side], 1, i));
                    }
                }
            }
            let min = counts.iter().map(|c| c.1).min().unwrap_or(0);
            let max = counts.iter().map(|c| c.1).max().unwrap_or(0);
            if min == max {
                continue;
            }
            ok = false;
            let shown: Vec<String> =
                counts.iter().map(|(l, n, _)| format!("`{}` ×{}", self.show_level(l), n)).collect();
            let mut d = Diagnostic::new(
                codes::BALANCE_VIOLATION,
                format!("pair `{}` is not balanced on the {} side: {}", s.name.text, word, shown.join(", ")),
                self.label(span, format!("every {word} value must appear equally often")),
            )
            .with_help(format!("add or remove items so each {word} value appears {max} times, or drop `balance`"));
            for (level, n, first) in counts.iter().filter(|c| c.1 == min).take(3) {
                let shown = self.show_level(level);
                d = d.with_label(origins[*first].label(format!("`{shown}` appears only {n} time{}", plural(*n))));
            }
            self.report(d);
        }
        ok
    }

    fn show_level(&self, level: &Level) -> String {
        match level {
            Level::Atom(sym) => self.interner.get(*sym).to_string(),
            Level::Tuple(parts) => {
                format!("({})", parts.iter().map(|p| self.show_level(p)).collect::<Vec<_>>().join(", "))
            }
        }
    }

    pub(super) fn preview_levels(&self, entry: &Entry) -> String {
        let shown: Vec<String> = entry.levels.iter().take(5).map(|l| format!("`{}`", self.show_level(l))).collect();
        let more = entry.levels.len().saturating_sub(5);
        if more > 0 {
            format!("levels {} and {} more", shown.join(", "), more)
        } else {
            format!("levels {}", shown.join(", "))
        }
    }
}
