//! What the user reads when a request fails.

/// The server's message and, when the failure was the server's (5xx), the request's id,
/// which finds its lines in the logs when the user reports it. A refusal (4xx) says what
/// to do instead and needs no id.
pub fn reported(status: u16, message: String, request_id: Option<&str>) -> String {
    match request_id {
        Some(id) if status >= 500 => format!("{message} (request {id})"),
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::reported;

    #[test]
    fn a_server_failure_names_its_request_and_a_refusal_does_not() {
        assert_eq!(
            reported(503, "try again soon".into(), Some("r-1f2e")),
            "try again soon (request r-1f2e)"
        );
        assert_eq!(
            reported(500, "something went wrong".into(), None),
            "something went wrong"
        );
        assert_eq!(
            reported(403, "you may not".into(), Some("r-1f2e")),
            "you may not"
        );
    }
}
