//! Reading the file: YAML (serde_norway) or JSON (serde_json), every error with
//! its file, line and column.

use std::fmt;
use std::path::Path as FsPath;

use super::locate::{Path, locate};
use super::model::GovernanceFile;

/// A problem with the file, at a place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as given on the command line.
    pub file: String,
    /// Line, from 1 (0 when the problem is not at a place, such as an unreadable file).
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

/// The text of a file and how to read it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name shown in diagnostics.
    pub name: String,
    /// The whole text.
    pub text: String,
    /// JSON (by the `.json` extension) rather than YAML.
    pub json: bool,
}

impl Source {
    /// Reads `path` (`-` is standard input, read as YAML, which accepts JSON too).
    pub fn read(path: &FsPath) -> Result<Self, Diagnostic> {
        let name = path.display().to_string();
        let text = if name == "-" {
            std::io::read_to_string(std::io::stdin())
        } else {
            std::fs::read_to_string(path)
        }
        .map_err(|e| Diagnostic {
            file: name.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read: {e}"),
        })?;
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        Ok(Self { name, text, json })
    }

    /// A source from text (`json` selects the parser).
    pub fn from_text(name: impl Into<String>, text: impl Into<String>, json: bool) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
            json,
        }
    }

    /// Parses the file into its typed form; the first syntax or type error is
    /// reported where it is.
    pub fn parse(&self) -> Result<GovernanceFile, Diagnostic> {
        if self.json {
            serde_json::from_str(&self.text)
                .map_err(|e| self.diagnostic(e.line(), e.column(), strip_location(&e.to_string())))
        } else {
            if self.text.trim().is_empty() {
                return Err(self.diagnostic(1, 1, "the file is empty".into()));
            }
            serde_norway::from_str(&self.text).map_err(|e| {
                let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
                self.diagnostic(line, column, strip_location(&e.to_string()))
            })
        }
    }

    /// A diagnostic at the value `path` points to (or its closest ancestor).
    pub fn at(&self, path: &Path, message: impl Into<String>) -> Diagnostic {
        let (line, column) = locate(&self.text, self.json, path).unwrap_or((1, 1));
        self.diagnostic(line, column, message.into())
    }

    fn diagnostic(&self, line: usize, column: usize, message: String) -> Diagnostic {
        Diagnostic {
            file: self.name.clone(),
            line,
            column,
            message,
        }
    }
}

/// The parsers' messages end with their own "at line L column C"; the diagnostic
/// says it once, in front.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => message[..at].to_string(),
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_type_errors_carry_line_and_column() {
        let source = Source::from_text(
            "g.yaml",
            "version: 1\nteams:\n  - name: a\n    budgets: 7\n",
            false,
        );
        let d = source.parse().unwrap_err();
        assert_eq!((d.line, d.file.as_str()), (4, "g.yaml"));
        assert!(d.message.contains("budgets"), "{d}");
        assert!(!d.message.contains(" at line "), "{d}");
    }

    #[test]
    fn unknown_fields_are_refused_where_they_are() {
        let source = Source::from_text(
            "g.yaml",
            "version: 1\nteams:\n  - name: a\n    custmer: b\n",
            false,
        );
        let d = source.parse().unwrap_err();
        assert_eq!(d.line, 4);
        assert!(d.message.contains("unknown field `custmer`"), "{d}");
    }

    #[test]
    fn json_errors_carry_line_and_column() {
        let source = Source::from_text(
            "g.json",
            "{\n  \"version\": 1,\n  \"teams\": [{\"name\": 3}]\n}",
            true,
        );
        let d = source.parse().unwrap_err();
        assert_eq!(d.line, 3);
        assert!(d.column > 1);
    }
}
