//! Declaring axes: inline lists, ranges, level files and the axes a tuple binds, within the level budget.

use super::*;

impl Analyzer<'_> {
    /// Collects declared axes, then the axes that tuples bind, appended in first-appearance order.
    pub(super) fn declare_axes(&mut self, file: &ast::SpecFile) {
        let mut declared: HashMap<String, Span> = HashMap::default();
        for statement in &file.statements {
            let Statement::Axis(axis) = statement else { continue };
            if let Some(first) = declared.get(&axis.name.text) {
                let d = Diagnostic::new(
                    codes::DUPLICATE_AXIS,
                    format!("axis `{}` is declared twice", axis.name.text),
                    self.label(&axis.name.span, "declared again here"),
                )
                .with_label(self.label(first, "first declared here"))
                .with_help("merge the two level lists into one declaration");
                self.report(d);
                continue;
            }
            declared.insert(axis.name.text.clone(), axis.name.span.clone());
            let Some(values) = self.levels(&axis.levels, Some(&axis.name.text)) else {
                self.poisoned.insert(axis.name.text.clone());
                continue;
            };
            let decl = self.origin(&axis.name.span);
            let entry = self.plain_entry(&axis.name.text, decl.clone(), values, &axis.levels);
            if entry.levels.is_empty() {
                let d = Diagnostic::new(
                    codes::EMPTY_AXIS,
                    format!("axis `{}` has no levels", axis.name.text),
                    self.label(&axis.levels.span(), "no levels here"),
                )
                .with_help("an axis with no levels makes the product empty; list at least one level");
                self.report(d);
                self.poisoned.insert(axis.name.text.clone());
                continue;
            }
            self.axis_fact.insert(entry.name.clone(), self.axes.len());
            self.axes.push(AxisFact {
                name: entry.name.clone(),
                decl,
                declared_levels: entry.levels.len(),
                consumed_by: None,
            });
            self.live.push(entry);
        }
        // Tuple-bound axes come after the declared ones, in order of first appearance.
        let rule_names: HashSet<&str> = file
            .statements
            .iter()
            .filter_map(|s| match s {
                Statement::Tie(t) => Some(t.name.text.as_str()),
                Statement::Pair(p) => Some(p.name.text.as_str()),
                Statement::Tuple(t) => Some(t.name.text.as_str()),
                _ => None,
            })
            .collect();
        let mut derived: Vec<(String, Span)> = Vec::new();
        let mut derived_names: HashSet<String> = HashSet::default();
        for statement in &file.statements {
            let Statement::Tuple(tuple) = statement else { continue };
            for axis in &tuple.axes {
                if let Some(decl_span) = declared.get(&axis.text) {
                    let d = Diagnostic::new(
                        codes::AXIS_DECLARED_AND_TUPLED,
                        format!(
                            "axis `{}` is declared with `axis` and also bound by tuple `{}`",
                            axis.text, tuple.name.text
                        ),
                        self.label(&axis.span, "bound by this tuple"),
                    )
                    .with_label(self.label(decl_span, "declared here"))
                    .with_help(format!(
                        "a tuple defines the levels of its axes: remove `axis {}` or use a `pair`/`subset` instead",
                        axis.text
                    ));
                    self.report(d);
                    continue;
                }
                // A rule's name in a tuple refers to that rule, not to a new axis.
                if rule_names.contains(axis.text.as_str()) || !derived_names.insert(axis.text.clone()) {
                    continue;
                }
                derived.push((axis.text.clone(), axis.span.clone()));
            }
        }
        let mut values_of = self.tuple_axis_values(file, &derived_names);
        for (name, span) in derived {
            let values = values_of.remove(&name).unwrap_or_default();
            let decl = self.origin(&span);
            let mut entry = Entry {
                name: name.clone(),
                depth: 0,
                decl: decl.clone(),
                kind: EntryKind::Plain,
                levels: Vec::new(),
                origins: Vec::new(),
                domain: Default::default(),
            };
            let mut seen = HashSet::default();
            for (sym, origin) in values {
                if seen.insert(sym) {
                    entry.levels.push(Level::Atom(sym));
                    entry.origins.push(origin);
                }
            }
            if entry.levels.is_empty() {
                // No item gave this axis a level; the tuple says why when its turn comes.
                self.poisoned.insert(name.clone());
                self.levelless_tuple_axes.insert(name);
                continue;
            }
            self.axis_fact.insert(entry.name.clone(), self.axes.len());
            self.axes.push(AxisFact {
                name: name.clone(),
                decl,
                declared_levels: entry.levels.len(),
                consumed_by: None,
            });
            self.live.push(entry);
        }
    }

    /// The values in each derived axis's position of every tuple that binds it, from lists and
    /// files, in one pass over the tuples.
    fn tuple_axis_values(
        &mut self,
        file: &ast::SpecFile,
        derived: &HashSet<String>,
    ) -> HashMap<String, Vec<(Sym, Origin)>> {
        let mut values: HashMap<String, Vec<(Sym, Origin)>> = HashMap::default();
        for statement in &file.statements {
            let Statement::Tuple(tuple) = statement else { continue };
            // Only an axis's first position counts: naming it twice is reported by the tuple.
            let mut seen: HashSet<&str> = HashSet::default();
            let positions: Vec<(usize, &str)> = tuple
                .axes
                .iter()
                .enumerate()
                .filter(|(_, a)| derived.contains(&a.text) && seen.insert(a.text.as_str()))
                .map(|(k, a)| (k, a.text.as_str()))
                .collect();
            if positions.is_empty() {
                continue;
            }
            match &tuple.items {
                Items::List { items, .. } => {
                    for item in items {
                        if item.elems.len() != tuple.axes.len() {
                            continue;
                        }
                        for &(position, name) in &positions {
                            if let Some(ItemElem::Value(v)) = item.elems.get(position) {
                                let sym = self.interner.intern(&v.text);
                                let origin = self.origin(&v.span);
                                values.entry(name.to_string()).or_default().push((sym, origin));
                            }
                        }
                    }
                }
                Items::File(file_ref) => {
                    // Header problems are reported when the tuple itself runs; a file that cannot
                    // be read is reported here, since without it the tuple's axes have no levels.
                    let included = match self.resolver.resolve(file_ref) {
                        Ok(included) => included,
                        Err(d) => {
                            self.report(*d);
                            continue;
                        }
                    };
                    let Some(header) = &included.table.header else {
                        let d = self.items_need_csv(&tuple.name.text, file_ref);
                        self.report(d);
                        continue;
                    };
                    // Every tuple over one file copies its cells, so they count against the budget.
                    if !self.take_levels(included.table.records.len() * positions.len(), &file_ref.span) {
                        continue;
                    }
                    let columns: HashMap<&str, usize> =
                        header.cells.iter().enumerate().map(|(i, c)| (c.text.as_str(), i)).rev().collect();
                    for &(_, name) in &positions {
                        let Some(&column) = columns.get(name) else { continue };
                        let axis_values = values.entry(name.to_string()).or_default();
                        for record in &included.table.records {
                            let cell = &record.cells[column];
                            if cell.text.is_empty() {
                                continue;
                            }
                            let sym = self.interner.intern(&cell.text);
                            axis_values.push((sym, Origin { file: included.path.clone(), span: cell.span.clone() }));
                        }
                    }
                }
            }
        }
        values
    }

    fn plain_entry(&mut self, name: &str, decl: Origin, values: Vec<(Sym, Origin)>, levels: &Levels) -> Entry {
        let mut entry = Entry {
            name: name.to_string(),
            depth: 0,
            decl,
            kind: EntryKind::Plain,
            levels: Vec::new(),
            origins: Vec::new(),
            domain: Default::default(),
        };
        let mut first_seen: HashMap<Sym, usize> = HashMap::with_capacity_and_hasher(values.len(), Default::default());
        entry.levels.reserve(values.len());
        entry.origins.reserve(values.len());
        self.occurrences.reserve(values.len());
        self.interner.reserve(values.len());
        let axis: Arc<str> = Arc::from(name);
        for (sym, origin) in values {
            self.occurrences.push(Occurrence { axis: axis.clone(), value: sym, origin: origin.clone() });
            if let Some(&index) = first_seen.get(&sym) {
                if !matches!(levels, Levels::Range(_)) {
                    let d = Diagnostic::new(
                        codes::DUPLICATE_LEVEL,
                        format!(
                            "level `{}` of axis `{}` is listed twice; the repeat is dropped",
                            self.interner.get(sym),
                            name
                        ),
                        origin.label("repeated here"),
                    )
                    .with_label(entry.origins[index].label("first listed here"));
                    self.report(d);
                }
                continue;
            }
            first_seen.insert(sym, entry.levels.len());
            entry.levels.push(Level::Atom(sym));
            entry.origins.push(origin);
        }
        entry
    }

    /// Evaluates LEVELS (list, range or file) to values with their origins, reporting problems.
    /// Returns None when a problem was reported, so callers do not pile a second error on it.
    pub(super) fn levels(&mut self, levels: &Levels, axis: Option<&str>) -> Option<Vec<(Sym, Origin)>> {
        match levels {
            Levels::List(list) => {
                if !self.take_levels(list.values.len(), &list.span) {
                    return None;
                }
                Some(list.values.iter().map(|v| (self.interner.intern(&v.text), self.origin(&v.span))).collect())
            }
            Levels::Range(range) => {
                if range.start > range.end {
                    let d = Diagnostic::new(
                        codes::REVERSED_RANGE,
                        format!("range `{}..{}` is reversed", range.start, range.end),
                        self.label(&range.span, "start is greater than end"),
                    )
                    .with_help(format!(
                        "write `{}..{}`; ranges count up and include both ends",
                        range.end, range.start
                    ));
                    self.report(d);
                    return None;
                }
                let size = (range.end as i128) - (range.start as i128) + 1;
                if size > MAX_RANGE_LEVELS as i128 {
                    let d = Diagnostic::new(
                        codes::RANGE_TOO_LARGE,
                        format!(
                            "range `{}..{}` has {} levels, more than the limit of {}",
                            range.start, range.end, size, MAX_RANGE_LEVELS
                        ),
                        self.label(&range.span, "too many levels"),
                    )
                    .with_help("check the bounds; replicate ranges are usually small, such as `1..3`");
                    self.report(d);
                    return None;
                }
                if !self.take_levels(size as usize, &range.span) {
                    return None;
                }
                let origin = self.origin(&range.span);
                Some(
                    (range.start..=range.end).map(|n| (self.interner.intern(&n.to_string()), origin.clone())).collect(),
                )
            }
            Levels::File(file_ref) => self.level_file(file_ref, axis),
        }
    }

    fn level_file(&mut self, file_ref: &FileRef, axis: Option<&str>) -> Option<Vec<(Sym, Origin)>> {
        let included = match self.resolver.resolve(file_ref) {
            Ok(included) => included,
            Err(d) => {
                self.report(*d);
                return None;
            }
        };
        let file = included.path.clone();
        if !self.take_levels(included.table.records.len(), &file_ref.span) {
            return None;
        }
        if let Some(header) = &included.table.header {
            if header.cells.len() != 1 {
                let names: Vec<&str> = header.cells.iter().map(|c| c.text.as_str()).collect();
                let d = Diagnostic::new(
                    codes::FILE_BAD_HEADER,
                    format!(
                        "a level file must have exactly one column, but this header has {}: {}",
                        names.len(),
                        names.join(", ")
                    ),
                    Label::new(&file, header.span.clone(), "header row"),
                )
                .with_label(self.label(&file_ref.span, "included here"))
                .with_help(match axis {
                    Some(axis) => format!("keep one column, named `{axis}`, with one level per row"),
                    None => "keep one column with one level per row".to_string(),
                });
                self.report(d);
                return None;
            }
        }
        let mut values = Vec::new();
        let mut failed = false;
        for record in &included.table.records {
            let cell = &record.cells[0];
            if self.empty_cell(&file, cell, file_ref) {
                failed = true;
                continue;
            }
            values.push((self.interner.intern(&cell.text), Origin { file: file.clone(), span: cell.span.clone() }));
        }
        (!failed).then_some(values)
    }

    /// Reports an empty cell; returns whether it was empty.
    pub(super) fn empty_cell(&mut self, file: &FilePath, cell: &Cell, file_ref: &FileRef) -> bool {
        if !cell.text.trim().is_empty() {
            return false;
        }
        let d = Diagnostic::new(
            codes::FILE_EMPTY_CELL,
            "empty cell in an included file",
            Label::new(file, cell.span.clone(), "this cell is empty"),
        )
        .with_label(self.label(&file_ref.span, "included here"))
        .with_help("every cell must hold a value; fill it in or delete the row");
        self.report(d);
        true
    }
}
