//! The webhook signature: `X-Hub-Signature-256: sha256=<hex>`.
//!
//! Meta signs every webhook POST with HMAC-SHA256 of the raw request body, keyed with the
//! app secret, and sends the digest as lowercase hex after a `sha256=` prefix
//! (<https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads>).
//! The check has to run on the bytes exactly as received: re-serialising parsed JSON changes
//! escapes (Meta escapes non-ASCII as `\uXXXX`) and breaks the digest.
//!
//! Uppercase hex is accepted: the digest is the same value whatever the case of its encoding,
//! so refusing it would add no safety, only a way to drop genuine deliveries should a proxy
//! or a future sender normalise the header. The prefix, however, must be exactly `sha256=`:
//! anything else is a different (or no) algorithm and is refused as malformed.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The header Meta puts the signature in.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

const PREFIX: &str = "sha256=";

/// Why a webhook body was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-Hub-Signature-256` header: an unsigned request never comes from Meta.
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    /// The header is not `sha256=` followed by 64 hex digits.
    #[error("the X-Hub-Signature-256 header is not sha256=<64 hex digits>")]
    Malformed,
    /// Well formed, but not the digest of this body with this app secret.
    #[error("the X-Hub-Signature-256 header does not match the body")]
    Mismatch,
}

fn mac_for(app_secret: &[u8], raw_body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length (longer ones are hashed first, RFC 2104), so the
    // constructor cannot fail; the fallback keeps the function total without a panic path.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(app_secret) {
        Ok(mac) => mac,
        Err(_) => <Hmac<Sha256> as KeyInit>::new(&Default::default()),
    };
    mac.update(raw_body);
    mac
}

/// Checks `header` (the value of `X-Hub-Signature-256`) against `raw_body`.
///
/// The comparison is constant-time (`Mac::verify_slice`), so an attacker cannot learn the
/// digest byte by byte from response timings.
pub fn verify_signature(
    app_secret: &[u8],
    raw_body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex_digest = header
        .trim()
        .strip_prefix(PREFIX)
        .ok_or(SignatureError::Malformed)?;
    if hex_digest.len() != 64 {
        return Err(SignatureError::Malformed);
    }
    let expected = hex::decode(hex_digest).map_err(|_| SignatureError::Malformed)?;
    mac_for(app_secret, raw_body)
        .verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// The header value Meta would send for `raw_body`: `sha256=<lowercase hex>`.
///
/// Used by tests and by the stand-in to produce deliveries that pass [`verify_signature`].
pub fn sign(app_secret: &[u8], raw_body: &[u8]) -> String {
    let digest = mac_for(app_secret, raw_body).finalize().into_bytes();
    format!("{PREFIX}{}", hex::encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's published example for the same header scheme ("Validating webhook
    /// deliveries", <https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries>):
    /// secret `It's a Secret to Everybody`, payload `Hello, World!`.
    #[test]
    fn published_github_vector() {
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(
            sign(b"It's a Secret to Everybody", b"Hello, World!"),
            header
        );
        assert_eq!(
            verify_signature(
                b"It's a Secret to Everybody",
                b"Hello, World!",
                Some(header)
            ),
            Ok(())
        );
    }

    /// RFC 4231 section 4 test cases 1, 2 and 6 (HMAC-SHA-256 column).
    #[test]
    fn rfc_4231_vectors() {
        let cases: [(Vec<u8>, &[u8], &str); 3] = [
            (
                vec![0x0b; 20],
                b"Hi There",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
        ];
        for (key, data, digest) in cases {
            let header = format!("sha256={digest}");
            assert_eq!(sign(&key, data), header);
            assert_eq!(verify_signature(&key, data, Some(&header)), Ok(()));
        }
    }

    #[test]
    fn one_changed_byte_is_a_mismatch() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let header = sign(b"secret", body);
        for i in 0..body.len() {
            let mut tampered = body.to_vec();
            tampered[i] ^= 0x01;
            assert_eq!(
                verify_signature(b"secret", &tampered, Some(&header)),
                Err(SignatureError::Mismatch)
            );
        }
        assert_eq!(
            verify_signature(b"other secret", body, Some(&header)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn uppercase_hex_is_accepted() {
        let body = b"{}";
        let header = sign(b"secret", body);
        let upper = format!("sha256={}", header["sha256=".len()..].to_uppercase());
        assert_eq!(verify_signature(b"secret", body, Some(&upper)), Ok(()));
    }

    #[test]
    fn malformed_and_missing_headers() {
        let body = b"{}";
        let header = sign(b"secret", body);
        let hex_only = &header["sha256=".len()..];
        assert_eq!(
            verify_signature(b"secret", body, None),
            Err(SignatureError::Missing)
        );
        for bad in [
            hex_only.to_string(),
            format!("sha1={hex_only}"),
            format!("SHA256={hex_only}"),
            format!("sha256={}", &hex_only[..62]),
            format!("sha256={hex_only}00"),
            format!("sha256={}zz", &hex_only[..62]),
            String::new(),
            "sha256=".to_string(),
        ] {
            assert_eq!(
                verify_signature(b"secret", body, Some(&bad)),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }
}
