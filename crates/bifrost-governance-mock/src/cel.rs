//! A syntax check for CEL expressions (v2 compiles routing-rule expressions on
//! write). This is not a CEL compiler: it parses CEL's grammar (literals, operators,
//! member access, calls, lists, maps, the conditional) and reports the first syntax
//! error, so unbalanced brackets or quotes, dangling operators and stray tokens are
//! refused the way the server refuses them. Types and declarations are not checked.

/// Checks `source`; the error reads like cel-go's (`ERROR: <input>:1:5: Syntax error: …`).
pub(crate) fn check(source: &str) -> Result<(), String> {
    let tokens = lex(source).map_err(|(at, what)| report(source, at, &what))?;
    let mut parser = Parser { tokens, pos: 0 };
    parser
        .expr()
        .map_err(|(at, what)| report(source, at, &what))?;
    match parser.peek() {
        Tok::Eof => Ok(()),
        other => Err(report(
            source,
            parser.at(),
            &format!("extraneous input {} expecting <EOF>", other.describe()),
        )),
    }
}

fn report(source: &str, at: usize, what: &str) -> String {
    let before = &source[..at.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count());
    format!("ERROR: <input>:{line}:{column}: Syntax error: {what}")
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Literal,
    Op(&'static str),
    Eof,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Ident(name) => format!("'{name}'"),
            Tok::Literal => "literal".to_string(),
            Tok::Op(op) => format!("'{op}'"),
            Tok::Eof => "<EOF>".to_string(),
        }
    }
}

const OPS: &[&str] = &[
    "&&", "||", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", ".", ",",
    "(", ")", "[", "]", "{", "}",
];

fn lex(source: &str) -> Result<Vec<(Tok, usize)>, (usize, String)> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        // String and bytes literals, optionally raw (r) and/or bytes (b) prefixed.
        let mut j = i;
        while j < bytes.len() && j - i < 2 && matches!(bytes[j], b'r' | b'R' | b'b' | b'B') {
            j += 1;
        }
        if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
            let raw = source[i..j].to_lowercase().contains('r');
            let quote = bytes[j];
            let triple = bytes.get(j + 1) == Some(&quote) && bytes.get(j + 2) == Some(&quote);
            let mut k = j + if triple { 3 } else { 1 };
            loop {
                if k >= bytes.len() {
                    return Err((
                        start,
                        "token recognition error at: unterminated string".to_string(),
                    ));
                }
                if !raw && bytes[k] == b'\\' {
                    k += 2;
                    continue;
                }
                if !triple && bytes[k] == b'\n' {
                    return Err((
                        start,
                        "token recognition error at: unterminated string".to_string(),
                    ));
                }
                if triple {
                    if bytes[k] == quote
                        && bytes.get(k + 1) == Some(&quote)
                        && bytes.get(k + 2) == Some(&quote)
                    {
                        k += 3;
                        break;
                    }
                } else if bytes[k] == quote {
                    k += 1;
                    break;
                }
                k += 1;
            }
            out.push((Tok::Literal, start));
            i = k;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                // `1.foo` is a member access, not a number.
                if bytes[i] == b'.' && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    break;
                }
                i += 1;
            }
            out.push((Tok::Literal, start));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &source[start..i];
            let tok = match word {
                "true" | "false" | "null" => Tok::Literal,
                "in" => Tok::Op("in"),
                _ => Tok::Ident(word.to_string()),
            };
            out.push((tok, start));
            continue;
        }
        match OPS.iter().find(|op| source[i..].starts_with(**op)) {
            Some(op) => {
                out.push((Tok::Op(op), start));
                i += op.len();
            }
            None => {
                let ch = source[i..].chars().next().unwrap_or('?');
                return Err((start, format!("token recognition error at: '{ch}'")));
            }
        }
    }
    out.push((Tok::Eof, source.len()));
    Ok(out)
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
}

type Parsed = Result<(), (usize, String)>;

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].0
    }

    fn at(&self) -> usize {
        self.tokens[self.pos.min(self.tokens.len() - 1)].1
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Tok::Op(o) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, op: &str) -> Parsed {
        if self.eat(op) {
            Ok(())
        } else {
            Err((
                self.at(),
                format!(
                    "mismatched input {} expecting '{op}'",
                    self.peek().describe()
                ),
            ))
        }
    }

    fn expr(&mut self) -> Parsed {
        self.binary(0)?;
        if self.eat("?") {
            self.binary(0)?;
            self.expect(":")?;
            self.expr()?;
        }
        Ok(())
    }

    /// Precedence climbing over `||`, `&&`, relations, additive, multiplicative.
    fn binary(&mut self, level: usize) -> Parsed {
        const LEVELS: &[&[&str]] = &[
            &["||"],
            &["&&"],
            &["==", "!=", "<", "<=", ">", ">=", "in"],
            &["+", "-"],
            &["*", "/", "%"],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        self.binary(level + 1)?;
        while LEVELS[level].iter().any(|op| self.eat(op)) {
            self.binary(level + 1)?;
        }
        Ok(())
    }

    fn unary(&mut self) -> Parsed {
        while self.eat("!") || self.eat("-") {}
        self.member()
    }

    fn member(&mut self) -> Parsed {
        self.primary()?;
        loop {
            if self.eat(".") {
                match self.peek() {
                    Tok::Ident(_) => self.pos += 1,
                    other => {
                        return Err((
                            self.at(),
                            format!(
                                "no viable alternative at input '.{}'",
                                other.describe().trim_matches('\'')
                            ),
                        ));
                    }
                }
                if self.eat("(") {
                    self.list(")")?;
                }
            } else if self.eat("[") {
                self.expr()?;
                self.expect("]")?;
            } else if self.eat("{") {
                self.fields()?;
            } else {
                return Ok(());
            }
        }
    }

    fn primary(&mut self) -> Parsed {
        match self.peek().clone() {
            Tok::Literal => {
                self.pos += 1;
                Ok(())
            }
            Tok::Ident(_) => {
                self.pos += 1;
                if self.eat("(") {
                    self.list(")")?;
                }
                Ok(())
            }
            Tok::Op(".") => {
                self.pos += 1;
                self.primary()
            }
            Tok::Op("(") => {
                self.pos += 1;
                self.expr()?;
                self.expect(")")
            }
            Tok::Op("[") => {
                self.pos += 1;
                self.list("]")
            }
            Tok::Op("{") => {
                self.pos += 1;
                self.map()
            }
            other => Err((
                self.at(),
                format!(
                    "mismatched input {} expecting an expression",
                    other.describe()
                ),
            )),
        }
    }

    /// `expr, expr, …` up to `close` (a trailing comma allowed).
    fn list(&mut self, close: &str) -> Parsed {
        if self.eat(close) {
            return Ok(());
        }
        loop {
            self.expr()?;
            if self.eat(close) {
                return Ok(());
            }
            self.expect(",")?;
            if self.eat(close) {
                return Ok(());
            }
        }
    }

    /// `key: value, …}` of a map literal.
    fn map(&mut self) -> Parsed {
        if self.eat("}") {
            return Ok(());
        }
        loop {
            self.expr()?;
            self.expect(":")?;
            self.expr()?;
            if self.eat("}") {
                return Ok(());
            }
            self.expect(",")?;
            if self.eat("}") {
                return Ok(());
            }
        }
    }

    /// `field: value, …}` of a message literal.
    fn fields(&mut self) -> Parsed {
        if self.eat("}") {
            return Ok(());
        }
        loop {
            match self.peek() {
                Tok::Ident(_) => self.pos += 1,
                other => {
                    return Err((
                        self.at(),
                        format!("mismatched input {} expecting IDENTIFIER", other.describe()),
                    ));
                }
            }
            self.expect(":")?;
            self.expr()?;
            if self.eat("}") {
                return Ok(());
            }
            self.expect(",")?;
            if self.eat("}") {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_rules() {
        for ok in [
            "model == \"gpt-4o\"",
            "request.model.startsWith('gpt') && headers['x-tier'] in ['gold', \"silver\"]",
            "size(messages) > 10 || !stream",
            "tokens >= 1000 ? true : false",
            "x.y(1, 2.5, 3u).z[0] + -1 * 2 % 3",
            "{'a': 1, 'b': [1, 2,]}['a'] == 1",
            "r'raw\\d' != b\"bytes\"",
            "'''multi\nline''' == \"\"",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_malformed_ones() {
        for bad in [
            "model == ",
            "(model == 'x'",
            "model == 'x')",
            "model == \"unterminated",
            "a && || b",
            "a ? b",
            "headers[",
            "a.1",
            "a @ b",
            "[1, 2",
            "f(1,",
        ] {
            let err = check(bad).unwrap_err();
            assert!(err.starts_with("ERROR: <input>:1:"), "{bad}: {err}");
        }
    }
}
