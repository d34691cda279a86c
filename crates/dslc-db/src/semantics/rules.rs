//! Rules in order: name resolution (with tie aliases and did-you-mean), subset, tie, pair and tuple.

use super::*;

impl Analyzer<'_> {
    /// Finds the live entry a rule means by `name`, following ties.
    pub(super) fn resolve(&self, name: &Name, rule: &str) -> Result<usize, Unresolved> {
        let mut target = name.text.as_str();
        let mut hops = 0;
        while let Some(tie) = self.tie_alias.get(target) {
            if self.live.contains(target) || hops > self.tie_alias.len() {
                break;
            }
            target = tie;
            hops += 1;
        }
        if let Some(index) = self.live.position(target) {
            return Ok(index);
        }
        if let Some((consumer, origin)) = self.consumed.get(target) {
            let via = if target != name.text { format!(" (through tie `{target}`)") } else { String::new() };
            let d = Diagnostic::new(
                codes::AXIS_CONSUMED,
                format!("axis `{}`{} was already consumed by rule `{}`", name.text, via, consumer),
                self.label(&name.span, format!("used again by `{rule}`")),
            )
            .with_label(origin.label(format!("consumed by `{consumer}` here")))
            .with_help(format!(
                "an axis belongs to one pair or tuple; refer to `{consumer}` instead, or combine the two rules"
            ));
            return Err(Unresolved::Reported(Box::new(d)));
        }
        if self.poisoned.contains(target) {
            return Err(Unresolved::Silent);
        }
        let suggestions = self.suggest(&name.text, || {
            self.live
                .iter()
                .map(|(_, e)| e.name.as_str())
                .chain(self.consumed.keys().map(String::as_str))
                .chain(self.tie_alias.keys().map(String::as_str))
        });
        let mut d = Diagnostic::new(
            codes::UNKNOWN_AXIS,
            format!("unknown axis `{}`", name.text),
            self.label(&name.span, "not declared"),
        )
        .with_suggestions(suggestions);
        if d.help.is_none() {
            d.help = Some(format!("declare it with `axis {} = [...]` or bind it with a `tuple`", name.text));
        }
        Err(Unresolved::Reported(Box::new(d)))
    }

    fn resolve_all(&mut self, names: &[Name], rule: &str) -> Option<Vec<usize>> {
        let mut indices = Vec::new();
        let mut failed = false;
        for name in names {
            match self.resolve(name, rule) {
                Ok(index) => indices.push(index),
                Err(Unresolved::Reported(d)) => {
                    self.report(*d);
                    failed = true;
                }
                Err(Unresolved::Silent) => failed = true,
            }
        }
        (!failed).then_some(indices)
    }

    /// Records a rule name; reports clashes with other rules and with axes.
    fn claim_rule_name(&mut self, name: &Name, own_axes: &[&str]) -> bool {
        if let Some(first) = self.rule_names.get(&name.text) {
            let d = Diagnostic::new(
                codes::DUPLICATE_RULE,
                format!("rule name `{}` is used twice", name.text),
                self.label(&name.span, "used again here"),
            )
            .with_label(first.label("first used here"))
            .with_help("give each rule its own name");
            self.report(d);
            return false;
        }
        // A rule may take the name of an axis it combines, but only of one that is still live under
        // that name: an axis already tied away means its tie, and naming a rule after it would
        // make the tie and the rule refer to each other.
        let named_after_own_axis = own_axes.contains(&name.text.as_str()) && self.live.contains(&name.text);
        let clashes_with_axis = !named_after_own_axis
            && (self.live.contains(&name.text)
                || self.consumed.contains_key(&name.text)
                || self.tie_alias.contains_key(&name.text));
        if clashes_with_axis {
            let d = Diagnostic::new(
                codes::RULE_NAME_CLASH,
                format!("rule name `{}` is already the name of an axis", name.text),
                self.label(&name.span, "clashes with an axis"),
            )
            .with_help(
                "rename the rule; rule names become columns while the rows are built, so they must not shadow axes",
            );
            self.report(d);
            return false;
        }
        self.rule_names.insert(name.text.clone(), self.origin(&name.span));
        self.rule_order.push(name.text.clone());
        true
    }

    pub(super) fn subset(&mut self, s: &ast::SubsetStmt) {
        let index = match self.resolve(&s.axis, "subset") {
            Ok(index) => index,
            Err(Unresolved::Reported(d)) => return self.report(*d),
            Err(Unresolved::Silent) => return,
        };
        let Some(values) = self.levels(&s.levels, Some(&s.axis.text)) else { return };
        if !self.live[index].is_atomic() {
            let d = Diagnostic::new(
                codes::NOT_A_PLAIN_AXIS,
                format!(
                    "`{}` is a {} of combinations; `subset` keeps levels of a plain axis",
                    s.axis.text,
                    kind_word(&self.live[index].kind)
                ),
                self.label(&s.axis.span, "not a plain axis"),
            )
            .with_help("subset one of its axes before the rule that combines them");
            return self.report(d);
        }
        let entry_name = self.live[index].name.clone();
        let axis: Arc<str> = Arc::from(entry_name.as_str());
        for (sym, origin) in &values {
            self.occurrences.push(Occurrence { axis: axis.clone(), value: *sym, origin: origin.clone() });
        }
        let keep: HashSet<Sym> = values.iter().map(|(sym, _)| *sym).collect();
        let domain = self.live[index].domain();
        for (sym, origin) in &values {
            if !domain.contains(&Level::Atom(*sym)) {
                let suggestions = self.suggest(self.interner.get(*sym), || {
                    self.live[index].levels.iter().filter_map(|l| {
                        if let Level::Atom(s) = l {
                            Some(self.interner.get(*s))
                        } else {
                            None
                        }
                    })
                });
                let d = Diagnostic::new(
                    codes::SUBSET_VALUE_NOT_LEVEL,
                    format!("`{}` is not a level of axis `{}`; it has no effect", self.interner.get(*sym), entry_name),
                    origin.label("not a level"),
                )
                .with_suggestions(suggestions);
                self.report(d);
            }
        }
        let before = self.live[index].levels.len();
        let entry = &self.live[index];
        // A subset that keeps nothing is refused without walking the axis: a spec may repeat it.
        let keeps_any = keep.iter().any(|sym| domain.contains(&Level::Atom(*sym)));
        let kept: Vec<(Level, Origin)> = if !keeps_any {
            Vec::new()
        } else {
            entry
                .levels
                .iter()
                .zip(&entry.origins)
                .filter(|(l, _)| matches!(l, Level::Atom(s) if keep.contains(s)))
                .map(|(l, o)| (l.clone(), o.clone()))
                .collect()
        };
        if kept.is_empty() {
            let d = Diagnostic::new(
                codes::SUBSET_EMPTIES_AXIS,
                format!("subset leaves axis `{entry_name}` with no levels"),
                self.label(&s.levels.span(), "none of these is a level"),
            )
            .with_label(entry.decl.label(format!("`{entry_name}` declared here")))
            .with_help("list at least one level the axis has");
            return self.report(d);
        }
        let entry = &mut self.live[index];
        entry.levels = kept.iter().map(|(l, _)| l.clone()).collect();
        entry.origins = kept.into_iter().map(|(_, o)| o).collect();
        entry.domain = std::cell::OnceCell::new();
        let after = entry.levels.len();
        if after == before {
            let d = Diagnostic::new(
                codes::SUBSET_KEEPS_ALL,
                format!("subset keeps every level of `{entry_name}` ({before}); it changes nothing"),
                self.label(&s.span, "keeps every level"),
            )
            .with_help("remove the subset, or list only the levels to keep");
            self.report(d);
        }
        self.rules.push(RuleFact {
            name: format!("subset {entry_name}"),
            kind: "subset",
            span: s.span.clone(),
            before: vec![(entry_name, before)],
            after,
        });
    }

    /// The common start of `tie` and `tuple`: claim the name, need axes, resolve each axis once.
    fn rule_axes(
        &mut self,
        kind: &str,
        name: &Name,
        axes: &[Name],
        axes_span: &Span,
        own_axes: &[&str],
    ) -> Option<Vec<usize>> {
        if !self.claim_rule_name(name, own_axes) {
            self.poisoned.insert(name.text.clone());
            return None;
        }
        if !self.enough_axes(kind, name, axes, axes_span) {
            return None;
        }
        let Some(indices) = self.resolve_all(axes, &name.text) else {
            self.poisoned.insert(name.text.clone());
            return None;
        };
        self.distinct_indices(&indices, axes, &name.text).then_some(indices)
    }

    pub(super) fn tie(&mut self, s: &ast::TieStmt) {
        let own: Vec<&str> = s.axes.iter().map(|a| a.text.as_str()).collect();
        let Some(indices) = self.rule_axes("tie", &s.name, &s.axes, &s.axes_span, &own) else { return };
        for (&index, axis) in indices.iter().zip(&s.axes) {
            if !self.live[index].is_atomic() {
                let d = Diagnostic::new(
                    codes::NOT_A_PLAIN_AXIS,
                    format!(
                        "`{}` is a {} of combinations and cannot be tied",
                        axis.text,
                        kind_word(&self.live[index].kind)
                    ),
                    self.label(&axis.span, "not a plain axis"),
                )
                .with_help("tie the plain axes before combining them");
                self.poisoned.insert(s.name.text.clone());
                return self.report(d);
            }
        }
        // The ordered intersection keeps the first axis's order.
        let first = &self.live[indices[0]];
        let sets: Vec<Arc<HashSet<Level>>> = indices[1..].iter().map(|&i| self.live[i].domain()).collect();
        let mut levels = Vec::new();
        let mut origins = Vec::new();
        for (level, origin) in first.levels.iter().zip(&first.origins) {
            if sets.iter().all(|set| set.contains(level)) {
                levels.push(level.clone());
                origins.push(origin.clone());
            }
        }
        let before: Vec<(String, usize)> =
            indices.iter().map(|&i| (self.live[i].name.clone(), self.live[i].levels.len())).collect();
        if levels.is_empty() {
            let mut d = Diagnostic::new(
                codes::EMPTY_TIE,
                format!("tie `{}`: the axes {} share no level", s.name.text, quoted_names(&s.axes)),
                self.label(&s.axes_span, "no common level"),
            )
            .with_help("a tie keeps the levels all its axes have; make their level lists overlap");
            for &index in &indices {
                let entry = &self.live[index];
                let preview = self.preview_levels(entry);
                d = d.with_label(entry.decl.label(format!("`{}` has {}", entry.name, preview)));
            }
            self.poisoned.insert(s.name.text.clone());
            return self.report(d);
        }
        let Some(depth) = self.rule_depth(&s.name, &indices) else { return };
        let member_names: Vec<String> = indices.iter().map(|&i| self.live[i].name.clone()).collect();
        // A tie named after one of its axes keeps that axis's place; otherwise it takes the lowest.
        let position = match member_names.iter().position(|m| m == &s.name.text) {
            Some(k) => indices[k],
            None => *indices.iter().min().unwrap_or(&0),
        };
        let decl = self.origin(&s.name.span);
        let entry = Entry {
            name: s.name.text.clone(),
            depth,
            decl: decl.clone(),
            kind: EntryKind::Tie { members: member_names.clone() },
            levels,
            origins,
            domain: Default::default(),
        };
        let after = entry.levels.len();
        self.replace(&indices, position, entry, &decl);
        for member in &member_names {
            if member != &s.name.text {
                self.tie_alias.insert(member.clone(), s.name.text.clone());
            }
        }
        self.rules.push(RuleFact { name: s.name.text.clone(), kind: "tie", span: s.span.clone(), before, after });
    }

    /// A tie or tuple needs an axis; with only one it still works (the old system allowed it) but
    /// is almost always a slip, so it warns. Returns whether the rule can go on.
    fn enough_axes(&mut self, kind: &str, name: &Name, axes: &[Name], span: &Span) -> bool {
        if axes.is_empty() {
            let d = Diagnostic::new(
                codes::TOO_FEW_AXES,
                format!("{kind} `{}` lists no axes", name.text),
                self.label(span, "no axes"),
            )
            .with_help("name the axes the rule combines, e.g. `(draft_llm, essay_llm)`");
            self.poisoned.insert(name.text.clone());
            self.report(d);
            return false;
        }
        if axes.len() == 1 {
            let help = if kind == "tie" {
                "a tie of one axis only renames it; name two or more axes to make them take the same value"
            } else {
                "a tuple of one axis acts as a `subset`; write `subset` instead, or add the axes it should combine"
            };
            let d = Diagnostic::new(
                codes::SINGLE_AXIS_RULE,
                format!("{kind} `{}` has a single axis", name.text),
                self.label(span, "one axis"),
            )
            .with_help(help);
            self.report(d);
        }
        true
    }

    /// Reports an axis listed twice in one rule; returns whether all are distinct.
    fn distinct_indices(&mut self, indices: &[usize], names: &[Name], rule: &str) -> bool {
        let mut first_named: HashMap<usize, usize> = HashMap::default();
        for (k, index) in indices.iter().enumerate() {
            if let Some(&j) = first_named.get(index) {
                let d = Diagnostic::new(
                    codes::PAIR_SAME_AXIS,
                    format!("rule `{}` names axis `{}` twice", rule, self.live[*index].name),
                    self.label(&names[k].span, "same axis again"),
                )
                .with_label(self.label(&names[j].span, "first named here"))
                .with_help("a rule combines different axes; name each axis once");
                self.report(d);
                self.poisoned.insert(rule.to_string());
                return false;
            }
            first_named.insert(*index, k);
        }
        true
    }

    /// Removes the entries at `indices`, putting `entry` where the one at `position` stood.
    pub(super) fn replace(&mut self, indices: &[usize], position: usize, entry: Entry, by: &Origin) {
        for &index in indices {
            let old = self.live.take(index);
            self.consumed.insert(old.name.clone(), (entry.name.clone(), by.clone()));
            if let Some(&fact) = self.axis_fact.get(&old.name) {
                self.axes[fact].consumed_by = Some(entry.name.clone());
            }
            self.all.insert(old.name.clone(), old);
        }
        self.live.put(position, entry);
    }

    pub(super) fn pair(&mut self, s: &ast::PairStmt) {
        if !self.claim_rule_name(&s.name, &[]) {
            self.poisoned.insert(s.name.text.clone());
            return;
        }
        let names = [s.left.clone(), s.right.clone()];
        let Some(indices) = self.resolve_all(&names, &s.name.text) else {
            self.poisoned.insert(s.name.text.clone());
            return;
        };
        if indices[0] == indices[1] {
            let d = Diagnostic::new(
                codes::PAIR_SAME_AXIS,
                format!("pair `{}` pairs axis `{}` with itself", s.name.text, self.live[indices[0]].name),
                self.label(&s.right.span, "same axis as the left side"),
            )
            .with_label(self.label(&s.left.span, "left side"))
            .with_help("a pair combines two different axes; use `subset` to keep some levels of one axis");
            self.poisoned.insert(s.name.text.clone());
            return self.report(d);
        }
        let items = self.items(&s.name.text, "pair", &names, &indices, &s.items);
        let Some((levels, origins)) = items else {
            self.poisoned.insert(s.name.text.clone());
            return;
        };
        if let Some((balance, span)) = &s.balance {
            if !self.balanced(s, *balance, span, &levels, &origins) {
                self.poisoned.insert(s.name.text.clone());
                return;
            }
        }
        let Some(depth) = self.rule_depth(&s.name, &indices) else { return };
        let kind =
            EntryKind::Pair { left: self.live[indices[0]].name.clone(), right: self.live[indices[1]].name.clone() };
        let dead_if_full = matches!(s.items, Items::List { .. });
        self.install_combination(&s.name, &s.span, &indices, depth, kind, (levels, origins), dead_if_full);
    }

    /// Puts a pair's or tuple's entry in place of its axes (at the lowest of their places) and
    /// records the rule's fact. With `dead_if_full`, items that list every combination of the
    /// axes' levels are reported (W0218). Items files are not: they are often lists of allowed
    /// combinations shared by several cohorts, complete for one of them by chance.
    #[allow(clippy::too_many_arguments)]
    fn install_combination(
        &mut self,
        name: &Name,
        span: &Span,
        indices: &[usize],
        depth: usize,
        kind: EntryKind,
        (levels, origins): (Vec<Level>, Vec<Origin>),
        dead_if_full: bool,
    ) {
        let before: Vec<(String, usize)> =
            indices.iter().map(|&i| (self.live[i].name.clone(), self.live[i].levels.len())).collect();
        let decl = self.origin(&name.span);
        let rule = kind_word(&kind);
        let entry = Entry {
            name: name.text.clone(),
            depth,
            decl: decl.clone(),
            kind,
            levels,
            origins,
            domain: Default::default(),
        };
        let after = entry.levels.len();
        // Items that list every combination of two or more axes narrow nothing: the rule only
        // binds the axes into one factor. Distinct items within the domains make this a count.
        let product = before.iter().try_fold(1usize, |acc, (_, n)| acc.checked_mul(*n));
        if dead_if_full && before.len() >= 2 && after >= 2 && product == Some(after) {
            let sizes: Vec<String> = before.iter().map(|(axis, n)| format!("`{axis}` ({n})")).collect();
            let d = Diagnostic::new(
                codes::ITEMS_LIST_FULL_PRODUCT,
                format!(
                    "{rule} `{}` lists all {after} combinations of {}; it narrows nothing",
                    name.text,
                    sizes.join(" × ")
                ),
                decl.label("every combination"),
            )
            .with_help(
                "keep only the combinations that belong together, or declare the axes without the rule \
                 (their columns then keep the plain axes' order)",
            );
            self.report(d);
        }
        let position = *indices.iter().min().unwrap_or(&0);
        self.replace(indices, position, entry, &decl);
        self.rules.push(RuleFact { name: name.text.clone(), kind: rule, span: span.clone(), before, after });
    }

    pub(super) fn tuple(&mut self, s: &ast::TupleStmt) {
        if s.axes.iter().any(|a| self.levelless_tuple_axes.contains(&a.text)) {
            // The name is still claimed, so a later rule of the same name is reported.
            self.claim_rule_name(&s.name, &[]);
            self.poisoned.insert(s.name.text.clone());
            return self.unusable_tuple_items(s);
        }
        let Some(indices) = self.rule_axes("tuple", &s.name, &s.axes, &s.axes_span, &[]) else { return };
        let Some(depth) = self.rule_depth(&s.name, &indices) else { return };
        let Some((levels, origins)) = self.items(&s.name.text, "tuple", &s.axes, &indices, &s.items) else {
            self.poisoned.insert(s.name.text.clone());
            return;
        };
        let members = indices.iter().map(|&i| self.live[i].name.clone()).collect();
        // An axis this tuple defines takes its levels from the items, so listing all of their
        // combinations is how such axes are declared, not a rule without effect.
        let defines_axes = indices.iter().any(|&i| {
            let decl = &self.live[i].decl;
            *decl.file == *self.spec && s.span.start <= decl.span.start && decl.span.end <= s.span.end
        });
        let dead_if_full = matches!(s.items, Items::List { .. }) && !defines_axes;
        let kind = EntryKind::Tuple { members };
        self.install_combination(&s.name, &s.span, &indices, depth, kind, (levels, origins), dead_if_full);
    }

    /// Explains why a tuple gave one of its own axes no level at all: every item has the wrong
    /// number of values or a nested tuple in that axis's place, or the items file lacks its column.
    fn unusable_tuple_items(&mut self, s: &ast::TupleStmt) {
        let levelless: Vec<&Name> = s.axes.iter().filter(|a| self.levelless_tuple_axes.contains(&a.text)).collect();
        match &s.items {
            Items::List { items, span } => {
                if items.is_empty() {
                    let _: Option<()> = self.no_items(&s.name.text, "tuple", span);
                    return;
                }
                for item in items {
                    if item.elems.len() != s.axes.len() {
                        let d = self.arity_error(&item.span, item.elems.len(), "tuple", &s.name.text, &s.axes);
                        self.report(d);
                        continue;
                    }
                    for (elem, axis) in item.elems.iter().zip(&s.axes) {
                        if let (ItemElem::Tuple(t), true) = (elem, levelless.contains(&axis)) {
                            let d = Diagnostic::new(
                                codes::ARITY_MISMATCH,
                                format!(
                                    "`{}` is a plain axis, so this position takes one value, not a tuple",
                                    axis.text
                                ),
                                self.label(&t.span, "a tuple here"),
                            )
                            .with_help("write a single level of the axis");
                            self.report(d);
                        }
                    }
                }
            }
            Items::File(file_ref) => {
                // Unreadable files were reported while the axes were collected.
                let Ok(included) = self.resolver.resolve(file_ref) else { return };
                let Some(header) = &included.table.header else { return };
                let missing: Vec<String> = levelless
                    .iter()
                    .filter(|a| !header.cells.iter().any(|c| c.text == a.text))
                    .map(|a| format!("`{}`", a.text))
                    .collect();
                if missing.is_empty() {
                    // The columns are there, so the file has no rows or only blank cells in them.
                    let blank = levelless.iter().find_map(|axis| {
                        let column = header.cells.iter().position(|c| c.text == axis.text)?;
                        included.table.records.first().map(|record| record.cells[column].clone())
                    });
                    match blank {
                        Some(cell) => {
                            self.empty_cell(&included.path, &cell, file_ref);
                        }
                        None => {
                            let _: Option<()> = self.no_items(&s.name.text, "tuple", &file_ref.span);
                        }
                    }
                    return;
                }
                let wanted: Vec<&str> = s.axes.iter().map(|a| a.text.as_str()).collect();
                let d = Diagnostic::new(
                    codes::FILE_BAD_HEADER,
                    format!(
                        "the header of this file does not match rule `{}`: missing {}",
                        s.name.text,
                        missing.join(", ")
                    ),
                    Label::new(&included.path, header.span.clone(), "header row"),
                )
                .with_label(self.label(&file_ref.span, "included here"))
                .with_help(format!("the header must name exactly the columns {}", wanted.join(",")));
                self.report(d);
            }
        }
    }

    /// An item with the wrong number of values for a rule over `names`.
    pub(super) fn arity_error(&self, span: &Span, found: usize, kind: &str, rule: &str, names: &[Name]) -> Diagnostic {
        Diagnostic::new(
            codes::ARITY_MISMATCH,
            format!(
                "this item has {} value{} but {} `{}` combines {} axes",
                found,
                plural(found),
                kind,
                rule,
                names.len()
            ),
            self.label(span, format!("expected {} values", names.len())),
        )
        .with_help(format!("write one value for each of {}", quoted_names(names)))
    }
}
