#[test]
fn scratch() {
    let all = std::fs::read_to_string("/tmp/cases.txt").unwrap();
    for src in all.split("\n---\n") {
        println!("=== {src:?}");
        let r = dslc_syntax::parse(src);
        for s in &r.file.statements {
            println!("  S {:?}", s);
        }
        for e in &r.errors {
            println!("  {} {:?} {} | {} | {:?} | {:?}", e.code.id, e.span, e.message, e.label, e.secondary, e.help);
        }
    }
}
