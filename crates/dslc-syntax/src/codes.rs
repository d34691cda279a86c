//! The registry of stable diagnostic codes shared by every layer of the toolchain.
//!
//! A code never changes meaning once released. Each code has a page in `docs/diagnostics/`,
//! printed by `dslc explain`; a test keeps this list and those pages in step.

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A stable diagnostic code with its default severity and a one-line title.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Code {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
}

macro_rules! codes {
    ($($name:ident = $id:literal, $sev:ident, $title:literal;)*) => {
        $(
            #[doc = $title]
            pub const $name: Code = Code { id: $id, severity: Severity::$sev, title: $title };
        )*
        /// Every code, in numeric order.
        pub const ALL: &[Code] = &[$($name),*];
    };
}

codes! {
    // Lexical and syntax errors.
    UNEXPECTED_CHARACTER = "E0001", Error, "unexpected character";
    UNTERMINATED_STRING = "E0002", Error, "unterminated string";
    INVALID_UTF8 = "E0003", Error, "source is not valid UTF-8";
    INVALID_ESCAPE = "E0004", Error, "invalid escape in a string";
    SYNTAX_ERROR = "E0010", Error, "syntax error";
    UNCLOSED_DELIMITER = "E0011", Error, "unclosed delimiter";
    EXPECTED_NAME = "E0012", Error, "a value where a name is expected";
    INVALID_INTEGER = "E0013", Error, "invalid integer in a range";
    REUSE_SYNTAX = "E0014", Error, "malformed reuse statement";
    REUSE_EMPTY_LIST = "E0015", Error, "reuse from an empty list";
    REUSE_BARE_COHORT = "E0016", Error, "reuse cohorts not written as a list";

    // Names and declarations.
    DUPLICATE_AXIS = "E0101", Error, "axis declared twice";
    DUPLICATE_RULE = "E0102", Error, "rule name used twice";
    UNKNOWN_AXIS = "E0103", Error, "unknown axis";
    AXIS_DECLARED_AND_TUPLED = "E0104", Error, "axis declared and also bound by a tuple";
    AXIS_CONSUMED = "E0105", Error, "axis already consumed by an earlier rule";
    DUPLICATE_COHORT = "E0106", Error, "more than one cohort statement";
    UNKNOWN_OUTPUT_FIELD = "E0107", Error, "unknown output field";
    DUPLICATE_OUTPUT = "E0108", Error, "output statement or field repeated";
    RULE_NAME_CLASH = "E0109", Error, "rule name clashes with an axis";
    DUPLICATE_LEVEL = "W0110", Warning, "duplicate level dropped";
    EMPTY_AXIS = "E0111", Error, "axis has no levels";

    // Rules.
    SUBSET_EMPTIES_AXIS = "E0201", Error, "subset leaves an axis empty";
    SUBSET_VALUE_NOT_LEVEL = "W0202", Warning, "subset value is not a level of the axis";
    EMPTY_TIE = "E0203", Error, "tied axes share no level";
    PAIR_SAME_AXIS = "E0204", Error, "rule names the same axis twice";
    VALUE_OUTSIDE_DOMAIN = "E0205", Error, "value outside the axis's current levels";
    ARITY_MISMATCH = "E0206", Error, "item has the wrong number of values";
    BALANCE_VIOLATION = "E0207", Error, "pair items are not balanced";
    REVERSED_RANGE = "E0208", Error, "reversed range";
    TOO_FEW_AXES = "E0209", Error, "rule lists no axes";
    DUPLICATE_ITEM = "W0210", Warning, "duplicate item dropped";
    EMPTY_ITEMS = "E0211", Error, "rule has no items";
    NOT_A_PLAIN_AXIS = "E0212", Error, "rule needs a plain axis here";
    RANGE_TOO_LARGE = "E0213", Error, "range too large";
    SINGLE_AXIS_RULE = "W0214", Warning, "tie or tuple over a single axis";
    TOO_MANY_LEVELS = "E0215", Error, "spec over the limit of levels and items";
    RULES_NEST_TOO_DEEPLY = "E0216", Error, "rules nested too deeply";
    SUBSET_KEEPS_ALL = "W0217", Warning, "subset keeps every level";
    ITEMS_LIST_FULL_PRODUCT = "W0218", Warning, "items list every combination of the rule's axes";
    DUPLICATE_CSV_ROW = "W0219", Warning, "included CSV row repeats an earlier row exactly";
    DUPLICATE_REUSE = "E0220", Error, "more than one reuse statement";
    EMPTY_REUSE_COHORT = "E0221", Error, "empty cohort ID in a reuse list";
    OWN_COHORT_REUSED = "W0223", Warning, "reuse lists the spec's own cohort";

    // Included files.
    FILE_NOT_FOUND = "E0301", Error, "included file missing or unreadable";
    FILE_ESCAPES_ROOT = "E0302", Error, "included file outside the project root";
    FILE_BAD_EXTENSION = "E0303", Error, "included file has an unknown extension";
    FILE_BAD_HEADER = "E0304", Error, "included CSV has a bad header";
    FILE_EMPTY_CELL = "E0305", Error, "included CSV has an empty cell";
    FILE_MALFORMED = "E0306", Error, "included file is malformed";
    FILE_TOO_LARGE = "E0307", Error, "included file over the cell limit";

    // Stage fields.
    BAD_REPLICATE = "E0401", Error, "replicate is not an integer of at least 1";
    ALIAS_FIELD = "W0402", Warning, "alias used for a stage field";
    UNREAD_AXIS = "W0403", Warning, "axis read by no stage field";
    DESIGN_ONLY = "W0404", Warning, "design-only spec";
    GEN_ID_COLLISION = "E0405", Error, "two plan entries share a generation ID";

    // Catalogs and the project file.
    UNKNOWN_CATALOG_ID = "E0501", Error, "ID not in its catalog";
    IDS_DIFFER_IN_CASE = "E0502", Error, "values that generation IDs cannot tell apart";
    DUPLICATE_CATALOG_ID = "W0503", Warning, "ID listed twice in a catalog";
    CATALOG_UNUSABLE = "E0504", Error, "configured catalog missing, unreadable or without its column";
    NO_CATALOG = "N0505", Note, "IDs not checked: no catalog";
    PROJECT_SYNTAX = "E0510", Error, "dslc.toml is not valid TOML";
    PROJECT_UNKNOWN_KEY = "E0511", Error, "unknown key in dslc.toml";
    PROJECT_BAD_VALUE = "E0512", Error, "bad value in dslc.toml";

    // Compilation.
    TOO_MANY_ROWS = "E0601", Error, "product larger than --max-rows";
    NOT_A_MEMBERSHIP = "E0602", Error, "design-only spec cannot be compiled to a membership";
    UNKNOWN_ESSAY = "E0603", Error, "essay_gen_id not in the generation store";
    BAD_METADATA = "E0604", Error, "malformed metadata in the generation store";
    PARENT_INTEGRITY = "E0605", Error, "plan entry without its parent";
    STORE_SIGNATURE_MISMATCH = "E0606", Error, "store entry disagrees with the plan under one gen_id";
    REUSE_REFUSED = "E0607", Error, "reused generation from a cohort the reuse policy does not allow";
    STORE_METADATA_UNREADABLE = "E0608", Error, "metadata.json of a reused generation unreadable";

    // Migration from the YAML system (`dslc migrate`).
    MIGRATE_SYNTAX = "E0701", Error, "YAML or JSON syntax error";
    MIGRATE_UNKNOWN_KEY = "E0702", Error, "unknown key in a YAML spec";
    MIGRATE_WRONG_SHAPE = "E0703", Error, "YAML value of the wrong shape";
    MIGRATE_INCLUDE_TYPE = "E0704", Error, "@file include of a type that cannot be translated";
    MIGRATE_INCLUDE_MISSING = "E0705", Error, "@file include missing or unreadable";
    MIGRATE_INCLUDE_COLUMNS = "E0706", Error, "included CSV columns that cannot be translated";
    MIGRATE_BAD_NAME = "E0707", Error, "YAML name that cannot be a .cohort name";
    MIGRATE_BAD_VALUE = "E0708", Error, "YAML value that cannot be translated";
    MIGRATE_EMPTY_AXIS = "E0709", Error, "YAML axis without levels";
    MIGRATE_TIE_NAMES_AXIS = "E0710", Error, "tie named after an axis it does not tie";
    MIGRATE_TIE_TYPES = "E0711", Error, "tied axes that share levels only by text";
    MIGRATE_TIED_AXIS = "W0730", Warning, "rule names a tied axis: the rows gain the tie's columns";
    MIGRATE_PAIR_OF_PAIRS = "W0731", Warning, "pair of a pair: its columns are expanded";
    MIGRATE_TYPES_MERGED = "W0732", Warning, "values distinct only by YAML type become one";
    MIGRATE_YAML_TYPE = "W0733", Warning, "YAML 1.1 value read as a non-string";
    MIGRATE_DUPLICATE_KEY = "W0734", Warning, "YAML key given twice";
    MIGRATE_SUBSET_TYPE = "W0735", Warning, "subset value that matched no level by YAML type";
    // Questions about the rows (`dslc why`).
    WHY_REMOVED = "E0801", Error, "combination removed by a rule or subset";
    WHY_NOT_A_LEVEL = "E0802", Error, "combination names a value that is not a level";
    WHY_UNKNOWN_FIELD = "E0803", Error, "combination names a field that is not a column";
}

/// The areas codes are grouped in, by their first two digits: the sections of the docs' list.
pub const AREAS: &[(&str, &str)] = &[
    ("00", "syntax"),
    ("01", "names and declarations"),
    ("02", "rules"),
    ("03", "included files"),
    ("04", "stage fields"),
    ("05", "catalogs and the project file"),
    ("06", "compilation"),
    ("07", "migration from YAML"),
    ("08", "questions about the rows (`dslc why`)"),
];

/// The area of a code: its first two digits (`E0501` → `05`).
pub fn area(code: Code) -> &'static str {
    &code.id[1..3]
}

/// Where the code pages are published: `{DOCS_BASE_URL}/E0101.md` is `docs/diagnostics/E0101.md`
/// on the repository's main branch. Editors link each diagnostic there (LSP `codeDescription`).
/// A build for a fork or a mirror sets `DSLC_DOCS_BASE_URL` (no trailing `/`) at compile time.
pub const DOCS_BASE_URL: &str = match option_env!("DSLC_DOCS_BASE_URL") {
    Some(url) => url,
    None => "https://github.com/dslc/dslc/blob/main/docs/diagnostics",
};

impl Code {
    /// The address of this code's page (see [`DOCS_BASE_URL`]).
    pub fn docs_url(&self) -> String {
        format!("{DOCS_BASE_URL}/{}.md", self.id)
    }
}

/// Looks a code up by its id, ignoring ASCII case (`e0101` finds `E0101`).
pub fn lookup(id: &str) -> Option<Code> {
    ALL.iter().copied().find(|c| c.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_belongs_to_an_area() {
        for code in ALL {
            assert!(AREAS.iter().any(|(digits, _)| *digits == area(*code)), "{} has no area", code.id);
        }
    }

    #[test]
    fn each_code_links_to_its_own_page() {
        assert_eq!(SYNTAX_ERROR.docs_url(), format!("{DOCS_BASE_URL}/E0010.md"));
        assert!(!DOCS_BASE_URL.ends_with('/'), "{DOCS_BASE_URL} ends with a slash");
        for code in ALL {
            assert!(code.docs_url().ends_with(&format!("/{}.md", code.id)));
        }
    }
}
