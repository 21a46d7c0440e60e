//! What a customer may attach on the portal, judged by the file's bytes, never by its name
//! or the type the browser declared: screenshots (PNG, JPEG, GIF, WebP), PDF, plain text
//! and office documents. Anything a browser could run (HTML, SVG) is refused, and so is a
//! file whose name says it is an image when its bytes are not one.

use crate::Upload;

/// Largest file a customer may attach.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Files one message may carry.
pub const MAX_FILES: usize = 10;

/// Why an upload was refused, for the customer to read in their language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadRefusal {
    TooMany {
        limit: usize,
    },
    TooLarge {
        filename: String,
        limit_bytes: usize,
    },
    /// Named or declared as an image, but its bytes are no image this portal takes.
    NotAnImage {
        filename: String,
    },
    /// A kind of file the portal does not take.
    NotAccepted {
        filename: String,
    },
}

const IMAGE_NAMES: [&str; 6] = [".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"];
const TEXT_NAMES: [&str; 4] = [".txt", ".log", ".csv", ".json"];

fn named(filename: &str, endings: &[&str]) -> bool {
    let lower = filename.to_lowercase();
    endings.iter().any(|e| lower.ends_with(e))
}

/// Text a person wrote or a program logged: UTF-8 with no NUL and nothing that makes a
/// browser take it for a page.
fn plain_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let start = text.trim_start().to_ascii_lowercase();
    !text.contains('\0') && !start.starts_with('<')
}

/// Checks the files of one message; each keeps its name and gets the media type its
/// bytes show.
pub fn check_uploads(files: Vec<Upload>) -> Result<Vec<Upload>, UploadRefusal> {
    // Browsers send an empty part for a file input left empty.
    let files: Vec<Upload> = files
        .into_iter()
        .filter(|f| !(f.bytes.is_empty() && f.filename.trim().is_empty()))
        .collect();
    if files.len() > MAX_FILES {
        return Err(UploadRefusal::TooMany { limit: MAX_FILES });
    }
    files.into_iter().map(check_upload).collect()
}

fn check_upload(file: Upload) -> Result<Upload, UploadRefusal> {
    let filename = file.filename.clone();
    if file.bytes.len() > MAX_FILE_BYTES {
        return Err(UploadRefusal::TooLarge {
            filename,
            limit_bytes: MAX_FILE_BYTES,
        });
    }
    let sniffed = infer::get(&file.bytes).map(|t| t.mime_type());
    let media_type = match sniffed {
        Some(t @ ("image/png" | "image/jpeg" | "image/gif" | "image/webp")) => t,
        _ if named(&filename, &IMAGE_NAMES) || file.media_type.starts_with("image/") => {
            return Err(UploadRefusal::NotAnImage { filename });
        }
        Some("application/pdf") => "application/pdf",
        // Office documents and archives are zip files inside; they are offered for
        // download only, never shown.
        Some(
            "application/zip"
            | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            | "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            | "application/vnd.oasis.opendocument.text"
            | "application/vnd.oasis.opendocument.spreadsheet",
        ) => "application/octet-stream",
        None if named(&filename, &TEXT_NAMES) && plain_text(&file.bytes) => {
            "text/plain; charset=utf-8"
        }
        _ => return Err(UploadRefusal::NotAccepted { filename }),
    };
    Ok(Upload {
        media_type: media_type.to_string(),
        ..file
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

    fn upload(name: &str, declared: &str, bytes: &[u8]) -> Upload {
        Upload {
            filename: name.into(),
            media_type: declared.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn a_screenshot_is_taken_with_the_type_its_bytes_show() {
        let checked = check_uploads(vec![upload("captura.png", "application/octet-stream", PNG)]);
        assert_eq!(
            checked.map(|f| f[0].media_type.clone()),
            Ok("image/png".to_string())
        );
    }

    #[test]
    fn a_page_named_as_an_image_is_no_image() {
        let html = b"<html><script>alert(1)</script></html>";
        assert_eq!(
            check_uploads(vec![upload("captura.png", "image/png", html)]).err(),
            Some(UploadRefusal::NotAnImage {
                filename: "captura.png".into()
            })
        );
        assert!(matches!(
            check_uploads(vec![upload(
                "x.svg",
                "image/svg+xml",
                b"<svg onload=alert(1)>"
            )]),
            Err(UploadRefusal::NotAnImage { .. })
        ));
        assert!(matches!(
            check_uploads(vec![upload("pagina.html", "text/html", b"<html></html>")]),
            Err(UploadRefusal::NotAccepted { .. })
        ));
        assert!(matches!(
            check_uploads(vec![upload(
                "notas.txt",
                "text/plain",
                b"  <script>x</script>"
            )]),
            Err(UploadRefusal::NotAccepted { .. })
        ));
    }

    #[test]
    fn text_and_pdf_are_taken_and_limits_are_named() {
        let ok = check_uploads(vec![
            upload("error.log", "text/plain", "Fallo al guardar\n".as_bytes()),
            upload("factura.pdf", "application/pdf", b"%PDF-1.7\n..."),
            upload("", "application/octet-stream", b""),
        ]);
        assert_eq!(ok.map(|f| f.len()), Ok(2), "an empty file input is no file");
        let big = vec![0u8; MAX_FILE_BYTES + 1];
        assert_eq!(
            check_uploads(vec![upload("grande.png", "image/png", &big)]).err(),
            Some(UploadRefusal::TooLarge {
                filename: "grande.png".into(),
                limit_bytes: MAX_FILE_BYTES
            })
        );
        let many = (0..=MAX_FILES)
            .map(|i| upload(&format!("{i}.png"), "image/png", PNG))
            .collect();
        assert_eq!(
            check_uploads(many).err(),
            Some(UploadRefusal::TooMany { limit: MAX_FILES })
        );
    }
}
