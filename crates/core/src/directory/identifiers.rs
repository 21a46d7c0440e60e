//! Normalisation and validation of the identifiers people type: e-mail addresses, domains,
//! phone numbers and Spanish tax ids (NIF, NIE, CIF).

use crate::ValidationError;

/// Lower-cases and checks an e-mail address someone types (a form, the configuration).
/// Deliberately lenient about the local part (real customers have odd ones) but strict about
/// what would break sending or matching, and the domain must have a dot: typed by a person,
/// `ana@gmail` is far more likely a slip than a mailbox on an intranet.
pub fn normalize_email(field: &str, raw: &str) -> Result<String, ValidationError> {
    check_email(field, raw, Dots::Required)
}

/// Lower-cases and checks an address read from a received message (From, Reply-To, To, Cc).
/// The same checks as [`normalize_email`], except that a domain of one label is accepted:
/// `root@localhost` or `informes@intranet` are valid RFC 5322 addresses, and in-house
/// systems send from them. Refusing them would leave such a message without a sender.
pub fn normalize_mail_address(field: &str, raw: &str) -> Result<String, ValidationError> {
    check_email(field, raw, Dots::Optional)
}

/// Whether a domain needs more than one label.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dots {
    Required,
    Optional,
}

fn check_email(field: &str, raw: &str, dots: Dots) -> Result<String, ValidationError> {
    let email = raw.trim().to_lowercase();
    let bad =
        |why: &str| ValidationError::new(field, format!("{raw:?} is not an e-mail address: {why}"));
    if email.len() > 254 {
        return Err(bad("longer than 254 characters"));
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(|| bad("missing @"))?;
    if local.is_empty() {
        return Err(bad("nothing before @"));
    }
    if email
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
    {
        return Err(bad("contains spaces or separators"));
    }
    check_domain(domain, dots).ok_or_else(|| bad("invalid domain"))?;
    Ok(email)
}

/// A DNS domain such as `vendomia.com`: lower-case labels of letters, digits and hyphens.
pub fn normalize_domain(field: &str, raw: &str) -> Result<String, ValidationError> {
    check_domain(raw, Dots::Required)
        .ok_or_else(|| ValidationError::new(field, format!("{raw:?} is not a domain name")))
}

fn check_domain(raw: &str, dots: Dots) -> Option<String> {
    let domain = raw.trim().trim_start_matches('@').to_lowercase();
    if domain.len() > 253 || (dots == Dots::Required && !domain.contains('.')) {
        return None;
    }
    for label in domain.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-');
        if !ok {
            return None;
        }
    }
    Some(domain)
}

/// Phone numbers are stored in international form (`+34600111222`) so the same number
/// typed two ways matches. A nine-digit Spanish number without prefix gets `+34`.
pub fn normalize_phone(field: &str, raw: &str) -> Result<String, ValidationError> {
    let mut digits = String::new();
    let mut plus = false;
    for (i, c) in raw.trim().chars().enumerate() {
        match c {
            '+' if i == 0 => plus = true,
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            _ => {
                return Err(ValidationError::new(
                    field,
                    format!("{raw:?} is not a phone number"),
                ));
            }
        }
    }
    if !plus {
        if let Some(rest) = digits.strip_prefix("00") {
            digits = rest.to_string();
        } else if digits.len() == 9 && digits.starts_with(['6', '7', '8', '9']) {
            digits.insert_str(0, "34");
        } else {
            return Err(ValidationError::new(
                field,
                format!("{raw:?} needs an international prefix such as +34"),
            ));
        }
    }
    if !(7..=15).contains(&digits.len()) {
        return Err(ValidationError::new(
            field,
            format!("{raw:?} must have between 7 and 15 digits"),
        ));
    }
    Ok(format!("+{digits}"))
}

const NIF_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Spanish tax ids are checked with their control character; an EU VAT number of another
/// country (two-letter prefix other than ES) is kept as typed, upper-cased.
pub fn normalize_tax_id(field: &str, raw: &str) -> Result<String, ValidationError> {
    let id: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect::<String>()
        .to_uppercase();
    let bad =
        |why: &str| ValidationError::new(field, format!("{raw:?} is not a valid NIF/CIF: {why}"));
    if !id.chars().all(|c| c.is_ascii_alphanumeric()) || id.is_empty() {
        return Err(bad("only letters and digits are allowed"));
    }
    let spanish = id
        .strip_prefix("ES")
        .filter(|rest| rest.len() == 9)
        .unwrap_or(&id);
    let b = spanish.as_bytes();
    if b.len() == 9 {
        let first = b[0];
        let last = b[8];
        let middle_digits = b[1..8].iter().all(u8::is_ascii_digit);
        if first.is_ascii_digit() && middle_digits {
            // NIF: eight digits and a letter.
            let number: u32 = spanish[..8].parse().map_err(|_| bad("malformed number"))?;
            return check_letter(number, last, spanish, &bad);
        }
        if matches!(first, b'X' | b'Y' | b'Z') && middle_digits {
            // NIE: X/Y/Z stand for 0/1/2 in front of the seven digits.
            let prefix = u32::from(first - b'X');
            let number: u32 = spanish[1..8].parse().map_err(|_| bad("malformed number"))?;
            return check_letter(prefix * 10_000_000 + number, last, spanish, &bad);
        }
        if b"ABCDEFGHJNPQRSUVW".contains(&first) && middle_digits {
            return check_cif(spanish, &bad);
        }
    }
    let foreign_vat = id.len() >= 4
        && id.len() <= 16
        && id.as_bytes()[..2].iter().all(u8::is_ascii_alphabetic)
        && id[2..].chars().any(|c| c.is_ascii_digit())
        && !id.starts_with("ES");
    if foreign_vat {
        return Ok(id);
    }
    Err(bad("not a NIF, NIE, CIF or EU VAT number"))
}

fn check_letter(
    number: u32,
    letter: u8,
    id: &str,
    bad: &dyn Fn(&str) -> ValidationError,
) -> Result<String, ValidationError> {
    let expected = NIF_LETTERS[(number % 23) as usize];
    if letter == expected {
        Ok(id.to_string())
    } else {
        Err(bad("the control letter does not match"))
    }
}

fn check_cif(id: &str, bad: &dyn Fn(&str) -> ValidationError) -> Result<String, ValidationError> {
    let b = id.as_bytes();
    let mut sum = 0u32;
    for (i, d) in b[1..8].iter().enumerate() {
        let digit = u32::from(d - b'0');
        if i % 2 == 0 {
            let doubled = digit * 2;
            sum += doubled / 10 + doubled % 10;
        } else {
            sum += digit;
        }
    }
    let control = (10 - sum % 10) % 10;
    let as_digit = b'0' + control as u8;
    let as_letter = b"JABCDEFGHI"[control as usize];
    let ok = match b[0] {
        b'P' | b'Q' | b'R' | b'S' | b'N' | b'W' => b[8] == as_letter,
        b'A' | b'B' | b'E' | b'H' => b[8] == as_digit,
        _ => b[8] == as_digit || b[8] == as_letter,
    };
    if ok {
        Ok(id.to_string())
    } else {
        Err(bad("the control character does not match"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_checked() {
        let cases = [
            (
                " Ana.Garcia@Tienda-Ejemplo.ES ",
                Some("ana.garcia@tienda-ejemplo.es"),
            ),
            ("soporte@vendomia.com", Some("soporte@vendomia.com")),
            ("no-at-sign", None),
            ("@vendomia.com", None),
            ("ana@localhost", None),
            ("ana garcia@x.com", None),
            ("Ana <ana@x.com>", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize_email("email", input).ok().as_deref(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn addresses_read_from_mail_may_have_a_domain_without_a_dot() {
        let cases = [
            ("root@localhost", Some("root@localhost")),
            ("Informes@Intranet", Some("informes@intranet")),
            ("ana.garcia@tienda.es", Some("ana.garcia@tienda.es")),
            ("root@", None),
            ("root@-intranet", None),
            ("root@intra..net", None),
            ("root localhost", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize_mail_address("from", input).ok().as_deref(),
                expected,
                "{input}"
            );
        }
        // What people type keeps needing a dot: there it is far more likely a slip.
        assert!(normalize_email("email", "ana@gmail").is_err());
    }

    #[test]
    fn phones_get_international_form() {
        let cases = [
            ("600 111 222", Some("+34600111222")),
            ("+34 600-111-222", Some("+34600111222")),
            ("0044 20 7946 0958", Some("+442079460958")),
            ("(91) 123 45 67", Some("+34911234567")),
            ("12345", None),
            ("tel: 600", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize_phone("phone", input).ok().as_deref(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn spanish_tax_ids_are_checked_with_their_control_character() {
        let cases = [
            ("12345678Z", Some("12345678Z")),
            ("12345678-z", Some("12345678Z")),
            ("12345678A", None),
            ("X1234567L", Some("X1234567L")),
            ("Y1234567X", Some("Y1234567X")),
            ("B12345674", Some("B12345674")),
            ("B12345670", None),
            ("Q2826000H", Some("Q2826000H")),
            ("ESB12345674", Some("B12345674")),
            ("FR40303265045", Some("FR40303265045")),
            ("hola", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize_tax_id("tax_id", input).ok().as_deref(),
                expected,
                "{input}"
            );
        }
    }
}
