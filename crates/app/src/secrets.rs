//! Secrets Soporte must keep readable in its database — the IMAP passwords of mailboxes
//! added from the console, agents' two-factor (TOTP) secrets — are sealed with a key kept
//! outside it (a file, or the environment), so that a copy of the database alone does not
//! give them away.
//!
//! A sealed value describes itself: `v1:` followed by the URL-safe base64 (no padding) of a
//! 24-byte random nonce and the XChaCha20-Poly1305 ciphertext with its tag. Each value is
//! sealed for a *context* (what it is, e.g. `settings.mailboxes.password`), authenticated
//! with it, so a sealed value copied into another field does not open there. A value
//! without the prefix was written before sealing existed: it is read as it is, and sealed
//! the next time it is written.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

/// What every sealed value starts with; the version of the format after it.
pub const SEALED_PREFIX: &str = "v1:";
/// Bytes in a key.
pub const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;
/// Poly1305's tag, appended to the ciphertext.
const TAG_BYTES: usize = 16;

/// Why a secret could not be sealed or opened. Every message names where the key came
/// from, so an operator knows which one to check.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SealError {
    /// The key itself is unusable (not base64, not 32 bytes).
    #[error("the secrets key from {key_from} is not usable: {reason}")]
    BadKey { key_from: String, reason: String },
    /// The value's tag does not verify: another key sealed it, or it was altered.
    #[error(
        "a secret kept in the database ({context}) cannot be opened with the secrets key from {key_from}: it was sealed with another key, or altered. Give Soporte the key it had (see `secrets_key_file` / SOPORTE_SECRETS_KEY)"
    )]
    WrongKey { context: String, key_from: String },
    /// The value starts like a sealed one but is not one.
    #[error("a secret kept in the database ({context}) is damaged: {reason}")]
    Malformed { context: String, reason: String },
    /// A sealed value was found, or a secret must be kept, and no key was given.
    #[error(
        "a secret kept in the database ({context}) needs the secrets key, and none is configured (`secrets_key_file` or SOPORTE_SECRETS_KEY)"
    )]
    NoKey { context: String },
    #[error("random source: {0}")]
    Random(String),
}

/// The key that seals secrets, with where it came from (for error messages). Cheap to
/// clone; its bytes are never printed.
#[derive(Clone)]
pub struct SecretKey {
    cipher: Arc<XChaCha20Poly1305>,
    source: Arc<str>,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Whether a stored value is sealed (else it is clear text written before sealing).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

impl SecretKey {
    /// A key from its 32 bytes; `source` says where they came from ("the file
    /// /var/lib/soporte/secrets.key").
    pub fn from_bytes(bytes: &[u8], source: impl Into<String>) -> Result<Self, SealError> {
        let source = source.into();
        let key = Key::try_from(bytes).map_err(|_| SealError::BadKey {
            reason: format!(
                "it is {} bytes long, and must be {KEY_BYTES} bytes",
                bytes.len()
            ),
            key_from: source.clone(),
        })?;
        Ok(Self {
            cipher: Arc::new(XChaCha20Poly1305::new(&key)),
            source: source.into(),
        })
    }

    /// A key written as base64 (standard alphabet; the form [`SecretKey::generate_text`]
    /// writes). Spaces and line ends around it are ignored.
    pub fn from_base64(text: &str, source: impl Into<String>) -> Result<Self, SealError> {
        let source = source.into();
        let text = text.trim();
        let bytes = STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE_NO_PAD.decode(text))
            .map_err(|_| SealError::BadKey {
                reason: format!(
                    "it is not base64 ({KEY_BYTES} random bytes, e.g. from `head -c {KEY_BYTES} /dev/urandom | base64`)"
                ),
                key_from: source.clone(),
            })?;
        Self::from_bytes(&bytes, source)
    }

    /// A new random key, as the base64 text a key file holds.
    pub fn generate_text() -> Result<String, SealError> {
        let mut bytes = [0u8; KEY_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| SealError::Random(e.to_string()))?;
        Ok(STANDARD.encode(bytes))
    }

    /// Where the key came from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Seals `clear` for `context`: a new random nonce each time, so sealing one value
    /// twice gives two different texts.
    pub fn seal(&self, context: &str, clear: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|e| SealError::Random(e.to_string()))?;
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: clear.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SealError::Malformed {
                context: context.to_string(),
                reason: "the value cannot be sealed".into(),
            })?;
        let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// The clear text of a stored value: opened when sealed (for the same `context`),
    /// returned as it is when written before sealing existed.
    pub fn open(&self, context: &str, stored: &str) -> Result<String, SealError> {
        let Some(body) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(stored.to_string());
        };
        let malformed = |reason: &str| SealError::Malformed {
            context: context.to_string(),
            reason: reason.to_string(),
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| malformed("not base64 after the v1: prefix"))?;
        if bytes.len() < NONCE_BYTES + TAG_BYTES {
            return Err(malformed("too short to be a sealed value"));
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let nonce = XNonce::try_from(nonce).map_err(|_| malformed("bad nonce"))?;
        let clear = self
            .cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SealError::WrongKey {
                context: context.to_string(),
                key_from: self.source.to_string(),
            })?;
        String::from_utf8(clear).map_err(|_| malformed("not text once opened"))
    }
}

/// Opens `stored` with `key`; a clear value needs no key, a sealed one does.
pub fn open_with(
    key: Option<&SecretKey>,
    context: &str,
    stored: &str,
) -> Result<String, SealError> {
    match key {
        Some(key) => key.open(context, stored),
        None if is_sealed(stored) => Err(SealError::NoKey {
            context: context.to_string(),
        }),
        None => Ok(stored.to_string()),
    }
}

/// Seals `clear` with `key`, which must be there: a secret is never written in clear.
pub fn seal_with(key: Option<&SecretKey>, context: &str, clear: &str) -> Result<String, SealError> {
    key.ok_or_else(|| SealError::NoKey {
        context: context.to_string(),
    })?
    .seal(context, clear)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTEXT: &str = "settings.mailboxes.password";

    fn key(byte: u8, source: &str) -> Result<SecretKey, SealError> {
        SecretKey::from_bytes(&[byte; KEY_BYTES], source)
    }

    #[test]
    fn a_sealed_value_opens_with_its_key_and_hides_the_text() -> Result<(), SealError> {
        let key = key(7, "the file /tmp/secrets.key")?;
        let sealed = key.seal(CONTEXT, "contraseña IMAP")?;
        assert!(sealed.starts_with("v1:"), "{sealed}");
        assert!(!sealed.contains("contraseña"), "{sealed}");
        assert!(is_sealed(&sealed));
        assert_eq!(key.open(CONTEXT, &sealed)?, "contraseña IMAP");
        assert_ne!(
            key.seal(CONTEXT, "contraseña IMAP")?,
            sealed,
            "a new nonce every time"
        );
        assert_eq!(key.open(CONTEXT, &key.seal(CONTEXT, "")?)?, "");
        Ok(())
    }

    #[test]
    fn another_key_is_refused_and_named() -> Result<(), SealError> {
        let sealed = key(7, "the file /tmp/a.key")?.seal(CONTEXT, "secreto")?;
        let other = key(8, "the environment variable SOPORTE_SECRETS_KEY")?;
        let err = other.open(CONTEXT, &sealed).err();
        assert!(
            matches!(&err, Some(SealError::WrongKey { key_from, .. }) if key_from.contains("SOPORTE_SECRETS_KEY")),
            "{err:?}"
        );
        let message = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("SOPORTE_SECRETS_KEY") && message.contains(CONTEXT),
            "{message}"
        );
        Ok(())
    }

    #[test]
    fn an_altered_value_or_another_context_is_refused() -> Result<(), SealError> {
        let key = key(7, "test")?;
        let sealed = key.seal(CONTEXT, "secreto")?;
        // Flip one bit of the ciphertext. (Flipping a base64 character instead could touch
        // only the unused bits of the last one, and the value would then be malformed, not
        // altered.)
        let mut bytes = URL_SAFE_NO_PAD
            .decode(sealed.trim_start_matches(SEALED_PREFIX))
            .map_err(|e| SealError::Malformed {
                context: CONTEXT.into(),
                reason: e.to_string(),
            })?;
        for at in [NONCE_BYTES, bytes.len() - 1] {
            let mut altered = bytes.clone();
            altered[at] ^= 0x01;
            let tampered = format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(&altered));
            assert!(matches!(
                key.open(CONTEXT, &tampered),
                Err(SealError::WrongKey { .. })
            ));
        }
        bytes[0] ^= 0x80;
        let other_nonce = format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(&bytes));
        assert!(matches!(
            key.open(CONTEXT, &other_nonce),
            Err(SealError::WrongKey { .. })
        ));
        assert!(matches!(
            key.open("totp.secret", &sealed),
            Err(SealError::WrongKey { .. })
        ));
        assert!(matches!(
            key.open(CONTEXT, "v1:!!!"),
            Err(SealError::Malformed { .. })
        ));
        assert!(matches!(
            key.open(CONTEXT, "v1:AAAA"),
            Err(SealError::Malformed { .. })
        ));
        Ok(())
    }

    #[test]
    fn a_clear_value_from_before_sealing_is_read_as_it_is() -> Result<(), SealError> {
        let key = key(7, "test")?;
        assert!(!is_sealed("hunter2"));
        assert_eq!(key.open(CONTEXT, "hunter2")?, "hunter2");
        assert_eq!(open_with(None, CONTEXT, "hunter2")?, "hunter2");
        let sealed = key.seal(CONTEXT, "hunter2")?;
        assert!(matches!(
            open_with(None, CONTEXT, &sealed),
            Err(SealError::NoKey { .. })
        ));
        assert!(matches!(
            seal_with(None, CONTEXT, "hunter2"),
            Err(SealError::NoKey { .. })
        ));
        Ok(())
    }

    #[test]
    fn keys_are_read_from_base64_and_checked() -> Result<(), SealError> {
        let text = SecretKey::generate_text()?;
        assert_eq!(text.len(), 44);
        let key = SecretKey::from_base64(&format!("{text}\n"), "the file k")?;
        assert_eq!(key.source(), "the file k");
        assert!(
            !format!("{key:?}").contains(&text),
            "the key is never printed"
        );
        let short = SecretKey::from_base64("c2hvcnQ=", "the file k").err();
        assert!(
            short.as_ref().is_some_and(
                |e| e.to_string().contains("the file k") && e.to_string().contains("32")
            ),
            "{short:?}"
        );
        assert!(matches!(
            SecretKey::from_base64("not base64 at all!", "x"),
            Err(SealError::BadKey { .. })
        ));
        Ok(())
    }
}
