//! Syntax highlighting for code blocks: keywords, strings, comments and numbers for the
//! languages people paste most. A small tokenizer rather than a grammar engine, so it
//! costs a few kilobytes of the client and never needs loading. Plain Rust, tested
//! natively; the output is text runs with a class, rendered as text.

/// What a run of code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Plain,
    Keyword,
    Str,
    Comment,
    Number,
}

impl Token {
    pub fn class(self) -> &'static str {
        match self {
            Token::Plain => "",
            Token::Keyword => "tok-kw",
            Token::Str => "tok-str",
            Token::Comment => "tok-com",
            Token::Number => "tok-num",
        }
    }
}

struct Language {
    keywords: &'static [&'static str],
    line_comments: &'static [&'static str],
    block_comments: bool,
}

fn language(lang: &str) -> Option<Language> {
    let c_like = |keywords| Language {
        keywords,
        line_comments: &["//"],
        block_comments: true,
    };
    let hash = |keywords| Language {
        keywords,
        line_comments: &["#"],
        block_comments: false,
    };
    Some(match lang {
        "rust" | "rs" => c_like(&[
            "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
            "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod",
            "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
            "trait", "true", "type", "unsafe", "use", "where", "while",
        ]),
        "js" | "javascript" | "ts" | "typescript" | "jsx" | "tsx" => c_like(&[
            "async",
            "await",
            "break",
            "case",
            "catch",
            "class",
            "const",
            "continue",
            "default",
            "delete",
            "else",
            "export",
            "extends",
            "false",
            "finally",
            "for",
            "from",
            "function",
            "if",
            "import",
            "in",
            "instanceof",
            "interface",
            "let",
            "new",
            "null",
            "return",
            "switch",
            "this",
            "throw",
            "true",
            "try",
            "type",
            "typeof",
            "undefined",
            "var",
            "void",
            "while",
            "yield",
        ]),
        "go" => c_like(&[
            "break",
            "case",
            "chan",
            "const",
            "continue",
            "default",
            "defer",
            "else",
            "false",
            "for",
            "func",
            "go",
            "if",
            "import",
            "interface",
            "map",
            "nil",
            "package",
            "range",
            "return",
            "select",
            "struct",
            "switch",
            "true",
            "type",
            "var",
        ]),
        "c" | "cpp" | "c++" | "java" | "kotlin" | "cs" | "csharp" | "swift" => c_like(&[
            "auto",
            "bool",
            "break",
            "case",
            "catch",
            "char",
            "class",
            "const",
            "continue",
            "default",
            "do",
            "double",
            "else",
            "enum",
            "extends",
            "false",
            "final",
            "float",
            "for",
            "fun",
            "func",
            "if",
            "import",
            "int",
            "let",
            "long",
            "namespace",
            "new",
            "null",
            "nullptr",
            "private",
            "protected",
            "public",
            "return",
            "static",
            "struct",
            "switch",
            "this",
            "throw",
            "true",
            "try",
            "typedef",
            "val",
            "var",
            "void",
            "while",
        ]),
        "python" | "py" => hash(&[
            "and", "as", "async", "await", "break", "class", "continue", "def", "elif", "else",
            "except", "False", "finally", "for", "from", "if", "import", "in", "is", "lambda",
            "None", "not", "or", "pass", "raise", "return", "True", "try", "while", "with",
            "yield",
        ]),
        "sh" | "bash" | "shell" | "zsh" | "console" => hash(&[
            "case", "do", "done", "elif", "else", "esac", "export", "fi", "for", "function", "if",
            "in", "local", "return", "then", "while",
        ]),
        "toml" | "yaml" | "yml" => hash(&["true", "false", "null"]),
        "sql" => Language {
            keywords: &[
                "AND", "AS", "BY", "CREATE", "DELETE", "FROM", "GROUP", "INSERT", "INTO", "JOIN",
                "LIMIT", "NOT", "NULL", "ON", "OR", "ORDER", "SELECT", "SET", "TABLE", "UPDATE",
                "VALUES", "WHERE",
            ],
            line_comments: &["--"],
            block_comments: true,
        },
        "json" => Language {
            keywords: &["true", "false", "null"],
            line_comments: &[],
            block_comments: false,
        },
        _ => return None,
    })
}

/// The runs of `code` in `lang`; an unknown language is one plain run.
pub fn highlight(lang: &str, code: &str) -> Vec<(Token, String)> {
    let Some(language) = language(lang) else {
        return vec![(Token::Plain, code.to_owned())];
    };
    let sql = lang == "sql";
    let chars: Vec<char> = code.chars().collect();
    let mut runs: Vec<(Token, String)> = Vec::new();
    let mut push = |token: Token, text: String| match runs.last_mut() {
        Some((last, run)) if *last == token => run.push_str(&text),
        _ => runs.push((token, text)),
    };
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        let at = |s: &str| rest.iter().take(s.chars().count()).copied().eq(s.chars());
        if language.line_comments.iter().any(|m| at(m)) {
            let end = rest.iter().position(|c| *c == '\n').unwrap_or(rest.len());
            push(Token::Comment, rest[..end].iter().collect());
            i += end;
        } else if language.block_comments && at("/*") {
            let end = (2..rest.len())
                .find(|&k| rest[k - 1] == '*' && rest[k] == '/')
                .map_or(rest.len(), |k| k + 1);
            push(Token::Comment, rest[..end].iter().collect());
            i += end;
        } else if matches!(rest[0], '"' | '\'' | '`') {
            let quote = rest[0];
            let mut k = 1;
            while k < rest.len() && rest[k] != quote && rest[k] != '\n' {
                k += if rest[k] == '\\' { 2 } else { 1 };
            }
            let end = (k + 1).min(rest.len());
            push(Token::Str, rest[..end].iter().collect());
            i += end;
        } else if rest[0].is_ascii_digit() {
            let end = rest
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || *c == '.' || *c == '_'))
                .unwrap_or(rest.len());
            push(Token::Number, rest[..end].iter().collect());
            i += end;
        } else if rest[0].is_alphabetic() || rest[0] == '_' {
            let end = rest
                .iter()
                .position(|c| !(c.is_alphanumeric() || *c == '_'))
                .unwrap_or(rest.len());
            let word: String = rest[..end].iter().collect();
            let keyword = if sql {
                language
                    .keywords
                    .contains(&word.to_ascii_uppercase().as_str())
            } else {
                language.keywords.contains(&word.as_str())
            };
            push(
                if keyword {
                    Token::Keyword
                } else {
                    Token::Plain
                },
                word,
            );
            i += end;
        } else {
            push(Token::Plain, rest[0].to_string());
            i += 1;
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_keywords_strings_comments_and_numbers() {
        let runs = highlight("rust", "fn main() { let x = \"hi\"; // done\n 42 }");
        let of = |token| {
            runs.iter()
                .filter(|(t, _)| *t == token)
                .map(|(_, s)| s.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(of(Token::Keyword), ["fn", "let"]);
        assert_eq!(of(Token::Str), ["\"hi\""]);
        assert_eq!(of(Token::Comment), ["// done"]);
        assert_eq!(of(Token::Number), ["42"]);
        let joined: String = runs.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(
            joined, "fn main() { let x = \"hi\"; // done\n 42 }",
            "lossless"
        );
    }

    #[test]
    fn unknown_languages_are_plain_and_sql_ignores_case() {
        assert_eq!(
            highlight("brainfuck", "+-<>"),
            [(Token::Plain, "+-<>".into())]
        );
        assert_eq!(
            highlight("sql", "select 1")[0],
            (Token::Keyword, "select".into())
        );
        assert_eq!(
            highlight("py", "# note")[0],
            (Token::Comment, "# note".into())
        );
    }
}
