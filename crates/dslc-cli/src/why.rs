//! `dslc why SPEC field=value…`: whether a combination is in the design rows, and if not, the
//! statement that removes it, rendered like `check`'s diagnostics (`dslc_db::why` decides).

use std::io::IsTerminal;
use std::path::PathBuf;

use dslc_db::why::Why;
use dslc_db::Database;
use dslc_syntax::codes::Severity;

use crate::render::{Format, Renderer};
use crate::{absolute, use_color, CatalogArgs};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum WhyFormat {
    /// ariadne reports, as `check` prints them.
    Human,
    /// One JSON object: the answer, or the diagnostic in `check --format json`'s form.
    Json,
}

#[derive(clap::Args)]
pub(crate) struct WhyArgs {
    /// The spec file.
    pub spec: PathBuf,
    /// The combination: one or more FIELD=VALUE, FIELD a column of the rows.
    #[arg(required = true, value_name = "FIELD=VALUE")]
    pub combination: Vec<String>,
    /// How to print the answer.
    #[arg(long, value_enum, default_value = "human")]
    pub format: WhyFormat,
    #[command(flatten)]
    pub catalogs: CatalogArgs,
}

pub(crate) fn run(args: &WhyArgs) -> i32 {
    let mut wanted = Vec::new();
    for pair in &args.combination {
        match pair.split_once('=') {
            Some((field, _)) if wanted.iter().any(|(f, _): &(String, String)| f == field) => {
                eprintln!("error: `{field}` is given twice");
                eprintln!("help: a row has one value per field: ask about one value of `{field}` at a time");
                return 2;
            }
            Some((field, value)) if !field.is_empty() => wanted.push((field.to_string(), value.to_string())),
            _ => {
                eprintln!("error: `{pair}` is not FIELD=VALUE");
                eprintln!("help: name a column and a value, e.g. `dslc why spec.cohort draft_llm=sonnet-4`");
                return 2;
            }
        }
    }
    let mut db = Database::default();
    if let Err(message) = args.catalogs.apply(&mut db) {
        eprintln!("error: {message}");
        return 2;
    }
    let spec_path = absolute(&args.spec);
    let spec = match crate::read_spec(&db, &args.spec) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let human = args.format == WhyFormat::Human;
    let renderer = Renderer::new(&db, human && use_color(std::io::stdout().is_terminal()));
    let format = if human { Format::Human } else { Format::Json };
    let errors: Vec<_> = dslc_db::check(&db, spec).iter().filter(|d| d.severity == Severity::Error).cloned().collect();
    if !errors.is_empty() {
        let _ = renderer.write(format, &errors, &mut std::io::stderr());
        eprintln!(
            "error: {} has errors, so its rows are not known; fix them (`dslc check`), then ask again",
            renderer.display_path(&spec_path)
        );
        return 2;
    }
    let combination: Vec<String> = wanted.iter().map(|(f, v)| format!("{f}={v}")).collect();
    match dslc_db::why::why(&db, spec, &wanted) {
        Why::Present { rows, total } => {
            if human {
                println!("present: {} is in {rows} of {total} rows", combination.join(", "));
            } else {
                let value =
                    serde_json::json!({"present": true, "combination": combination, "rows": rows, "total": total});
                println!("{value}");
            }
            0
        }
        Why::Excluded(diagnostic) => {
            if renderer.write(format, std::slice::from_ref(&*diagnostic), &mut std::io::stdout()).is_err() {
                return 2;
            }
            if human {
                let _ = renderer.write_explain_pointer(&mut std::io::stdout());
            }
            1
        }
    }
}
