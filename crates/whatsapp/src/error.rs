//! Graph API failures and what to do about them.
//!
//! Meta's guidance is to act on `error.code` (and `error_data.details`), not on titles or
//! HTTP statuses (<https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes>).
//! The error response syntax documented there is
//! `{"error": {"message", "type", "code", "error_data": {"messaging_product", "details"},
//! "error_subcode", "fbtrace_id"}}`; `error_subcode` is documented as deprecated but still
//! appears (e.g. 33 on "object does not exist", 463 on expired tokens).

use serde::Deserialize;
use serde_json::Value;

/// What a caller should do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Transient: try the same request again after a delay (back off).
    Later,
    /// Permanent for this request: retrying the same thing cannot succeed.
    Never,
    /// The access token is expired or revoked: nothing will work until an administrator
    /// connects the number again.
    Reconnect,
}

/// An HTTP error answer; the fields come from Meta's error JSON when it sent one (`code` is
/// `None` for HTML or empty bodies, as proxies and 5xx pages give).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: Option<i64>,
    pub subcode: Option<i64>,
    /// `error.type`, e.g. `OAuthException`.
    pub kind: Option<String>,
    pub message: Option<String>,
    pub details: Option<String>,
    pub fbtrace_id: Option<String>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Graph API HTTP {}", self.status)?;
        if let Some(code) = self.code {
            write!(f, ", code {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

/// A failed Graph API call. The access token never appears in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// Meta answered with an HTTP error.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// No answer within the configured timeout.
    #[error("Graph API request timed out")]
    Timeout,
    /// Could not connect (DNS, refused, TLS handshake).
    #[error("could not connect to the Graph API: {0}")]
    Connect(String),
    /// The connection broke mid-request or mid-response.
    #[error("Graph API transport error: {0}")]
    Transport(String),
    /// A success status with a body that is not the documented JSON.
    #[error("unexpected Graph API response: {0}")]
    Decode(String),
    /// The media is larger than the caller's limit; nothing past the limit was read.
    #[error("media larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// The downloaded bytes do not hash to Meta's `sha256`.
    #[error("media checksum mismatch")]
    MediaChecksum { expected: String, actual: String },
    /// An id that cannot be put in a Graph API path.
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
}

/// Codes retried later, from Meta's error-code page: throttling (4 "API Too Many Calls",
/// 80007 "Rate limit issues", 130429 "Rate limit hit", 131048 "Spam rate limit hit",
/// 131056 "(Business Account, Consumer Account) pair rate limit hit", 133016 "Account
/// register deregister rate limit exceeded"), and temporary server conditions (1 "API
/// Unknown", 2 "API Service", 131000 "Something went wrong", 131016 "Service unavailable",
/// 131057 "Account in maintenance mode", 133004 "Server temporarily unavailable").
pub const RETRY_LATER_CODES: &[i64] = &[
    1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 131057, 133004, 133016,
];

/// Codes that no retry will fix, from the same page: 100 "Invalid parameter", 131008
/// "Required parameter is missing", 131009 "Parameter value is not valid", 131021
/// "Recipient cannot be sender", 131026 "Message undeliverable", 131047 "Re-engagement
/// message", 131050 "User stopped marketing messages", 131051 "Unsupported message type",
/// 131052 "Media download error", 131053 "Media upload error", 132000 "Template param count
/// mismatch", 132001 "Template does not exist", 132005 "Template hydrated text too long",
/// 132007 "Template format character policy violated", 132012 "Template parameter format
/// mismatch", 132015 "Template is paused", 132016 "Template is disabled", 133010 "Phone
/// number not registered", 130472 "User's number is part of an experiment", 368
/// "Temporarily blocked for policies violations", 131031 "Account has been locked", 3 / 10 /
/// 200–299 permission errors (a permission is granted by an administrator, not by waiting).
pub const NEVER_RETRY_CODES: &[i64] = &[
    3, 10, 100, 368, 130472, 131008, 131009, 131021, 131026, 131031, 131047, 131050, 131051,
    131052, 131053, 132000, 132001, 132005, 132007, 132012, 132015, 132016, 133010,
];

/// Codes that mean the token is unusable: 190 "Access token has expired" and 0
/// "AuthException" (both documented with HTTP 401).
pub const RECONNECT_CODES: &[i64] = &[0, 190];

impl GraphError {
    /// Classifies the failure for a retry policy.
    pub fn retry(&self) -> Retry {
        match self {
            GraphError::Timeout | GraphError::Connect(_) | GraphError::Transport(_) => Retry::Later,
            // A corrupted transfer is worth one more fresh download.
            GraphError::MediaChecksum { .. } => Retry::Later,
            GraphError::Decode(_)
            | GraphError::TooLarge { .. }
            | GraphError::InvalidArgument(_) => Retry::Never,
            GraphError::Api(api) => {
                let (status, code) = (api.status, api.code);
                if let Some(code) = &code {
                    if RECONNECT_CODES.contains(code) {
                        return Retry::Reconnect;
                    }
                    if RETRY_LATER_CODES.contains(code) {
                        return Retry::Later;
                    }
                    if NEVER_RETRY_CODES.contains(code) || (200..=299).contains(code) {
                        return Retry::Never;
                    }
                }
                match status {
                    401 => Retry::Reconnect,
                    429 | 500..=599 => Retry::Later,
                    // 408 is a proxy's timeout: as transient as ours.
                    408 => Retry::Later,
                    _ => Retry::Never,
                }
            }
        }
    }

    /// Meta's error code, when the failure came with one.
    pub fn code(&self) -> Option<i64> {
        match self {
            GraphError::Api(api) => api.code,
            _ => None,
        }
    }

    /// Builds an [`GraphError::Api`] from an error response (JSON or not).
    pub(crate) fn from_response(status: u16, body: &[u8]) -> GraphError {
        #[derive(Deserialize)]
        struct Envelope {
            error: Body,
        }
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Body {
            message: Option<String>,
            #[serde(rename = "type")]
            kind: Option<String>,
            code: Option<Value>,
            error_subcode: Option<Value>,
            error_data: Option<Value>,
            fbtrace_id: Option<String>,
        }
        let number = |v: Option<Value>| match v {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        match serde_json::from_slice::<Envelope>(body) {
            Ok(Envelope { error }) => GraphError::Api(Box::new(ApiError {
                status,
                code: number(error.code),
                subcode: number(error.error_subcode),
                kind: error.kind,
                message: error.message,
                details: error
                    .error_data
                    .as_ref()
                    .and_then(|d| d.get("details"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                fbtrace_id: error.fbtrace_id,
            })),
            Err(_) => GraphError::Api(Box::new(ApiError {
                status,
                code: None,
                subcode: None,
                kind: None,
                message: None,
                details: None,
                fbtrace_id: None,
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: Option<i64>) -> GraphError {
        GraphError::Api(Box::new(ApiError {
            status,
            code,
            subcode: None,
            kind: None,
            message: None,
            details: None,
            fbtrace_id: None,
        }))
    }

    #[test]
    fn codes_decide_before_statuses() {
        // Meta sends most errors with HTTP 400: the code is what tells them apart.
        assert_eq!(api(400, Some(130429)).retry(), Retry::Later);
        assert_eq!(api(400, Some(131047)).retry(), Retry::Never);
        assert_eq!(api(400, Some(190)).retry(), Retry::Reconnect);
        assert_eq!(api(500, Some(131026)).retry(), Retry::Never);
        assert_eq!(api(403, Some(250)).retry(), Retry::Never);
        // Without a code (or with one we do not list), the status decides.
        assert_eq!(api(401, None).retry(), Retry::Reconnect);
        assert_eq!(api(429, None).retry(), Retry::Later);
        assert_eq!(api(502, None).retry(), Retry::Later);
        assert_eq!(api(400, None).retry(), Retry::Never);
        assert_eq!(api(503, Some(987_654)).retry(), Retry::Later);
        assert_eq!(GraphError::Timeout.retry(), Retry::Later);
        assert_eq!(GraphError::Decode("x".into()).retry(), Retry::Never);
    }

    #[test]
    fn no_code_is_in_two_lists() {
        for code in RETRY_LATER_CODES {
            assert!(
                !NEVER_RETRY_CODES.contains(code) && !RECONNECT_CODES.contains(code),
                "{code}"
            );
        }
        for code in NEVER_RETRY_CODES {
            assert!(!RECONNECT_CODES.contains(code), "{code}");
        }
    }

    #[test]
    fn error_bodies_are_read_leniently() -> Result<(), String> {
        let body = br#"{"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit","type":"OAuthException","code":"131056","error_subcode":2494055,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send: too many messages to the same number in a short time."},"fbtrace_id":"AbCdEfGh12345678"}}"#;
        let GraphError::Api(e) = GraphError::from_response(400, body) else {
            return Err("not an API error".into());
        };
        assert_eq!(
            (e.status, e.code, e.subcode),
            (400, Some(131056), Some(2_494_055))
        );
        assert_eq!(e.kind.as_deref(), Some("OAuthException"));
        assert!(
            e.details
                .as_deref()
                .is_some_and(|d| d.starts_with("Message failed"))
        );
        assert_eq!(e.fbtrace_id.as_deref(), Some("AbCdEfGh12345678"));
        let html = GraphError::from_response(502, b"<html><body>Bad Gateway</body></html>");
        assert_eq!(html.code(), None);
        assert_eq!(html.to_string(), "Graph API HTTP 502");
        assert_eq!(html.retry(), Retry::Later);
        assert_eq!(
            GraphError::from_response(400, body).to_string(),
            "Graph API HTTP 400, code 131056: (#131056) (Business Account, Consumer Account) pair rate limit hit"
        );
        Ok(())
    }
}
