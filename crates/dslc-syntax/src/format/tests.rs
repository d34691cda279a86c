//! Unit tests of the layout rules on small inputs; the fixtures in tests/fixtures/format cover whole files.

use super::format;

fn fmt(source: &str) -> String {
    let once = format(source).unwrap_or_else(|e| panic!("{e}: {:?}", e.errors));
    assert_eq!(format(&once).unwrap(), once, "idempotent");
    once
}

#[test]
fn spaces_are_normalised_and_quotes_dropped_where_a_bare_word_is_the_same_token() {
    assert_eq!(fmt("axis   a=[ \"x\" ,y,\"a b\" , \"axis\" ]"), "axis a = [x, y, \"a b\", \"axis\"]\n");
    assert_eq!(fmt("axis a = 1 .. 3"), "axis a = 1..3\n");
    assert_eq!(fmt("cohort \"c-1\"   \"a note\""), "cohort c-1 \"a note\"\n");
}

#[test]
fn groups_are_separated_and_blank_lines_within_a_group_collapse_to_one() {
    let source = "axis a = [x]\n\n\n\naxis bb = [y]\naxis c = [z]\nsubset a = [x]\ntie t (bb, c)";
    assert_eq!(fmt(source), "axis a = [x]\n\naxis bb = [y]\naxis c  = [z]\n\nsubset a = [x]\n\ntie t (bb, c)\n");
}

#[test]
fn long_lists_break_one_item_a_line_with_a_trailing_comma() {
    let levels: Vec<String> = (0..12).map(|i| format!("level-number-{i}")).collect();
    let source = format!("axis a = [{}]", levels.join(","));
    let expected = format!("axis a = [\n{}]\n", levels.iter().map(|l| format!("    {l},\n")).collect::<String>());
    assert_eq!(fmt(&source), expected);
}

#[test]
fn comments_stay_where_they_were() {
    let source = "# head\n\naxis a = [x, # why x\n  y]  # after\n# own line\naxis b = [z]\n# end\n";
    let expected = "# head\n\naxis a = [\n    x,  # why x\n    y,\n]  # after\n# own line\naxis b = [z]\n# end\n";
    assert_eq!(fmt(source), expected);
}

#[test]
fn a_comment_outside_any_list_moves_above_its_statement() {
    assert_eq!(fmt("axis a # odd\n = [x]\n"), "# odd\naxis a = [x]\n");
}

#[test]
fn syntax_errors_leave_the_text_alone() {
    let error = format("axis a = [x\naxis = b").unwrap_err();
    assert!(!error.errors.is_empty());
}

#[test]
fn crlf_is_kept_and_an_empty_spec_stays_empty() {
    assert_eq!(fmt("axis a = [x]\r\naxis b=[y]\r\n"), "axis a = [x]\r\naxis b = [y]\r\n");
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n# only a comment   \n\n"), "# only a comment\n");
}
