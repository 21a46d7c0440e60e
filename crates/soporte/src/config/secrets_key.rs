//! The key that seals the secrets kept in the database (IMAP passwords, two-step sign-in
//! secrets): where it is read from, and the file the first start creates for it.

use super::{Config, SecretKey};
use anyhow::{Context, Result, anyhow};
use std::path::{Path, PathBuf};

impl Config {
    /// Where the secrets key is read from when it is not given inline.
    pub fn secrets_key_path(&self) -> PathBuf {
        self.secrets_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join(DEFAULT_SECRETS_KEY_FILE))
    }

    /// The key that seals secrets kept in the database: `secrets_key` (SOPORTE_SECRETS_KEY),
    /// else the file `secrets_key_file`, else `<data_dir>/secrets.key`. Only that default
    /// file is created when missing, and only when `create` (the first `serve`): a file
    /// the configuration names must be there, since a new key could not open what the old
    /// one sealed. `None` when there is no key and none was to be created.
    pub fn load_secrets_key(&self, create: bool) -> Result<Option<LoadedKey>> {
        if let Some(text) = &self.secrets_key {
            let key = SecretKey::from_base64(text, SECRETS_KEY_INLINE)?;
            return Ok(Some(LoadedKey { key, created: None }));
        }
        let path = self.secrets_key_path();
        let named = self.secrets_key_file.is_some();
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(LoadedKey {
                key: read_key_file(&path, &text)?,
                created: None,
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => {
                if !create {
                    return Ok(None);
                }
                create_key_file(&path).map(Some)
            }
            Err(e) => Err(anyhow!(
                "config key `secrets_key_file`: cannot read {}: {e}",
                path.display()
            )),
        }
    }
}

/// The name of the key file in `data_dir` when no other is configured.
pub const DEFAULT_SECRETS_KEY_FILE: &str = "secrets.key";
pub(super) const SECRETS_KEY_INLINE: &str = "config key `secrets_key` (SOPORTE_SECRETS_KEY)";

/// The secrets key, and the file this start created for it, if it did.
pub struct LoadedKey {
    pub key: SecretKey,
    pub created: Option<PathBuf>,
}

fn key_file_source(path: &Path) -> String {
    format!(
        "the file {} (config key `secrets_key_file`)",
        path.display()
    )
}

fn read_key_file(path: &Path, text: &str) -> Result<SecretKey> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                file = %path.display(),
                "the secrets key file can be read by other users; make it private (chmod 600)"
            );
        }
    }
    Ok(SecretKey::from_base64(text, key_file_source(path))?)
}

/// Writes a new random key to `path`, readable by its owner only. If another instance
/// created it meanwhile, that one is used.
fn create_key_file(path: &Path) -> Result<LoadedKey> {
    use std::io::Write;
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create {} for the secrets key", dir.display()))?;
    }
    let text = SecretKey::generate_text()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!(
                    "config key `secrets_key_file`: cannot read {}",
                    path.display()
                )
            })?;
            return Ok(LoadedKey {
                key: read_key_file(path, &text)?,
                created: None,
            });
        }
        Err(e) => {
            return Err(anyhow!(
                "cannot create the secrets key file {}: {e}",
                path.display()
            ));
        }
    };
    file.write_all(format!("{text}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write the secrets key file {}", path.display()))?;
    Ok(LoadedKey {
        key: SecretKey::from_base64(&text, key_file_source(path))?,
        created: Some(path.to_path_buf()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::error_of;

    #[test]
    fn the_default_secrets_key_file_is_created_once_and_private() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let config = Config {
            data_dir: dir.path().join("data"),
            ..Config::default()
        };
        assert!(
            config.load_secrets_key(false)?.is_none(),
            "only `serve` creates it"
        );
        let first = config
            .load_secrets_key(true)?
            .ok_or_else(|| anyhow!("no key"))?;
        let path = dir.path().join("data/secrets.key");
        assert_eq!(first.created.as_deref(), Some(path.as_path()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)?.permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        let sealed = first.key.seal("test", "secreto")?;
        let again = config
            .load_secrets_key(true)?
            .ok_or_else(|| anyhow!("no key"))?;
        assert!(again.created.is_none(), "created once");
        assert_eq!(again.key.open("test", &sealed)?, "secreto");
        assert!(again.key.source().contains("secrets.key"));
        Ok(())
    }

    #[test]
    fn a_secrets_key_is_taken_inline_or_from_a_named_file() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let text = SecretKey::generate_text()?;
        let inline = Config {
            data_dir: dir.path().to_path_buf(),
            secrets_key: Some(text.clone()),
            ..Config::default()
        };
        inline.validate()?;
        let key = inline
            .load_secrets_key(true)?
            .ok_or_else(|| anyhow!("no key"))?;
        assert!(key.key.source().contains("SOPORTE_SECRETS_KEY"));
        assert!(
            !dir.path().join("secrets.key").exists(),
            "no file is created when the key is given"
        );

        let missing = Config {
            secrets_key_file: Some(dir.path().join("elsewhere.key")),
            ..Config::default()
        };
        let err = missing
            .load_secrets_key(true)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(
            err.contains("`secrets_key_file`") && err.contains("elsewhere.key"),
            "a named file is never created: {err}"
        );

        let both = Config {
            secrets_key: Some(text),
            secrets_key_file: Some(dir.path().join("k")),
            ..Config::default()
        };
        assert!(error_of(&both).contains("not both"), "{}", error_of(&both));
        let short = Config {
            secrets_key: Some("c2hvcnQ=".into()),
            ..Config::default()
        };
        let err = error_of(&short);
        assert!(
            err.contains("`secrets_key`") && err.contains("32 bytes"),
            "{err}"
        );
        Ok(())
    }
}
