#[test]
fn perf() {
    let mut src = String::new();
    let mut lines = 0;
    let mut i = 0;
    while lines < std::env::var("LINES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000) {
        src.push_str(&format!("# comment {i}\naxis axis_{i} = [gpt-4.1, \"deepseek/r1:free\", combo_v1_a, creative-synthesis-v2]\naxis rep_{i} = 1..3\n"));
        src.push_str(&format!(
            "pair p_{i} (axis_{i}, rep_{i}) balance left = [\n  (gpt-4.1, 1),\n  (combo_v1_a, (x, y)),\n]\n"
        ));
        src.push_str(&format!("tuple t_{i} (a_{i}, b_{i}) = file(\"items/x.csv\")\noutput axis_{i}, rep_{i}\n"));
        lines += 9;
        i += 1;
    }
    let mut best = (std::time::Duration::MAX, std::time::Duration::MAX);
    for _ in 0..std::env::var("ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(40) {
        let t = std::time::Instant::now();
        let lexed = dslc_syntax::lexer::lex(&src);
        let tl = t.elapsed();
        let t = std::time::Instant::now();
        let r = dslc_syntax::parse(&src);
        let tp = t.elapsed();
        assert!(r.errors.is_empty(), "{:?}", &r.errors[..1]);
        best = (best.0.min(tl), best.1.min(tp));
        let _ = (lexed.tokens.len(), r.file.statements.len());
    }
    println!("lines {lines} bytes {} best lex {:?} best parse(total) {:?}", src.len(), best.0, best.1);
}
