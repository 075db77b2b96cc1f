//! Slack's message markup (`mrkdwn`) as edgechat's markdown, so an alert written for
//! Slack reads right here: `<url|label>` links, `<!here>` and the other special
//! mentions, the three escapes Slack requires (`&amp;`, `&lt;`, `&gt;`), `*bold*`,
//! `~strike~` and `:shortcode:` emoji. `_italics_`, `` `code` `` and fenced blocks read
//! the same in both, and the inside of code is left as written (but unescaped).
//!
//! One pass over the text, each position looked at a bounded number of times: where the
//! next closing character is comes from tables built backwards beforehand, so a line of
//! unmatched `*` or `<` costs no more than any other (docs/security.md: a parser run on
//! every message must be linear).

/// `mrkdwn` rewritten as edgechat markdown.
pub fn to_markdown(mrkdwn: &str) -> String {
    let chars: Vec<char> = mrkdwn.chars().collect();
    let marks = Marks::of(&chars);
    let mut out = String::with_capacity(mrkdwn.len() + 16);
    let mut closing = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '`' if starts_fence(&chars, i) => {
                // A fenced block runs to the next fence, whatever is inside.
                let end = find_fence(&chars, i + 3).unwrap_or(chars.len());
                let stop = (end + 3).min(chars.len());
                push_unescaped(&mut out, &chars[i..stop]);
                i = stop;
            }
            '`' => match marks.next_tick[i + 1] {
                Some(j) if j < marks.line_end[i] => {
                    push_unescaped(&mut out, &chars[i..=j]);
                    i = j + 1;
                }
                _ => {
                    out.push('`');
                    i += 1;
                }
            },
            '<' => match marks.next_gt[i + 1] {
                Some(j) if j < marks.line_end[i] && j > i + 1 => {
                    let inside: String = chars[i + 1..j].iter().collect();
                    out.push_str(&token(&inside));
                    i = j + 1;
                }
                _ => {
                    out.push('<');
                    i += 1;
                }
            },
            '*' | '~' if closing[i] => {
                push_emphasis(&mut out, c);
                i += 1;
            }
            '*' | '~' if opens(&chars, i) => {
                let closer = if c == '*' {
                    marks.next_star_closer[i + 1]
                } else {
                    marks.next_tilde_closer[i + 1]
                };
                match closer {
                    Some(j) if j > i + 1 && j < marks.line_end[i] => {
                        closing[j] = true;
                        push_emphasis(&mut out, c);
                    }
                    _ => out.push(c),
                }
                i += 1;
            }
            '&' => {
                let (decoded, used) = entity(&chars[i..]);
                out.push(decoded);
                i += used;
            }
            ':' => match shortcode(&chars, i) {
                Some((emoji, used)) => {
                    out.push_str(emoji);
                    i += used;
                }
                None => {
                    out.push(':');
                    i += 1;
                }
            },
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Where the next of each closing character is, from every position, and where each
/// position's line ends: built backwards in one pass each.
struct Marks {
    line_end: Vec<usize>,
    next_tick: Vec<Option<usize>>,
    next_gt: Vec<Option<usize>>,
    next_star_closer: Vec<Option<usize>>,
    next_tilde_closer: Vec<Option<usize>>,
}

impl Marks {
    fn of(chars: &[char]) -> Self {
        let n = chars.len();
        let mut marks = Marks {
            line_end: vec![n; n + 1],
            next_tick: vec![None; n + 1],
            next_gt: vec![None; n + 1],
            next_star_closer: vec![None; n + 1],
            next_tilde_closer: vec![None; n + 1],
        };
        for i in (0..n).rev() {
            let c = chars[i];
            marks.line_end[i] = if c == '\n' { i } else { marks.line_end[i + 1] };
            marks.next_tick[i] = if c == '`' {
                Some(i)
            } else {
                marks.next_tick[i + 1]
            };
            marks.next_gt[i] = if c == '>' {
                Some(i)
            } else {
                marks.next_gt[i + 1]
            };
            let closes = closes(chars, i);
            marks.next_star_closer[i] = if c == '*' && closes {
                Some(i)
            } else {
                marks.next_star_closer[i + 1]
            };
            marks.next_tilde_closer[i] = if c == '~' && closes {
                Some(i)
            } else {
                marks.next_tilde_closer[i + 1]
            };
        }
        marks
    }
}

/// Whether the `*` or `~` at `i` may open emphasis: at a word's start, before a
/// character that is neither space nor the same mark.
fn opens(chars: &[char], i: usize) -> bool {
    let before = i.checked_sub(1).map(|b| chars[b]);
    let after = chars.get(i + 1).copied();
    before.is_none_or(|b| !b.is_alphanumeric() && b != chars[i])
        && after.is_some_and(|a| !a.is_whitespace() && a != chars[i])
}

/// Whether the `*` or `~` at `i` may close emphasis: after a character that is not
/// space, at a word's end.
fn closes(chars: &[char], i: usize) -> bool {
    let before = i.checked_sub(1).map(|b| chars[b]);
    let after = chars.get(i + 1).copied();
    before.is_some_and(|b| !b.is_whitespace() && b != chars[i])
        && after.is_none_or(|a| !a.is_alphanumeric() && a != chars[i])
}

fn push_emphasis(out: &mut String, mark: char) {
    out.push(mark);
    out.push(mark);
}

fn starts_fence(chars: &[char], i: usize) -> bool {
    chars.get(i..i + 3).is_some_and(|s| s == ['`', '`', '`'])
}

/// The next fence at or after `from`. Called once per fence that opens, and the scan
/// resumes after what it found, so each character is looked at once.
fn find_fence(chars: &[char], from: usize) -> Option<usize> {
    (from..chars.len().saturating_sub(2)).find(|&j| starts_fence(chars, j))
}

/// `chars` with Slack's three escapes undone.
fn push_unescaped(out: &mut String, chars: &[char]) {
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '&' {
            let (decoded, used) = entity(&chars[i..]);
            out.push(decoded);
            i += used;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
}

/// The character an escape at the start of `chars` stands for, and its length; a lone
/// `&` stands for itself.
fn entity(chars: &[char]) -> (char, usize) {
    for (name, decoded) in [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>')] {
        if chars.len() >= name.len() && chars.iter().zip(name.chars()).all(|(a, b)| *a == b) {
            return (decoded, name.len());
        }
    }
    ('&', 1)
}

fn unescaped(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    push_unescaped(&mut out, &chars);
    out
}

/// What a `<…>` token says, as markdown: a special mention, a user or channel by its
/// label, or a link.
fn token(inside: &str) -> String {
    let (target, label) = match inside.split_once('|') {
        Some((target, label)) => (target, Some(unescaped(label))),
        None => (inside, None),
    };
    if let Some(special) = target.strip_prefix('!') {
        return match special {
            "here" | "channel" | "everyone" => format!("@{special}"),
            // `<!subteam^ID|@team>`, `<!date^…|fallback>`: the label is what to show.
            _ => label.unwrap_or_default(),
        };
    }
    if let Some(user) = target.strip_prefix('@') {
        return format!(
            "@{}",
            label.as_deref().unwrap_or(user).trim_start_matches('@')
        );
    }
    if let Some(channel) = target.strip_prefix('#') {
        return format!(
            "#{}",
            label.as_deref().unwrap_or(channel).trim_start_matches('#')
        );
    }
    let url = unescaped(target);
    if !is_link(&url) {
        return label.unwrap_or(url);
    }
    match label {
        Some(label) if !label.trim().is_empty() => {
            let label: String = label
                .chars()
                .map(|c| match c {
                    '[' => '(',
                    ']' => ')',
                    c => c,
                })
                .collect();
            format!("[{label}]({})", url.replace(')', "%29").replace(' ', "%20"))
        }
        _ => url,
    }
}

/// Whether `url` is a link edgechat renders: http, https or mailto, with no space in it.
fn is_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    !url.chars().any(char::is_whitespace)
        && ["https://", "http://", "mailto:"]
            .iter()
            .any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len())
}

/// A `:shortcode:` at `i` that names an emoji: the emoji, and the shortcode's length.
/// Names are short, so the look ahead is bounded.
fn shortcode(chars: &[char], i: usize) -> Option<(&'static str, usize)> {
    let name: String = chars
        .iter()
        .skip(i + 1)
        .take(MAX_SHORTCODE + 1)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))
        .collect();
    if chars.get(i + 1 + name.len()) != Some(&':') {
        return None;
    }
    super::emoji::named(&name).map(|emoji| (emoji, name.len() + 2))
}

/// The longest shortcode name looked for.
const MAX_SHORTCODE: usize = 40;

#[cfg(test)]
mod tests {
    use super::to_markdown;

    #[test]
    fn links_become_markdown_links_and_bare_ones_stay_bare() {
        assert_eq!(
            to_markdown(
                "Build <https://ci.example/b/12|#12> failed, see <https://ci.example/b/12>"
            ),
            "Build [#12](https://ci.example/b/12) failed, see https://ci.example/b/12"
        );
    }

    #[test]
    fn special_mentions_users_and_channels_read_as_names() {
        assert_eq!(
            to_markdown(
                "<!here> <!channel|channel> <@U123|ana> <@U9> <#C1|ops> <!subteam^S1|@oncall>"
            ),
            "@here @channel @ana @U9 #ops @oncall"
        );
    }

    #[test]
    fn the_three_escapes_are_undone_once() {
        assert_eq!(
            to_markdown("a &lt;b&gt; &amp;amp; c &copy;"),
            "a <b> &amp; c &copy;"
        );
    }

    #[test]
    fn single_star_bold_and_tilde_strike_become_doubled() {
        assert_eq!(
            to_markdown("*Deploy* is _done_ and ~cancelled~"),
            "**Deploy** is _done_ and ~~cancelled~~"
        );
    }

    #[test]
    fn stars_inside_words_or_alone_are_kept() {
        assert_eq!(
            to_markdown("2*3*4 and * lone * star"),
            "2*3*4 and * lone * star"
        );
        assert_eq!(
            to_markdown("*open but never closed"),
            "*open but never closed"
        );
    }

    #[test]
    fn code_is_left_as_written() {
        assert_eq!(
            to_markdown("run `make *all*` then\n```\n*x* <y|z> &lt;\n```\n*done*"),
            "run `make *all*` then\n```\n*x* <y|z> <\n```\n**done**"
        );
    }

    #[test]
    fn a_link_to_another_scheme_shows_only_its_label() {
        assert_eq!(to_markdown("<javascript:alert(1)|click>"), "click");
        assert_eq!(to_markdown("<javascript:alert(1)>"), "javascript:alert(1)");
    }

    #[test]
    fn a_label_cannot_break_out_of_its_link() {
        assert_eq!(
            to_markdown("<https://a.example/x)y|see [this]>"),
            "[see (this)](https://a.example/x%29y)"
        );
    }

    #[test]
    fn known_shortcodes_become_emoji_and_others_stay() {
        assert_eq!(
            to_markdown(":white_check_mark: passed, :not_an_emoji: 10:30"),
            "✅ passed, :not_an_emoji: 10:30"
        );
    }

    #[test]
    fn brackets_that_never_close_cost_one_pass() {
        // Each `<` has no `>`, each `*` opens with none to close it, each shortcode is
        // cut short: all of it stays as it was.
        let text = "<:*a ~b ".repeat(20_000);
        assert!(to_markdown(&text) == text);
    }
}
