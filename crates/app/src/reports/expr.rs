//! The formulas of report columns: parsed once, evaluated over a row's facts.

// ---------------------------------------------------------------- formulas

/// A formula: numbers, names (facts or column ids), `+ - * /` and parentheses.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expr {
    Num(f64),
    Name(String),
    Neg(Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
}

impl Expr {
    pub(super) fn parse(text: &str) -> Result<Expr, String> {
        let tokens = tokenize(text)?;
        let mut pos = 0;
        let e = parse_sum(&tokens, &mut pos)?;
        if pos != tokens.len() {
            return Err(format!("thừa «{:?}»", tokens[pos]));
        }
        Ok(e)
    }

    pub(super) fn names(&self) -> Vec<&str> {
        match self {
            Expr::Num(_) => vec![],
            Expr::Name(n) => vec![n.as_str()],
            Expr::Neg(e) => e.names(),
            Expr::Bin(_, a, b) => {
                let mut v = a.names();
                v.extend(b.names());
                v
            }
        }
    }

    /// `None` when a division by zero makes the figure meaningless.
    pub(super) fn eval(&self, lookup: &dyn Fn(&str) -> Option<f64>) -> Option<f64> {
        match self {
            Expr::Num(n) => Some(*n),
            Expr::Name(n) => lookup(n),
            Expr::Neg(e) => e.eval(lookup).map(|v| -v),
            Expr::Bin(op, a, b) => {
                let (a, b) = (a.eval(lookup)?, b.eval(lookup)?);
                match op {
                    '+' => Some(a + b),
                    '-' => Some(a - b),
                    '*' => Some(a * b),
                    _ if b == 0.0 => None,
                    _ => Some(a / b),
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    Num(f64),
    Name(String),
    Op(char),
}

pub(super) fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if "+-*/()".contains(c) {
            out.push(Token::Op(c));
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            out.push(Token::Num(s.parse().map_err(|_| format!("số «{s}»"))?));
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || "_.".contains(chars[i])) {
                i += 1;
            }
            out.push(Token::Name(chars[start..i].iter().collect()));
        } else {
            return Err(format!("ký tự «{c}»"));
        }
    }
    Ok(out)
}

pub(super) fn parse_sum(t: &[Token], pos: &mut usize) -> Result<Expr, String> {
    let mut left = parse_product(t, pos)?;
    while let Some(Token::Op(op @ ('+' | '-'))) = t.get(*pos) {
        *pos += 1;
        let right = parse_product(t, pos)?;
        left = Expr::Bin(*op, Box::new(left), Box::new(right));
    }
    Ok(left)
}

pub(super) fn parse_product(t: &[Token], pos: &mut usize) -> Result<Expr, String> {
    let mut left = parse_atom(t, pos)?;
    while let Some(Token::Op(op @ ('*' | '/'))) = t.get(*pos) {
        *pos += 1;
        let right = parse_atom(t, pos)?;
        left = Expr::Bin(*op, Box::new(left), Box::new(right));
    }
    Ok(left)
}

pub(super) fn parse_atom(t: &[Token], pos: &mut usize) -> Result<Expr, String> {
    let token = t.get(*pos).ok_or("thiếu toán hạng")?.clone();
    *pos += 1;
    match token {
        Token::Num(n) => Ok(Expr::Num(n)),
        Token::Name(n) => Ok(Expr::Name(n)),
        Token::Op('-') => Ok(Expr::Neg(Box::new(parse_atom(t, pos)?))),
        Token::Op('(') => {
            let e = parse_sum(t, pos)?;
            match t.get(*pos) {
                Some(Token::Op(')')) => {
                    *pos += 1;
                    Ok(e)
                }
                _ => Err("thiếu «)»".into()),
            }
        }
        Token::Op(c) => Err(format!("không chờ «{c}»")),
    }
}
