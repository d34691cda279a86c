//! A naive reference evaluation of a spec's design rows, written from docs/language.md §5 (and
//! the contract's LANGUAGE.md §4), deliberately independent of `semantics.rs`.
//!
//! It takes a parsed spec that dslc accepted and enumerates its rows the slow, obvious way: an
//! ordered map of entries with structured levels, rules applied in declaration order, the
//! product by an odometer, and the row expansion done the way the old Python system built its
//! row dicts (insertion order, popped pair/tuple names). It does not validate: on a spec dslc
//! rejects its answer means nothing. Included files come from the caller, already split into
//! trimmed cells (§4's reading rules are the CSV reader's business, fuzzed on their own); designs
//! larger than the caller's cap are not enumerated (`Err`). Also used by the fuzz targets
//! (`fuzz/fuzz_targets/common`).

#![allow(dead_code)]

use std::collections::HashMap;

use dslc_syntax::ast::{ItemElem, ItemTuple, Items, Levels, SpecFile, Statement};

/// A level of a map entry: a plain value, or a pair's or tuple's structured item.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Val {
    Text(String),
    Tup(Vec<Val>),
}

impl Val {
    /// The value as spec source text, for generators: `x`, `"a b"` or `(x, (y, z))`.
    pub(crate) fn source(&self) -> String {
        match self {
            Val::Text(t) => dslc_syntax::quote_value(t),
            Val::Tup(parts) => format!("({})", parts.iter().map(Val::source).collect::<Vec<_>>().join(", ")),
        }
    }
}

/// The rows: column names and one text per column in each row, in output order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// An included file as the reference needs it: the header of a CSV (`None` for a TXT file)
/// and each row's trimmed cells.
#[derive(Clone, Debug, Default)]
pub(crate) struct Included {
    pub header: Option<Vec<String>>,
    pub rows: Vec<Vec<String>>,
}

/// Reads an included file's text with dslc's own reader (fuzzed separately by the `csv` target),
/// trimming cells as dslc compares them; `None` when it does not read.
pub(crate) fn read_included(path: &str, text: &str) -> Option<Included> {
    let cells = |r: &dslc_db::table::Record| r.cells.iter().map(|c| c.text.trim().to_string()).collect();
    if path.to_ascii_lowercase().ends_with(".txt") {
        let table = dslc_db::table::read_txt(text).ok()?;
        return Some(Included { header: None, rows: table.records.iter().map(cells).collect() });
    }
    let table = dslc_db::table::read_csv(text).ok()?;
    Some(Included { header: table.header.as_ref().map(cells), rows: table.records.iter().map(cells).collect() })
}

/// Finds an included file by the path written in `file("…")`; `None` means unsupported.
pub(crate) type Files<'a> = &'a dyn Fn(&str) -> Option<Included>;

/// How a rule's entry turns back into columns after the product.
#[derive(Clone, Debug)]
enum Expansion {
    /// A pair or tuple: its entry is replaced by its components, in order.
    Split(Vec<String>),
    /// A tie: its components get the tie's value; the tie stays.
    Copy(Vec<String>),
}

/// The axis map after every rule, plus what the row expansion needs.
#[derive(Clone, Debug, Default)]
pub(crate) struct State {
    /// Live entries in map order, with their levels in level order.
    pub entries: Vec<(String, Vec<Val>)>,
    /// A tied axis (or tie) → the tie that took it.
    alias: HashMap<String, String>,
    /// Rules with an expansion, in declaration order: pairs, tuples and ties.
    rules: Vec<(String, bool, Expansion)>,
    /// `output` fields, if any.
    output: Option<Vec<String>>,
    /// What kind of rule a name is, for generators: "tie", "pair" or "tuple".
    pub kinds: HashMap<String, &'static str>,
    /// The axes a pair or tuple names, as written, for reading items files.
    parts: HashMap<String, Vec<String>>,
}

impl State {
    /// The live entry a name means: itself, or the tie that took it (followed through ties).
    pub(crate) fn resolve(&self, name: &str) -> String {
        let mut current = name.to_string();
        // A chain of ties is at most as long as the number of aliases; the bound avoids a loop.
        for _ in 0..=self.alias.len() {
            match self.alias.get(&current) {
                Some(next) if *next != current => current = next.clone(),
                _ => break,
            }
        }
        current
    }

    fn index(&self, name: &str) -> Result<usize, String> {
        let live = self.resolve(name);
        self.entries.iter().position(|(n, _)| *n == live).ok_or_else(|| format!("`{name}` is not live"))
    }

    /// Replaces the entries at `indices` by one entry placed at `place`.
    fn combine(&mut self, indices: &[usize], place: usize, name: &str, levels: Vec<Val>) {
        let mut entries = Vec::new();
        for (i, entry) in std::mem::take(&mut self.entries).into_iter().enumerate() {
            if i == place {
                entries.push((name.to_string(), levels.clone()));
            } else if !indices.contains(&i) {
                entries.push(entry);
            }
        }
        self.entries = entries;
    }
}

fn included(files: Files, path: &str) -> Result<Included, String> {
    files(path).ok_or_else(|| format!("included file `{path}` is not supported"))
}

/// The levels a list, range or level file gives.
fn written_levels(levels: &Levels, cap: usize, files: Files) -> Result<Vec<String>, String> {
    match levels {
        Levels::List(list) => Ok(list.values.iter().map(|v| v.text.clone()).collect()),
        Levels::Range(r) => {
            if r.end < r.start || (r.end - r.start) as u128 >= cap as u128 {
                return Err("range too large for the reference".into());
            }
            Ok((r.start..=r.end).map(|n| n.to_string()).collect())
        }
        Levels::File(f) => {
            let table = included(files, &f.path)?;
            if table.header.as_ref().is_some_and(|h| h.len() != 1) {
                return Err("a level file has one column".into());
            }
            table.rows.iter().map(|r| r.first().cloned().ok_or_else(|| "empty row".to_string())).collect()
        }
    }
}

fn dedup<T: PartialEq + Clone>(values: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn item_val(item: &ItemTuple) -> Val {
    Val::Tup(
        item.elems
            .iter()
            .map(|e| match e {
                ItemElem::Value(v) => Val::Text(v.text.clone()),
                ItemElem::Tuple(t) => item_val(t),
            })
            .collect(),
    )
}

/// A rule's items as levels: written tuples, or the rows of an items file whose header names
/// each side as the rule writes it (a pair or tuple side by its own sides, recursively).
///
/// A tied side's column is named as the rule writes it (docs/language.md §4, the
/// `tied_side_csv` fixture).
fn item_levels(st: &State, items: &Items, written: &[String], files: Files) -> Result<Vec<Val>, String> {
    match items {
        Items::List { items, .. } => Ok(dedup(items.iter().map(item_val))),
        Items::File(f) => {
            let table = included(files, &f.path)?;
            let header = table.header.ok_or("an items file is a CSV")?;
            fn leaf(st: &State, name: &str, header: &[String], row: &[String]) -> Result<Val, String> {
                if let Some(parts) = st.parts.get(name) {
                    return parts.iter().map(|p| leaf(st, p, header, row)).collect::<Result<_, _>>().map(Val::Tup);
                }
                let column = header.iter().position(|h| h == name).ok_or_else(|| format!("no column `{name}`"))?;
                row.get(column).cloned().map(Val::Text).ok_or_else(|| "short row".to_string())
            }
            let levels = table
                .rows
                .iter()
                .map(|row| written.iter().map(|c| leaf(st, c, &header, row)).collect::<Result<_, _>>().map(Val::Tup))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(dedup(levels))
        }
    }
}

/// The values at `position` of a tuple's items, or in the column `name` of its items file.
fn bound_levels(items: &Items, position: usize, name: &str, files: Files) -> Result<Vec<Val>, String> {
    let values: Vec<String> = match items {
        Items::List { items, .. } => items
            .iter()
            .map(|item| match item.elems.get(position) {
                Some(ItemElem::Value(v)) => Ok(v.text.clone()),
                _ => Err("malformed tuple item".to_string()),
            })
            .collect::<Result<_, _>>()?,
        Items::File(f) => {
            let table = included(files, &f.path)?;
            let header = table.header.ok_or("an items file is a CSV")?;
            let column = header.iter().position(|h| h == name).ok_or_else(|| format!("no column `{name}`"))?;
            table
                .rows
                .iter()
                .map(|r| r.get(column).cloned().ok_or_else(|| "short row".to_string()))
                .collect::<Result<_, _>>()?
        }
    };
    Ok(dedup(values.into_iter().map(Val::Text)))
}

/// Builds the axis map of a spec without includes.
pub(crate) fn state(file: &SpecFile, cap: usize) -> Result<State, String> {
    state_with(file, cap, &|_| None)
}

/// Builds the axis map of a spec: declared axes, tuple-bound axes, then every rule in order.
pub(crate) fn state_with(file: &SpecFile, cap: usize, files: Files) -> Result<State, String> {
    let mut st = State::default();
    // Step 5.1.1: declared axes in declaration order, repeated levels dropped.
    for s in &file.statements {
        if let Statement::Axis(a) = s {
            let levels = dedup(written_levels(&a.levels, cap, files)?.into_iter().map(Val::Text));
            st.entries.push((a.name.text.clone(), levels));
        }
    }
    // Step 5.1.2: undeclared names in tuple axis lists that no rule or tie owns.
    let mut owned: Vec<String> = st.entries.iter().map(|(n, _)| n.clone()).collect();
    for s in &file.statements {
        match s {
            Statement::Tie(t) => {
                owned.push(t.name.text.clone());
                owned.extend(t.axes.iter().map(|a| a.text.clone()));
            }
            Statement::Pair(p) => owned.push(p.name.text.clone()),
            Statement::Tuple(t) => owned.push(t.name.text.clone()),
            _ => {}
        }
    }
    for s in &file.statements {
        if let Statement::Tuple(t) = s {
            for (position, axis) in t.axes.iter().enumerate() {
                if owned.contains(&axis.text) {
                    continue;
                }
                owned.push(axis.text.clone());
                let levels = bound_levels(&t.items, position, &axis.text, files)?;
                st.entries.push((axis.text.clone(), levels));
            }
        }
    }
    // Step 5.2: rules in declaration order, each on the map the previous ones left.
    for s in &file.statements {
        match s {
            Statement::Subset(sub) => {
                let keep = written_levels(&sub.levels, cap, files)?;
                let i = st.index(&sub.axis.text)?;
                st.entries[i].1.retain(|v| matches!(v, Val::Text(t) if keep.contains(t)));
            }
            Statement::Tie(t) => {
                let indices: Vec<usize> = t.axes.iter().map(|a| st.index(&a.text)).collect::<Result<_, _>>()?;
                let components: Vec<String> = indices.iter().map(|&i| st.entries[i].0.clone()).collect();
                // The intersection, in the first listed axis's order.
                let levels: Vec<Val> = st.entries[indices[0]]
                    .1
                    .iter()
                    .filter(|v| indices.iter().all(|&i| st.entries[i].1.contains(v)))
                    .cloned()
                    .collect();
                let place = match t.axes.iter().position(|a| a.text == t.name.text) {
                    Some(k) => indices[k],
                    None => *indices.iter().min().ok_or("empty tie")?,
                };
                st.combine(&indices, place, &t.name.text, levels);
                for name in t.axes.iter().map(|a| a.text.clone()).chain(components.iter().cloned()) {
                    if name != t.name.text {
                        st.alias.insert(name, t.name.text.clone());
                    }
                }
                st.rules.push((t.name.text.clone(), false, Expansion::Copy(components)));
                st.kinds.insert(t.name.text.clone(), "tie");
            }
            Statement::Pair(p) => {
                let indices = vec![st.index(&p.left.text)?, st.index(&p.right.text)?];
                let components: Vec<String> = indices.iter().map(|&i| st.entries[i].0.clone()).collect();
                let written = vec![p.left.text.clone(), p.right.text.clone()];
                let levels = item_levels(&st, &p.items, &written, files)?;
                let place = *indices.iter().min().ok_or("empty pair")?;
                st.combine(&indices, place, &p.name.text, levels);
                st.parts.insert(p.name.text.clone(), written);
                st.rules.push((p.name.text.clone(), true, Expansion::Split(components)));
                st.kinds.insert(p.name.text.clone(), "pair");
            }
            Statement::Tuple(t) => {
                let indices: Vec<usize> = t.axes.iter().map(|a| st.index(&a.text)).collect::<Result<_, _>>()?;
                let components: Vec<String> = indices.iter().map(|&i| st.entries[i].0.clone()).collect();
                let written: Vec<String> = t.axes.iter().map(|a| a.text.clone()).collect();
                let levels = item_levels(&st, &t.items, &written, files)?;
                let place = *indices.iter().min().ok_or("empty tuple")?;
                st.combine(&indices, place, &t.name.text, levels);
                st.parts.insert(t.name.text.clone(), written);
                st.rules.push((t.name.text.clone(), true, Expansion::Split(components)));
                st.kinds.insert(t.name.text.clone(), "tuple");
            }
            Statement::Output(o) => st.output = Some(o.fields.iter().map(|f| f.text.clone()).collect()),
            Statement::Axis(_) | Statement::Cohort(_) | Statement::Reuse(_) => {}
        }
    }
    Ok(st)
}

/// Expands one product row (entry name → level) into columns, as the old system's row dict did.
fn expand(st: &State, mut row: Vec<(String, Val)>) -> Result<Vec<(String, String)>, String> {
    let set = |row: &mut Vec<(String, Val)>, name: &str, value: Val| match row.iter_mut().find(|(n, _)| n == name) {
        // Assigning an existing key keeps its place, as in a Python dict.
        Some(slot) => slot.1 = value,
        None => row.push((name.to_string(), value)),
    };
    let mut copied: Vec<&str> = Vec::new();
    loop {
        let mut changed = false;
        // Pairs, then tuples, then ties, each in declaration order (§5.5 steps 2-4).
        for pass in [Some("pair"), Some("tuple"), None] {
            for (name, _, expansion) in &st.rules {
                let kind = st.kinds.get(name).copied();
                if pass.is_some() && kind != pass || pass.is_none() && kind != Some("tie") {
                    continue;
                }
                let Some(at) = row.iter().position(|(n, _)| n == name) else { continue };
                match expansion {
                    Expansion::Split(components) => {
                        let (_, value) = row.remove(at);
                        let Val::Tup(parts) = value else { return Err(format!("`{name}` holds a plain value")) };
                        if parts.len() != components.len() {
                            return Err(format!("`{name}` item has the wrong arity"));
                        }
                        for (c, v) in components.iter().zip(parts) {
                            set(&mut row, c, v);
                        }
                        changed = true;
                    }
                    Expansion::Copy(components) => {
                        if copied.contains(&name.as_str()) {
                            continue;
                        }
                        copied.push(name);
                        let value = row[at].1.clone();
                        for c in components {
                            set(&mut row, c, value.clone());
                        }
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    row.into_iter()
        .map(|(n, v)| match v {
            Val::Text(t) => Ok((n, t)),
            Val::Tup(_) => Err(format!("column `{n}` holds a tuple")),
        })
        .collect()
}

/// Every design row of a spec without includes, in product order (first entry slowest).
pub(crate) fn evaluate(file: &SpecFile, cap: usize) -> Result<Rows, String> {
    evaluate_with(file, cap, &|_| None)
}

/// Every design row of the spec, in product order (first entry slowest), or why not.
pub(crate) fn evaluate_with(file: &SpecFile, cap: usize, files: Files) -> Result<Rows, String> {
    let st = state_with(file, cap, files)?;
    let mut total: usize = 1;
    for (_, levels) in &st.entries {
        total = total.checked_mul(levels.len()).filter(|&t| t <= cap).ok_or("too many rows for the reference")?;
    }
    if st.entries.is_empty() || total == 0 {
        return Ok(Rows { columns: Vec::new(), rows: Vec::new() });
    }
    let mut expanded = Vec::with_capacity(total);
    let mut counters = vec![0usize; st.entries.len()];
    'product: loop {
        let row: Vec<(String, Val)> =
            st.entries.iter().zip(&counters).map(|((n, levels), &i)| (n.clone(), levels[i].clone())).collect();
        expanded.push(expand(&st, row)?);
        for position in (0..counters.len()).rev() {
            counters[position] += 1;
            if counters[position] < st.entries[position].1.len() {
                continue 'product;
            }
            counters[position] = 0;
        }
        break;
    }
    // Output fields first, in their order, then every other column in the natural order.
    let natural: Vec<String> = expanded[0].iter().map(|(n, _)| n.clone()).collect();
    let mut columns: Vec<String> = st.output.clone().unwrap_or_default();
    for c in &natural {
        if !columns.contains(c) {
            columns.push(c.clone());
        }
    }
    let mut rows = Vec::with_capacity(expanded.len());
    for row in expanded {
        let mut out = Vec::with_capacity(columns.len());
        for c in &columns {
            let value = row.iter().find(|(n, _)| n == c).ok_or_else(|| format!("no column `{c}` in a row"))?;
            out.push(value.1.clone());
        }
        rows.push(out);
    }
    Ok(Rows { columns, rows })
}

/// A source of choices for [`generate`]: a seeded xorshift in tests, fuzz input in `fuzz/`.
pub(crate) trait Choices {
    /// A number in `0..n` (`n` ≥ 1).
    fn below(&mut self, n: usize) -> usize;

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Values the generator writes: bare words, keywords, numbers and quoted strings.
const POOL: &[&str] = &["1", "2", "3", "x", "y", "gpt-4.1", "sonnet-4", "a b", "tuple", "é", "x,y", "\"q\""];

fn value(c: &mut dyn Choices) -> &'static str {
    POOL[c.below(POOL.len())]
}

fn pick<'a, T>(c: &mut dyn Choices, items: &'a [T]) -> &'a T {
    &items[c.below(items.len())]
}

/// Writes one CSV field, quoted when dslc's reader would otherwise change it.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) || text.trim() != text || text.is_empty() {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The columns and cells of one item in an items file: each side by its written name, a pair
/// or tuple side by its own sides, recursively.
fn flatten(st: &State, name: &str, value: &Val, out: &mut Vec<(String, String)>) {
    match (st.parts.get(name), value) {
        (Some(parts), Val::Tup(values)) if parts.len() == values.len() => {
            for (part, v) in parts.iter().zip(values) {
                flatten(st, part, v, out);
            }
        }
        (_, Val::Text(t)) => out.push((name.to_string(), t.clone())),
        // A malformed item; the checker will reject the file, which is fine for a generator.
        (_, v) => out.push((name.to_string(), v.source())),
    }
}

/// The generated items file; at most one per spec, `items/a.csv`.
const ITEMS_FILE: &str = "items/a.csv";

/// Generates a small spec that is valid more often than not; see [`generate_project`].
pub(crate) fn generate(c: &mut dyn Choices) -> String {
    generate_project(c).0
}

/// Generates a small spec that is valid more often than not: axes, then rules built from the
/// reference's own view of the live entries, statements shuffled where order does not matter.
/// One pair or tuple may take its items from a generated `items/a.csv`, returned beside the spec.
pub(crate) fn generate_project(c: &mut dyn Choices) -> (String, Option<String>) {
    let mut csv: Option<String> = None;
    let mut axes: Vec<String> = Vec::new();
    let n_axes = 1 + c.below(4);
    for i in 0..n_axes {
        let levels = if c.chance(5) {
            let start = c.below(3);
            format!("{start}..{}", start + c.below(3))
        } else {
            let n = 1 + c.below(4);
            let values: Vec<String> = (0..n).map(|_| dslc_syntax::quote_value(value(c))).collect();
            format!("[{}]", values.join(", "))
        };
        axes.push(format!("axis a{i} = {levels}\n"));
    }
    let mut rules: Vec<String> = Vec::new();
    let mut fresh = 0usize;
    let n_rules = c.below(5);
    for _ in 0..n_rules {
        let text: String = axes.iter().chain(&rules).cloned().collect();
        let known = csv.clone();
        let files = |path: &str| known.as_deref().filter(|_| path == ITEMS_FILE).and_then(|t| read_included(path, t));
        let Ok(st) = state_with(&dslc_syntax::parse(&text).file, 10_000, &files) else { break };
        if st.entries.is_empty() {
            break;
        }
        let entry = |c: &mut dyn Choices| st.entries[c.below(st.entries.len())].clone();
        let plain = |name: &str| !matches!(st.kinds.get(name), Some(&"pair") | Some(&"tuple"));
        let mut items = |c: &mut dyn Choices, sides: &[(String, Vec<Val>)]| -> String {
            let n = 1 + c.below(4);
            let items: Vec<Vec<Val>> = (0..n)
                .map(|_| {
                    sides
                        .iter()
                        .map(|(_, levels)| {
                            if levels.is_empty() || c.chance(12) {
                                Val::Text(value(c).to_string())
                            } else {
                                pick(c, levels).clone()
                            }
                        })
                        .collect()
                })
                .collect();
            if csv.is_none() && c.chance(4) {
                let rows: Vec<Vec<(String, String)>> = items
                    .iter()
                    .map(|item| {
                        let mut cells = Vec::new();
                        for ((name, _), v) in sides.iter().zip(item) {
                            flatten(&st, name, v, &mut cells);
                        }
                        cells
                    })
                    .collect();
                // Columns are matched by name, so any order will do.
                let mut header: Vec<String> = rows[0].iter().map(|(n, _)| n.clone()).collect();
                let k = c.below(header.len());
                header.rotate_left(k);
                let mut text = header.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(",") + "\n";
                for row in &rows {
                    let cells: Vec<String> = header
                        .iter()
                        .map(|h| row.iter().find(|(n, _)| n == h).map(|(_, v)| csv_field(v)).unwrap_or_default())
                        .collect();
                    text.push_str(&cells.join(","));
                    text.push('\n');
                }
                csv = Some(text);
                return format!("file(\"{ITEMS_FILE}\")");
            }
            let list: Vec<String> = items
                .iter()
                .map(|item| format!("({})", item.iter().map(Val::source).collect::<Vec<_>>().join(", ")))
                .collect();
            format!("[{}]", list.join(", "))
        };
        fresh += 1;
        let rule = match c.below(4) {
            0 => {
                let (name, levels) = entry(c);
                let texts: Vec<String> = levels
                    .iter()
                    .filter_map(|v| match v {
                        Val::Text(t) if c.below(3) > 0 => Some(dslc_syntax::quote_value(t)),
                        _ => None,
                    })
                    .collect();
                if texts.is_empty() {
                    continue;
                }
                format!("subset {name} = [{}]\n", texts.join(", "))
            }
            1 => {
                let n = 1 + c.below(3);
                let mut sides: Vec<String> = Vec::new();
                for _ in 0..n {
                    let (name, _) = entry(c);
                    if plain(&name) && !sides.contains(&name) {
                        sides.push(name);
                    }
                }
                if sides.is_empty() {
                    continue;
                }
                // A tie may be named after one of its own axes.
                let name = if c.chance(3) { sides[0].clone() } else { format!("t{fresh}") };
                format!("tie {name} ({})\n", sides.join(", "))
            }
            2 => {
                let (l, r) = (entry(c), entry(c));
                if l.0 == r.0 {
                    continue;
                }
                let balance = if c.chance(6) { " balance left" } else { "" };
                format!("pair p{fresh} ({}, {}){balance} = {}\n", l.0, r.0, items(c, &[l.clone(), r.clone()]))
            }
            _ => {
                let n = 1 + c.below(3);
                let mut sides: Vec<(String, Vec<Val>)> = Vec::new();
                for k in 0..n {
                    let side = if c.chance(2) {
                        let levels = (0..1 + c.below(3)).map(|_| Val::Text(value(c).to_string())).collect();
                        (format!("b{fresh}_{k}"), levels)
                    } else {
                        entry(c)
                    };
                    // A declared plain axis cannot be a tuple's axis (E0104).
                    let declared = side.0.starts_with('a') && !st.kinds.contains_key(&side.0);
                    if !declared && !sides.iter().any(|s| s.0 == side.0) {
                        sides.push(side);
                    }
                }
                if sides.is_empty() {
                    continue;
                }
                let names: Vec<&str> = sides.iter().map(|s| s.0.as_str()).collect();
                format!("tuple u{fresh} ({}) = {}\n", names.join(", "), items(c, &sides))
            }
        };
        rules.push(rule);
    }
    // Axis statements may stand anywhere: spread them among the rules.
    let mut statements = rules;
    for axis in axes.into_iter().rev() {
        let at = if c.chance(3) { c.below(statements.len() + 1) } else { 0 };
        statements.insert(at, axis);
    }
    let mut text: String = statements.concat();
    if c.chance(3) {
        let files = |path: &str| csv.as_deref().filter(|_| path == ITEMS_FILE).and_then(|t| read_included(path, t));
        if let Ok(rows) = evaluate_with(&dslc_syntax::parse(&text).file, 10_000, &files) {
            let mut fields: Vec<String> = rows.columns.iter().filter(|_| c.chance(2)).cloned().collect();
            if !fields.is_empty() {
                let k = c.below(fields.len());
                fields.rotate_left(k);
                text.push_str(&format!("output {}\n", fields.join(", ")));
            }
        }
    }
    (text, csv)
}
