//! What a YAML or JSON scalar was to the old system: its Python type and the text `str()` gave
//! it, which is what the old system wrote into its rows.
//!
//! The old loader used PyYAML's `safe_load` (YAML 1.1: `yes` is `True`, `012` is 10, `1e3` is a
//! string) and `json.loads`. A `.cohort` value is text, so a migrated level is the text the old
//! rows showed; the type is kept to find levels that were distinct only by type.

use saphyr_parser::ScalarStyle;

/// The Python type a scalar had.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Str,
    Int,
    Float,
    Bool,
    Date,
}

impl Kind {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::Int => "an integer",
            Kind::Float => "a float",
            Kind::Bool => "a boolean",
            Kind::Date => "a date",
        }
    }
}

/// A scalar's value as the old system saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Value {
    pub kind: Kind,
    /// `str(value)` in Python: the text of the value in the old rows.
    pub text: String,
}

impl Value {
    /// What Python's `==` and `hash` compared when the old system dropped repeats: numbers by
    /// value (`True == 1 == 1.0`), anything else by type and text.
    pub(crate) fn equality_key(&self) -> String {
        match self.kind {
            Kind::Int => format!("n:{}", self.text),
            Kind::Bool => format!("n:{}", u8::from(self.text == "True")),
            Kind::Float => match self.text.parse::<f64>() {
                Ok(f) if f.fract() == 0.0 && f.abs() < 1e18 => format!("n:{}", f as i128),
                _ => format!("f:{}", self.text),
            },
            Kind::Str => format!("s:{}", self.text),
            Kind::Date => format!("d:{}", self.text),
        }
    }
}

/// Which loader read the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    Yaml,
    Json,
}

/// Why a scalar has no text a `.cohort` file can hold.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Untranslatable {
    Null,
    Unsupported(String),
}

/// Resolves a scalar as PyYAML's safe loader (or `json.loads`) did.
pub(crate) fn resolve(
    text: &str,
    style: ScalarStyle,
    tag: Option<&str>,
    flavor: Flavor,
) -> Result<Value, Untranslatable> {
    let string = || Ok(Value { kind: Kind::Str, text: text.to_string() });
    match tag {
        None => {}
        Some("!!str" | "tag:yaml.org,2002:str") => return string(),
        Some("!!int" | "tag:yaml.org,2002:int") => {
            return int(text).ok_or_else(|| Untranslatable::Unsupported(format!("`{text}` is not an integer")))
        }
        Some(other) => return Err(Untranslatable::Unsupported(format!("the tag `{other}` is not supported"))),
    }
    if style != ScalarStyle::Plain {
        return string();
    }
    match flavor {
        Flavor::Json => json_plain(text),
        Flavor::Yaml => yaml_plain(text),
    }
}

fn json_plain(text: &str) -> Result<Value, Untranslatable> {
    match text {
        "null" => Err(Untranslatable::Null),
        "true" => Ok(Value { kind: Kind::Bool, text: "True".into() }),
        "false" => Ok(Value { kind: Kind::Bool, text: "False".into() }),
        _ if text.contains(['.', 'e', 'E']) => float_of(text.parse::<f64>().ok(), text),
        _ => match text.parse::<i128>() {
            Ok(n) => Ok(Value { kind: Kind::Int, text: n.to_string() }),
            Err(_) => Ok(Value { kind: Kind::Str, text: text.to_string() }),
        },
    }
}

fn float_of(value: Option<f64>, text: &str) -> Result<Value, Untranslatable> {
    let value = value.ok_or_else(|| Untranslatable::Unsupported(format!("`{text}` is not a number")))?;
    python_float(value)
        .map(|text| Value { kind: Kind::Float, text })
        .ok_or_else(|| Untranslatable::Unsupported(format!("the float `{text}`")))
}

fn yaml_plain(text: &str) -> Result<Value, Untranslatable> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Err(Untranslatable::Null),
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Ok(Value { kind: Kind::Bool, text: "True".into() })
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Ok(Value { kind: Kind::Bool, text: "False".into() })
        }
        "=" | "<<" => return Err(Untranslatable::Unsupported(format!("`{text}` has a special meaning in YAML 1.1"))),
        _ => {}
    }
    if let Some(value) = int(text) {
        return Ok(value);
    }
    if let Some(value) = yaml_float(text) {
        return value;
    }
    if let Some(date) = date(text) {
        return Ok(Value { kind: Kind::Date, text: date });
    }
    if is_timestamp_like(text) {
        return Err(Untranslatable::Unsupported(format!("`{text}` is a YAML timestamp")));
    }
    Ok(Value { kind: Kind::Str, text: text.to_string() })
}

/// PyYAML's integers: binary, octal (a leading 0), decimal, hexadecimal and base 60, with `_`
/// allowed between digits and an optional sign.
fn int(text: &str) -> Option<Value> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = |s: &str, radix: u32| -> Option<i128> {
        let cleaned: String = s.chars().filter(|c| *c != '_').collect();
        if cleaned.is_empty() {
            // PyYAML's `0b_` and `0_` forms are zero.
            return s.chars().all(|c| c == '_').then_some(0);
        }
        i128::from_str_radix(&cleaned, radix).ok()
    };
    let value = if let Some(rest) = body.strip_prefix("0b") {
        rest.chars().all(|c| matches!(c, '0' | '1' | '_')).then(|| digits(rest, 2))??
    } else if let Some(rest) = body.strip_prefix("0x") {
        rest.chars().all(|c| c.is_ascii_hexdigit() || c == '_').then(|| digits(rest, 16))??
    } else if body.len() > 1 && body.starts_with('0') {
        body[1..].chars().all(|c| matches!(c, '0'..='7' | '_')).then(|| digits(&body[1..], 8))??
    } else if body == "0" {
        0
    } else if body.contains(':') {
        sexagesimal(body)?
    } else {
        let first = body.chars().next()?;
        if !matches!(first, '1'..='9') || !body.chars().all(|c| c.is_ascii_digit() || c == '_') {
            return None;
        }
        digits(body, 10)?
    };
    Some(Value { kind: Kind::Int, text: (if negative { -value } else { value }).to_string() })
}

/// `1:30` is 90 in YAML 1.1.
fn sexagesimal(body: &str) -> Option<i128> {
    let mut parts = body.split(':');
    let first = parts.next()?;
    if !first.starts_with(|c: char| matches!(c, '1'..='9')) || !first.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    let mut value: i128 = first.replace('_', "").parse().ok()?;
    for part in parts {
        if part.is_empty() || part.len() > 2 || !part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let digit: i128 = part.parse().ok()?;
        if digit > 59 {
            return None;
        }
        value = value.checked_mul(60)?.checked_add(digit)?;
    }
    Some(value)
}

/// PyYAML's floats: a dot is required (`1e3` is a string), an exponent needs its sign, and
/// `.inf`, `.nan` are special.
fn yaml_float(text: &str) -> Option<Result<Value, Untranslatable>> {
    let special = match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Some("inf"),
        "-.inf" | "-.Inf" | "-.INF" => Some("-inf"),
        ".nan" | ".NaN" | ".NAN" => Some("nan"),
        _ => None,
    };
    if let Some(text) = special {
        return Some(Ok(Value { kind: Kind::Float, text: text.into() }));
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.')?;
    let whole_ok = if whole.is_empty() {
        // `.5` is a float, but not `-.5` (PyYAML's pattern has no sign there) nor `.`.
        unsigned.len() == text.len() && fraction.starts_with(|c: char| c.is_ascii_digit())
    } else {
        whole.starts_with(|c: char| c.is_ascii_digit()) && whole.chars().all(|c| c.is_ascii_digit() || c == '_')
    };
    let fraction_ok = fraction.chars().all(|c| c.is_ascii_digit() || c == '_');
    let exponent_ok =
        exponent.is_none_or(|e| e.len() > 1 && e.starts_with(['-', '+']) && e[1..].chars().all(|c| c.is_ascii_digit()));
    if !(whole_ok && fraction_ok && exponent_ok) {
        return None;
    }
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let cleaned = if cleaned.ends_with('.') { format!("{cleaned}0") } else { cleaned };
    let cleaned = cleaned.replace(".e", ".0e").replace(".E", ".0E");
    Some(float_of(cleaned.parse::<f64>().ok(), text))
}

/// Python's `repr` of a float: the shortest text that reads back the same, in positional form
/// for exponents from -4 to 15 (with `.0` when integral), else as `1e+16`, `1.5e-05`.
pub(crate) fn python_float(value: f64) -> Option<String> {
    if value.is_nan() {
        return Some("nan".into());
    }
    if value.is_infinite() {
        return Some(if value > 0.0 { "inf".into() } else { "-inf".into() });
    }
    if value == 0.0 {
        return Some(if value.is_sign_negative() { "-0.0".into() } else { "0.0".into() });
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    if (-4..16).contains(&exponent) {
        let plain = format!("{value}");
        Some(if plain.contains('.') { plain } else { format!("{plain}.0") })
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        Some(format!("{mantissa}e{sign}{:02}", exponent.abs()))
    }
}

/// A YAML date `2025-1-5` read as Python's `date`, whose `str` is `2025-01-05`.
fn date(text: &str) -> Option<String> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || year.len() != 4
        || !(1..=2).contains(&month.len())
        || !(1..=2).contains(&day.len())
        || ![year, month, day].iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let (month, day): (u32, u32) = (month.parse().ok()?, day.parse().ok()?);
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then(|| format!("{year}-{month:02}-{day:02}"))
}

/// A date followed by a time, which PyYAML read as a `datetime`.
fn is_timestamp_like(text: &str) -> bool {
    text.len() > 10 && date(&text[..10]).is_some() && text[10..].starts_with(['T', 't', ' '])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Result<Value, Untranslatable> {
        resolve(text, ScalarStyle::Plain, None, Flavor::Yaml)
    }

    fn text_of(text: &str) -> String {
        plain(text).unwrap().text
    }

    #[test]
    fn yaml_1_1_integers() {
        assert_eq!(plain("1").unwrap(), Value { kind: Kind::Int, text: "1".into() });
        assert_eq!(text_of("012"), "10");
        assert_eq!(text_of("0x1F"), "31");
        assert_eq!(text_of("0b101"), "5");
        assert_eq!(text_of("1_000"), "1000");
        assert_eq!(text_of("-3"), "-3");
        assert_eq!(text_of("1:30"), "90");
        assert_eq!(plain("09").unwrap().kind, Kind::Str);
    }

    #[test]
    fn yaml_1_1_booleans_null_and_strings() {
        assert_eq!(text_of("yes"), "True");
        assert_eq!(text_of("Off"), "False");
        assert_eq!(plain("~"), Err(Untranslatable::Null));
        assert_eq!(plain("sonnet-4").unwrap().kind, Kind::Str);
        assert_eq!(resolve("1", ScalarStyle::SingleQuoted, None, Flavor::Yaml).unwrap().kind, Kind::Str);
        assert_eq!(resolve("1", ScalarStyle::Plain, Some("!!str"), Flavor::Yaml).unwrap().kind, Kind::Str);
    }

    #[test]
    fn floats_print_as_python_does() {
        assert_eq!(text_of("4.1"), "4.1");
        assert_eq!(text_of("1.50"), "1.5");
        assert_eq!(text_of("2."), "2.0");
        assert_eq!(text_of(".5"), "0.5");
        assert_eq!(text_of("1.0e+16"), "1e+16");
        assert_eq!(text_of("1.5e-5"), "1.5e-05");
        assert_eq!(plain("1e3").unwrap().kind, Kind::Str);
        assert_eq!(text_of(".inf"), "inf");
    }

    #[test]
    fn dates_and_timestamps() {
        assert_eq!(plain("2025-1-5").unwrap(), Value { kind: Kind::Date, text: "2025-01-05".into() });
        assert!(plain("2025-01-05 10:00:00").is_err());
    }

    #[test]
    fn equality_follows_python() {
        let key = |t: &str| plain(t).unwrap().equality_key();
        assert_eq!(key("1"), key("true"));
        assert_eq!(key("1"), key("1.0"));
        assert_ne!(key("1"), resolve("1", ScalarStyle::SingleQuoted, None, Flavor::Yaml).unwrap().equality_key());
        assert_ne!(key("1.5"), key("1"));
    }

    #[test]
    fn json_numbers_and_literals() {
        let json = |t: &str| resolve(t, ScalarStyle::Plain, None, Flavor::Json).unwrap();
        assert_eq!(json("1e3").text, "1000.0");
        assert_eq!(json("12").kind, Kind::Int);
        assert_eq!(json("true").text, "True");
    }
}
