//! Which servers TLS connections trust: Mozilla's roots (webpki-roots) always, plus any extra
//! roots an operator gives, such as a company's private CA for an internal mail server.
//! Verification is never turned off; a server whose certificate does not chain to one of
//! these roots is refused.

use std::fmt;
use thiserror::Error;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::{CertificateError, RootCertStore};

/// Root certificates trusted in addition to Mozilla's.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ExtraRoots(Vec<CertificateDer<'static>>);

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RootsError {
    #[error("not valid PEM: {0}")]
    Pem(String),
    #[error("no certificate found (expected PEM blocks starting with -----BEGIN CERTIFICATE-----)")]
    Empty,
    #[error("certificate {index} of the file cannot be used as a trusted root: {reason}")]
    Unusable { index: usize, reason: String },
}

impl ExtraRoots {
    /// The certificates of a PEM file (other blocks, such as keys, are ignored).
    pub fn from_pem(pem: &[u8]) -> Result<Self, RootsError> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| RootsError::Pem(e.to_string()))?;
        if certs.is_empty() {
            return Err(RootsError::Empty);
        }
        // Parsed as trust anchors now, so a broken file stops the start with a clear message
        // instead of failing every connection later.
        let mut store = RootCertStore::empty();
        for (i, cert) in certs.iter().enumerate() {
            store.add(cert.clone()).map_err(|e| RootsError::Unusable {
                index: i + 1,
                reason: e.to_string(),
            })?;
        }
        Ok(Self(certs))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn certificates(&self) -> &[CertificateDer<'static>] {
        &self.0
    }

    /// Mozilla's roots plus these.
    pub(crate) fn root_store(&self) -> RootCertStore {
        let mut store = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        // Every certificate was accepted by `from_pem`; this cannot add fewer.
        let _ = store.add_parsable_certificates(self.0.iter().cloned());
        store
    }
}

/// An error's text, with a pointer to `ca_file` when the cause is a server certificate
/// from a CA nobody here trusts: the usual reason is an internal server with a private CA.
pub(crate) fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    if unknown_issuer(error) {
        format!(
            "{error} (the server's certificate is not from a trusted CA; if it comes from a private CA, give its PEM file as ca_file)"
        )
    } else {
        error.to_string()
    }
}

fn unknown_issuer(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if matches!(
            e.downcast_ref::<tokio_rustls::rustls::Error>(),
            Some(tokio_rustls::rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer
            ))
        ) {
            return true;
        }
        // An io::Error's source() skips the error it wraps, which is where rustls's is.
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            && unknown_issuer(inner)
        {
            return true;
        }
        next = e.source();
    }
    false
}

impl fmt::Debug for ExtraRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExtraRoots({} certificates)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A self-signed CA (P-256) made with the openssl CLI for this test; its key was discarded.
    const CA: &str = "-----BEGIN CERTIFICATE-----
MIIBpjCCAUugAwIBAgIULrki0/BQc0ssxEHghE5Gf19P5+4wCgYIKoZIzj0EAwIw
HzEdMBsGA1UEAwwUU29wb3J0ZSB1bml0LXRlc3QgQ0EwIBcNMjYxMTI1MjAzOTEx
WhgPMjEyNjExMDEyMDM5MTFaMB8xHTAbBgNVBAMMFFNvcG9ydGUgdW5pdC10ZXN0
IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEkpg7aFFdc6xHUmIL+YL6gNL
VbLGvWZzKBzuNcA0twT5Q33IC7U1ML+YXOE1V8AOMHw14xYHeOeOf6B6kKY1W6Nj
MGEwHQYDVR0OBBYEFOi/jVFYsf4eoYUg5TxWbQjXkKQ1MB8GA1UdIwQYMBaAFOi/
jVFYsf4eoYUg5TxWbQjXkKQ1MA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQD
AgIEMAoGCCqGSM49BAMCA0kAMEYCIQDUqmiwFQZWOIKWrhOZDA9ztE9jajl4Yl4p
Oiqh/R6MZQIhAPxlNtGmvxVbBIXgXrNmRQzW+6ZwvtMpc71q3O3djODC
-----END CERTIFICATE-----
";

    #[test]
    fn a_pem_ca_is_read_and_added_to_mozillas_roots() {
        let roots = ExtraRoots::from_pem(CA.as_bytes());
        assert!(roots.is_ok(), "{roots:?}");
        let roots = roots.unwrap_or_default();
        assert_eq!(roots.len(), 1);
        assert_eq!(
            roots.root_store().len(),
            webpki_roots::TLS_SERVER_ROOTS.len() + 1
        );
    }

    #[test]
    fn keys_and_comments_around_the_certificate_are_ignored() {
        let pem = format!(
            "company CA, renewed 2026\n-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n{CA}"
        );
        assert_eq!(ExtraRoots::from_pem(pem.as_bytes()).map(|r| r.len()), Ok(1));
    }

    #[test]
    fn an_unknown_issuer_deep_in_an_error_points_to_ca_file() {
        let rustls =
            tokio_rustls::rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, rustls);
        assert!(
            describe(&io).ends_with("give its PEM file as ca_file)"),
            "{}",
            describe(&io)
        );
        let expired = tokio_rustls::rustls::Error::InvalidCertificate(CertificateError::Expired);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, expired);
        assert!(!describe(&io).contains("ca_file"));
    }

    #[test]
    fn files_without_usable_certificates_are_refused() {
        assert_eq!(ExtraRoots::from_pem(b""), Err(RootsError::Empty));
        assert_eq!(
            ExtraRoots::from_pem(b"just some text\n"),
            Err(RootsError::Empty)
        );
        let broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            ExtraRoots::from_pem(broken.as_bytes()),
            Err(RootsError::Unusable { index: 1, .. })
        ));
        let not_base64 = "-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            ExtraRoots::from_pem(not_base64.as_bytes()),
            Err(RootsError::Pem(_))
        ));
    }
}
