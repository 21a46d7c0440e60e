//! A `multipart/form-data` body read whole: its text fields in order and its files. The
//! API's endpoints and the portal's forms that take files read their bodies this way.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;

#[derive(Default)]
pub struct FormParts {
    pub fields: Vec<(String, String)>,
    pub files: Vec<soporte_app::Upload>,
}

impl FormParts {
    /// Reads every part: a part with a file name is a file, any other a text field.
    pub async fn read(mut multipart: Multipart) -> Result<Self, MultipartError> {
        let mut parts = FormParts::default();
        while let Some(field) = multipart.next_field().await? {
            let name = field.name().unwrap_or_default().to_string();
            if let Some(filename) = field.file_name().map(str::to_string) {
                let media_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                let bytes = field.bytes().await?;
                parts.files.push(soporte_app::Upload {
                    filename,
                    media_type,
                    bytes: bytes.to_vec(),
                });
            } else {
                let value = field.text().await?;
                parts.fields.push((name, value));
            }
        }
        Ok(parts)
    }

    /// The first text field called `name`; empty when there is none.
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}
