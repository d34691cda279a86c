//! Whether human output is coloured: the `--color` flag first, then the environment as cargo
//! reads it (`NO_COLOR`, `CLICOLOR_FORCE`, `CLICOLOR`, `TERM`, `CI`), then whether the stream is
//! a terminal.

use std::ffi::OsString;
use std::sync::OnceLock;

/// The values of `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    // Plain comments, not doc comments: clap would list each in `--help` under every command.
    // Colour when the stream is a terminal and the environment allows it.
    #[default]
    Auto,
    // Always colour, even when redirected.
    Always,
    // Never colour.
    Never,
}

/// The choice of this run, set once from the command line. It lives here rather than in every
/// command's arguments because it belongs to the process's output streams, like cargo's shell.
static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Records the `--color` of this run; later calls are ignored.
pub(crate) fn set_choice(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

/// Whether to colour output written to a stream, given whether that stream is a terminal.
pub(crate) fn enabled(is_terminal: bool) -> bool {
    decide(CHOICE.get().copied().unwrap_or_default(), is_terminal, |name| std::env::var_os(name))
}

/// The rule, with the environment passed in so that tests can try every case. With `auto`:
/// a non-empty `NO_COLOR` turns colour off; else a `CLICOLOR_FORCE` that is neither empty nor `0`
/// turns it on even when redirected; else `CLICOLOR=0` turns it off; else colour needs a
/// terminal whose `TERM` is set and not `dumb` (on Windows, an unset `TERM` is fine), unless
/// `CLICOLOR` is set (to anything but `0`) or `CI` is set, which stand in for the `TERM` check.
pub(crate) fn decide(choice: ColorChoice, is_terminal: bool, env: impl Fn(&str) -> Option<OsString>) -> bool {
    match choice {
        ColorChoice::Always => return true,
        ColorChoice::Never => return false,
        ColorChoice::Auto => {}
    }
    let set_and_not = |name: &str, off: &str| env(name).is_some_and(|value| !value.is_empty() && value != off);
    if env("NO_COLOR").is_some_and(|value| !value.is_empty()) {
        return false;
    }
    if set_and_not("CLICOLOR_FORCE", "0") {
        return true;
    }
    let clicolor = env("CLICOLOR");
    if clicolor.as_deref().is_some_and(|value| value == "0") {
        return false;
    }
    let term_supports_color = match env("TERM") {
        Some(term) => term != "dumb",
        None => cfg!(windows),
    };
    is_terminal && (term_supports_color || clicolor.is_some() || env("CI").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `decide` with `auto` in an environment of the given variables only.
    fn auto(is_terminal: bool, vars: &[(&str, &str)]) -> bool {
        decide(ColorChoice::Auto, is_terminal, |name| {
            vars.iter().find(|(key, _)| *key == name).map(|(_, value)| OsString::from(value))
        })
    }

    const XTERM: (&str, &str) = ("TERM", "xterm-256color");

    #[test]
    fn a_terminal_with_a_colour_term_is_coloured_and_a_pipe_is_not() {
        assert!(auto(true, &[XTERM]));
        assert!(!auto(false, &[XTERM]));
    }

    #[test]
    fn always_and_never_ignore_the_environment_and_the_stream() {
        let hostile = |name: &str| match name {
            "NO_COLOR" => Some(OsString::from("1")),
            "TERM" => Some(OsString::from("dumb")),
            _ => None,
        };
        assert!(decide(ColorChoice::Always, false, hostile));
        let forcing = |name: &str| (name == "CLICOLOR_FORCE").then(|| OsString::from("1"));
        assert!(!decide(ColorChoice::Never, true, forcing));
    }

    #[test]
    fn no_color_turns_colour_off_unless_empty() {
        assert!(!auto(true, &[XTERM, ("NO_COLOR", "1")]));
        assert!(auto(true, &[XTERM, ("NO_COLOR", "")]));
    }

    #[test]
    fn no_color_wins_over_clicolor_force() {
        assert!(!auto(true, &[XTERM, ("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]));
    }

    #[test]
    fn clicolor_force_colours_a_pipe_and_a_dumb_terminal_but_not_when_0_or_empty() {
        assert!(auto(false, &[("CLICOLOR_FORCE", "1")]));
        assert!(auto(true, &[("TERM", "dumb"), ("CLICOLOR_FORCE", "1")]));
        assert!(auto(false, &[("CLICOLOR_FORCE", "1"), ("CLICOLOR", "0")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "0")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "")]));
    }

    #[test]
    fn term_dumb_turns_colour_off() {
        assert!(!auto(true, &[("TERM", "dumb")]));
    }

    #[test]
    fn an_unset_term_is_no_colour_on_unix() {
        assert_eq!(auto(true, &[]), cfg!(windows));
    }

    #[test]
    fn clicolor_0_turns_colour_off_and_other_values_stand_in_for_term() {
        assert!(!auto(true, &[XTERM, ("CLICOLOR", "0")]));
        assert!(auto(true, &[("TERM", "dumb"), ("CLICOLOR", "1")]));
        assert!(!auto(false, &[XTERM, ("CLICOLOR", "1")]));
    }

    #[test]
    fn ci_stands_in_for_term_on_a_terminal_only() {
        assert!(auto(true, &[("CI", "true")]));
        assert!(!auto(false, &[("CI", "true")]));
    }
}
