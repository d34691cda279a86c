//! The `rules` and `output` sections: subsets, ties, pairs and tuples in both the mapping form
//! and the legacy list form, and the warnings for old behaviours the new language changes.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use dslc_db::diagnostic::{Diagnostic, Label};
use dslc_syntax::codes;

use super::{Source, Spanned, Translator};
use crate::migrate::emit::{Levels, StatementKind};
use crate::migrate::scalar::Value;
use crate::migrate::yaml::{Node, NodeKind};

/// A rule's fields by key: the key node and the value node.
type Fields<'n> = HashMap<String, (&'n Node, &'n Node)>;

impl Translator<'_> {
    pub(super) fn rules(&mut self, source: &Source, node: &Node) {
        match &node.kind {
            NodeKind::Mapping(sections) => {
                for (key, section) in sections {
                    let Some(kind) = self.key(source, key) else { continue };
                    if !matches!(kind.as_str(), "subsets" | "ties" | "pairs" | "tuples") {
                        self.unknown_key(source, key, &kind, &["subsets", "ties", "pairs", "tuples"], "`rules`");
                        continue;
                    }
                    let Some(entries) = self.mapping(source, section, &format!("`rules.{kind}`")) else { continue };
                    for (name_key, payload) in entries {
                        let lines = self.lines(source, name_key, payload);
                        let key = format!("rules.{kind}.{}", name_key.scalar().map_or("?", |s| s.text.as_str()));
                        match kind.as_str() {
                            "subsets" => self.subset(source, name_key, payload, &key, lines),
                            "ties" => self.tie_entry(source, name_key, payload, &key, lines),
                            "pairs" => self.pair_entry(source, name_key, payload, &key, lines),
                            _ => self.tuple_entry(source, name_key, payload, &key, lines),
                        }
                    }
                }
            }
            NodeKind::Sequence(rules) => {
                for (index, rule) in rules.iter().enumerate() {
                    self.legacy_rule(source, rule, index);
                }
            }
            NodeKind::Scalar(scalar) if matches!(scalar.text.as_str(), "" | "~" | "null") => {}
            _ => self.report(
                codes::MIGRATE_WRONG_SHAPE,
                &source.file,
                node.span.clone(),
                format!(
                    "`rules` must be a mapping (subsets, ties, pairs, tuples) or a list of rules, not {}",
                    node.describe()
                ),
                "write `rules:` with `subsets:`, `ties:`, `pairs:` or `tuples:` below it",
            ),
        }
    }

    /// A mapping's fields; keys outside `known` are reported (E0702).
    fn fields<'n>(&mut self, source: &Source, node: &'n Node, what: &str, known: &[&str]) -> Option<Fields<'n>> {
        let entries = self.mapping(source, node, what)?;
        let mut fields = HashMap::new();
        for (key, value) in entries {
            let Some(name) = self.key(source, key) else { continue };
            if known.contains(&name.as_str()) {
                fields.insert(name, (key, value));
            } else {
                self.unknown_key(source, key, &name, known, what);
            }
        }
        Some(fields)
    }

    /// A required field, or an E0703 at the rule.
    fn required<'n>(
        &mut self,
        source: &Source,
        fields: &Fields<'n>,
        field: &str,
        at: &Node,
        key: &str,
    ) -> Option<&'n Node> {
        if let Some((_, value)) = fields.get(field) {
            return Some(value);
        }
        self.report(
            codes::MIGRATE_WRONG_SHAPE,
            &source.file,
            at.span.clone(),
            format!("`{key}` has no `{field}`"),
            format!("add `{field}:` to it"),
        );
        None
    }

    /// A list of names (the axes of a tie or tuple).
    fn names(&mut self, source: &Source, node: &Node, key: &str) -> Option<Vec<String>> {
        let NodeKind::Sequence(items) = &node.kind else {
            self.report(
                codes::MIGRATE_WRONG_SHAPE,
                &source.file,
                node.span.clone(),
                format!("the axes of `{key}` must be a list of names, not {}", node.describe()),
                "write the axes as a list: [draft_llm, essay_llm]",
            );
            return None;
        };
        if items.is_empty() {
            self.report(
                codes::MIGRATE_WRONG_SHAPE,
                &source.file,
                node.span.clone(),
                format!("`{key}` lists no axes"),
                "list the axes the rule combines",
            );
            return None;
        }
        let names: Vec<Option<String>> = items.iter().map(|item| self.name(source, item, "axis name")).collect();
        names.into_iter().collect()
    }

    /// One rule of the legacy list form: `- subset: {axis, keep}`, `- tie: {axes, to}`,
    /// `- pair: {name, left, right, allowed, balance}`, `- tuple: {name, axes, items}`.
    fn legacy_rule(&mut self, source: &Source, rule: &Node, index: usize) {
        let what = format!("rule {} of `rules`", index + 1);
        let Some(entries) = self.mapping(source, rule, &what) else { return };
        let [(kind_key, payload)] = entries else {
            self.report(
                codes::MIGRATE_WRONG_SHAPE,
                &source.file,
                rule.span.clone(),
                format!("{what} must have exactly one key (subset, tie, pair or tuple), it has {}", entries.len()),
                "write each rule as `- subset: {…}`, `- tie: {…}`, `- pair: {…}` or `- tuple: {…}`",
            );
            return;
        };
        let Some(kind) = self.key(source, kind_key) else { return };
        let lines = self.lines(source, kind_key, payload);
        let key = format!("rules[{index}].{kind}");
        match kind.as_str() {
            "subset" => {
                let Some(fields) = self.fields(source, payload, &format!("`{key}`"), &["axis", "keep"]) else { return };
                let (Some(axis), Some(keep)) = (
                    self.required(source, &fields, "axis", payload, &key),
                    self.required(source, &fields, "keep", payload, &key),
                ) else {
                    return;
                };
                self.subset(source, axis, keep, &key, lines);
            }
            "tie" => {
                let Some(fields) = self.fields(source, payload, &format!("`{key}`"), &["axes", "to"]) else { return };
                let Some(axes_node) = self.required(source, &fields, "axes", payload, &key) else { return };
                let Some(axes) = self.names(source, axes_node, &key) else { return };
                // Without `to`, the old compiler named the tie after its first axis.
                let (name, name_node) = match fields.get("to") {
                    Some((_, to)) => match self.name(source, to, "tie name") {
                        Some(name) => (name, *to),
                        None => return,
                    },
                    None => (axes[0].clone(), axes_node),
                };
                self.tie(source, name, name_node, axes, &key, lines);
            }
            "pair" => {
                let known = ["name", "left", "right", "allowed", "balance"];
                let Some(fields) = self.fields(source, payload, &format!("`{key}`"), &known) else { return };
                let Some(name_node) = self.required(source, &fields, "name", payload, &key) else { return };
                let Some(name) = self.name(source, name_node, "pair name") else { return };
                self.pair(source, name, payload, &fields, &key, lines);
            }
            "tuple" => {
                let Some(fields) = self.fields(source, payload, &format!("`{key}`"), &["name", "axes", "items"]) else {
                    return;
                };
                let Some(name_node) = self.required(source, &fields, "name", payload, &key) else { return };
                let Some(name) = self.name(source, name_node, "tuple name") else { return };
                self.tuple(source, name, payload, &fields, &key, lines);
            }
            _ => self.unknown_key(source, kind_key, &kind, &["subset", "tie", "pair", "tuple"], &what),
        }
    }

    fn subset(&mut self, source: &Source, axis: &Node, keep: &Node, key: &str, lines: Range<usize>) {
        let Some(axis) = self.name(source, axis, "subset axis") else { return };
        let Some((mut levels, values)) = self.levels(source, keep, key) else { return };
        if let (Some(values), Some(domain)) = (values, self.symbols.domains.get(&axis).cloned()) {
            levels = self.typed_subset(source, &axis, key, levels, values, domain);
        }
        self.push(StatementKind::Subset { axis, levels }, Some(lines));
    }

    /// The old subset kept the levels equal in Python to a listed value, so `1` did not keep
    /// the level `'1'`; a `.cohort` subset matches text. A listed value that matches a level
    /// only by text is dropped (W0735), which keeps the old rows; the axis's known levels become
    /// the ones the old subset kept.
    fn typed_subset(
        &mut self,
        source: &Source,
        axis: &str,
        key: &str,
        levels: Levels,
        values: Vec<Spanned>,
        domain: Vec<Value>,
    ) -> Levels {
        let level_keys: HashSet<String> = domain.iter().map(Value::equality_key).collect();
        let level_texts: HashSet<&str> = domain.iter().map(|v| v.text.as_str()).collect();
        let mut kept = Vec::new();
        let mut dropped = false;
        for (value, span) in &values {
            if !level_keys.contains(&value.equality_key()) && level_texts.contains(value.text.as_str()) {
                dropped = true;
                let level = domain.iter().find(|v| v.text == value.text).map_or("a level", |v| v.kind.describe());
                let label = Label::new(&source.file, span.clone(), value.kind.describe());
                self.diagnostics.push(
                    Diagnostic::new(
                        codes::MIGRATE_SUBSET_TYPE,
                        format!(
                            "`{key}` lists `{}` as {}, and `{axis}` has it as {level}: the old subset did not keep it, so the migrated subset leaves it out",
                            value.text,
                            value.kind.describe()
                        ),
                        label,
                    )
                    .with_help("if the level was meant to stay, write it in the subset as the axis does, and migrate again"),
                );
            } else if !kept.contains(&value.text) {
                kept.push(value.text.clone());
            }
        }
        let keep_keys: HashSet<String> = values.iter().map(|(v, _)| v.equality_key()).collect();
        let narrowed = domain.into_iter().filter(|v| keep_keys.contains(&v.equality_key())).collect();
        self.symbols.domains.insert(axis.to_string(), narrowed);
        if dropped {
            Levels::List(kept)
        } else {
            levels
        }
    }

    /// `ties: NAME: [axes]` or `NAME: {axes: [...]}`.
    fn tie_entry(&mut self, source: &Source, name_key: &Node, payload: &Node, key: &str, lines: Range<usize>) {
        let Some(name) = self.name(source, name_key, "tie name") else { return };
        let axes_node = match &payload.kind {
            NodeKind::Mapping(_) => {
                let Some(fields) = self.fields(source, payload, &format!("`{key}`"), &["axes"]) else { return };
                let Some(axes) = self.required(source, &fields, "axes", payload, key) else { return };
                axes
            }
            _ => payload,
        };
        let Some(axes) = self.names(source, axes_node, key) else { return };
        self.tie(source, name, name_key, axes, key, lines);
    }

    fn tie(
        &mut self,
        source: &Source,
        name: String,
        name_node: &Node,
        axes: Vec<String>,
        key: &str,
        lines: Range<usize>,
    ) {
        if self.symbols.declared.contains(&name) && !axes.contains(&name) {
            self.report(
                codes::MIGRATE_TIE_NAMES_AXIS,
                &source.file,
                name_node.span.clone(),
                format!("the tie `{key}` is named `{name}`, an axis it does not tie: the old system overwrote that axis's levels"),
                format!("rename the tie (a new name, or one of {}), or tie `{name}` too", axes.join(", ")),
            );
            return;
        }
        let domains: Option<Vec<Vec<Value>>> = axes.iter().map(|a| self.symbols.domains.get(a).cloned()).collect();
        if let Some(domains) = domains {
            // The old tie intersected by Python equality, a `.cohort` tie by text.
            let shared = |same: &dyn Fn(&Value, &Value) -> bool| -> Vec<Value> {
                domains[0]
                    .iter()
                    .filter(|v| domains[1..].iter().all(|d| d.iter().any(|w| same(v, w))))
                    .cloned()
                    .collect()
            };
            let typed = shared(&|a, b| a.equality_key() == b.equality_key());
            let mut seen = HashSet::new();
            let textual: Vec<Value> =
                shared(&|a, b| a.text == b.text).into_iter().filter(|v| seen.insert(v.text.clone())).collect();
            let texts =
                |values: &[Value]| values.iter().map(|v| format!("`{}`", v.text)).collect::<Vec<_>>().join(", ");
            // Levels merged by text were reported already (W0732); only a level that one tie
            // keeps and the other drops is new.
            let mut seen = HashSet::new();
            let typed_texts: Vec<&str> = typed.iter().map(|v| v.text.as_str()).filter(|t| seen.insert(*t)).collect();
            let same_texts =
                typed_texts.len() == textual.len() && typed_texts.iter().zip(&textual).all(|(a, b)| *a == b.text);
            if !same_texts {
                self.report(
                    codes::MIGRATE_TIE_TYPES,
                    &source.file,
                    name_node.span.clone(),
                    format!(
                        "the axes of `{key}` share [{}] by text, but only [{}] by YAML type, which the old tie compared",
                        texts(&textual),
                        texts(&typed)
                    ),
                    "write the levels with the same types in every tied axis (quote all of them or none), then migrate again",
                );
                return;
            }
            self.symbols.domains.insert(name.clone(), typed);
        }
        for axis in &axes {
            self.symbols.tied_to.insert(axis.clone(), name.clone());
        }
        self.symbols.ties.insert(name.clone(), axes.clone());
        self.push(StatementKind::Tie { name, axes }, Some(lines));
    }

    fn pair_entry(&mut self, source: &Source, name_key: &Node, payload: &Node, key: &str, lines: Range<usize>) {
        let Some(name) = self.name(source, name_key, "pair name") else { return };
        let known = ["left", "right", "allowed", "balance"];
        let Some(fields) = self.fields(source, payload, &format!("`{key}`"), &known) else { return };
        self.pair(source, name, payload, &fields, key, lines);
    }

    fn pair(&mut self, source: &Source, name: String, at: &Node, fields: &Fields<'_>, key: &str, lines: Range<usize>) {
        let left = self.required(source, fields, "left", at, key).and_then(|node| self.name(source, node, "pair side"));
        let right =
            self.required(source, fields, "right", at, key).and_then(|node| self.name(source, node, "pair side"));
        let allowed = self.required(source, fields, "allowed", at, key);
        let (Some(left), Some(right), Some(allowed)) = (left, right, allowed) else { return };
        let balance = match fields.get("balance") {
            None => Ok(None),
            Some((_, node)) => match node.scalar().map(|s| s.text.as_str()) {
                Some(side @ ("left" | "right" | "both")) => Ok(Some(side.to_string())),
                _ => {
                    self.report(
                        codes::MIGRATE_WRONG_SHAPE,
                        &source.file,
                        node.span.clone(),
                        format!("`{key}.balance` must be left, right or both"),
                        "write `balance: left`, `balance: right` or `balance: both`",
                    );
                    Err(())
                }
            },
        };
        for side in [&left, &right] {
            let side_node = fields.get(if *side == left { "left" } else { "right" }).map(|(_, n)| *n).unwrap_or(at);
            self.tied_axis_warning(source, key, side, side_node);
            if self.symbols.pairs.contains(side.as_str()) {
                let label = Label::new(&source.file, side_node.span.clone(), "a pair");
                self.diagnostics.push(
                    Diagnostic::new(
                        codes::MIGRATE_PAIR_OF_PAIRS,
                        format!(
                            "`{key}` pairs with the pair `{side}`: the old system left `{side}` as one unexpanded column, the migrated spec expands it into its axes' columns"
                        ),
                        label,
                    )
                    .with_help(format!("readers of the rows get the columns of `{side}`'s axes instead of a `{side}` column")),
                );
            }
        }
        let nested: Vec<bool> = [&left, &right].iter().map(|side| self.is_combined(side)).collect();
        let Some(items) =
            self.items(source, allowed, &format!("{key}.allowed"), &[left.clone(), right.clone()], &nested)
        else {
            return;
        };
        let Ok(balance) = balance else { return };
        self.symbols.pairs.insert(name.clone());
        self.push(StatementKind::Pair { name, left, right, balance, items }, Some(lines));
    }

    fn tuple_entry(&mut self, source: &Source, name_key: &Node, payload: &Node, key: &str, lines: Range<usize>) {
        let Some(name) = self.name(source, name_key, "tuple name") else { return };
        let Some(fields) = self.fields(source, payload, &format!("`{key}`"), &["axes", "items"]) else { return };
        self.tuple(source, name, payload, &fields, key, lines);
    }

    fn tuple(&mut self, source: &Source, name: String, at: &Node, fields: &Fields<'_>, key: &str, lines: Range<usize>) {
        let axes_node = self.required(source, fields, "axes", at, key);
        let axes = axes_node.and_then(|node| self.names(source, node, key));
        let items_node = self.required(source, fields, "items", at, key);
        let (Some(axes), Some(axes_node), Some(items_node)) = (axes, axes_node, items_node) else { return };
        for axis in &axes {
            self.tied_axis_warning(source, key, axis, axes_node);
        }
        let nested: Vec<bool> = axes.iter().map(|axis| self.is_combined(axis)).collect();
        let Some(items) = self.items(source, items_node, &format!("{key}.items"), &axes, &nested) else { return };
        self.symbols.tuples.insert(name.clone());
        self.push(StatementKind::Tuple { name, axes, items }, Some(lines));
    }

    /// Whether a name is a pair or tuple, whose items take a nested tuple.
    fn is_combined(&self, name: &str) -> bool {
        self.symbols.pairs.contains(name) || self.symbols.tuples.contains(name)
    }

    /// W0730: a rule naming a tied axis other than the tie's own name. The old compiler set only
    /// that axis's column and lost the tie's name and the other tied axes; `.cohort` keeps them.
    fn tied_axis_warning(&mut self, source: &Source, key: &str, axis: &str, node: &Node) {
        let Some(tie) = self.symbols.tied_to.get(axis).cloned() else { return };
        if tie == axis {
            return;
        }
        let tied = self.symbols.ties.get(&tie).cloned().unwrap_or_default();
        let mut lost: Vec<String> = tied.iter().filter(|a| a.as_str() != axis).map(|a| format!("`{a}`")).collect();
        if !tied.contains(&tie) {
            lost.insert(0, format!("`{tie}`"));
        }
        let label = Label::new(&source.file, node.span.clone(), format!("`{axis}` is tied by `{tie}`"));
        self.diagnostics.push(
            Diagnostic::new(
                codes::MIGRATE_TIED_AXIS,
                format!(
                    "`{key}` names `{axis}`, an axis of the tie `{tie}`: the old rows lacked the columns {}, the migrated spec's rows have them",
                    lost.join(", ")
                ),
                label,
            )
            .with_help(format!("name the tie `{tie}` in the rule to say so; readers of the rows get these columns either way")),
        );
    }

    pub(super) fn output(&mut self, source: &Source, key: &Node, node: &Node) {
        let Some(fields) = self.fields(source, node, "`output`", &["field_order"]) else { return };
        let Some((_, order)) = fields.get("field_order") else { return };
        let NodeKind::Sequence(items) = &order.kind else {
            self.report(
                codes::MIGRATE_WRONG_SHAPE,
                &source.file,
                order.span.clone(),
                format!("`output.field_order` must be a list of names, not {}", order.describe()),
                "write the columns as a list: [combo_id, draft_template]",
            );
            return;
        };
        let names: Option<Vec<String>> = items.iter().map(|item| self.name(source, item, "output field")).collect();
        let Some(fields) = names else { return };
        if fields.is_empty() {
            return;
        }
        let lines = self.lines(source, key, node);
        self.push(StatementKind::Output { fields }, Some(lines));
    }
}
