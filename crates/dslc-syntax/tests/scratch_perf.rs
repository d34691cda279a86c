#[test]
fn perf() {
    let mut src = String::new();
    let mut lines = 0;
    let mut i = 0;
    while lines < 20_000 {
        src.push_str(&format!("# comment {i}\naxis axis_{i} = [gpt-4.1, \"deepseek/r1:free\", combo_v1_a, creative-synthesis-v2]\naxis rep_{i} = 1..3\n"));
        src.push_str(&format!("pair p_{i} (axis_{i}, rep_{i}) balance left = [\n  (gpt-4.1, 1),\n  (combo_v1_a, (x, y)),\n]\n"));
        src.push_str(&format!("tuple t_{i} (a_{i}, b_{i}) = file(\"items/x.csv\")\noutput axis_{i}, rep_{i}\n"));
        lines += 9;
        i += 1;
    }
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let lexed = dslc_syntax::lexer::lex(&src);
        let tl = t.elapsed();
        let t = std::time::Instant::now();
        let r = dslc_syntax::parse(&src);
        let tp = t.elapsed();
        assert!(r.errors.is_empty(), "{:?}", &r.errors[..1]);
        println!("lines {lines} bytes {} tokens {} stmts {} lex {:?} parse(total) {:?}", src.len(), lexed.tokens.len(), r.file.statements.len(), tl, tp);
    }
}
