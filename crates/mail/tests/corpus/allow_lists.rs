//! What the corpus is known to hold that is not a parser bug: files that are not messages,
//! manifest lines that belong to another file, lines corrected, and known differences.

/// Files that are not e-mail messages at all, so `ParseError::NotAMessage` is the right
/// answer. stalwart's maildir fixtures exist for its maildir-walking test, which looks only
/// at file names and flags: each holds two bytes (`a\n` .. `f\n`).
pub(super) const NOT_MESSAGES: &[&str] = &[
    "stalwart-mail-parser/maildir/cur/1491941793.M41850P8566V0000000000000015I0000000004F3030E_0.mx1.example.com,S=10956;2,STln",
    "stalwart-mail-parser/maildir/new/1234567890.M20046P2137.mailserver,S=4542,W=4642;2,Sb",
    "stalwart-mail-parser/maildir/.My Folder/cur/1035478339.27041_118.foo.org,S=1000,W=1030;2,TDR",
    "stalwart-mail-parser/maildir/.My Folder/new/1276528487.M364837P9451.kurkku,S=1355,W=1394;2,",
    "stalwart-mail-parser/maildir/.My Folder.Nested Folder/cur/1276533073.M242911P3632.kurkku;2,FP",
    "stalwart-mail-parser/maildir/.My Folder.Nested Folder/new/1035478339.27041_118.foo.org,S=1000,W=1030;2,RDF,",
];

/// Manifest excerpts that belong to a neighbouring example of the source spec, not to this
/// file: the manifest took the `expect` lines found near a fixture's name. Each was read
/// against mikel/mail's spec; they are skipped, not evaluated. (file, clause fragment, why)
pub(super) const MISATTRIBUTED: &[(&str, &str, &str)] = &[
    (
        "mikel-mail/error_emails/bad_date_header2.eml",
        "\"smith@gmail.com\"",
        "message_spec only parses it; the line is the next example's (raw_email_with_at_display_name.eml)",
    ),
    (
        "mikel-mail/error_emails/bad_subject.eml",
        "\"smith@gmail.com\"",
        "message_spec only reads its subject; the line is raw_email_with_at_display_name.eml's",
    ),
    (
        "mikel-mail/error_emails/missing_body.eml",
        "\"smith@gmail.com\"",
        "message_spec only parses it; the line is raw_email_with_at_display_name.eml's",
    ),
    (
        "mikel-mail/plain_emails/basic_email.eml",
        "\"smith@gmail.com\"",
        "message_spec only parses it here; the line is raw_email_with_at_display_name.eml's (see CORRECTED)",
    ),
    (
        "mikel-mail/plain_emails/basic_email_lf.eml",
        "\"smith@gmail.com\"",
        "message_spec only parses it; the line is raw_email_with_at_display_name.eml's",
    ),
    (
        "mikel-mail/error_emails/empty_in_reply_to.eml",
        "[\"raasdnil@gmail.com\"]",
        "message_spec checks only that In-Reply-To is blank; the line reads basic_email.eml",
    ),
    (
        "mikel-mail/plain_emails/mix_caps_content_type.eml",
        "[\"raasdnil@gmail.com\"]",
        "message_spec checks its Content-Type; the line reads basic_email.eml",
    ),
    (
        "mikel-mail/plain_emails/raw_email_incorrect_header.eml",
        "[\"raasdnil@gmail.com\"]",
        "message_spec checks the warning only; the line reads basic_email.eml",
    ),
    (
        "mikel-mail/plain_emails/raw_email_string_in_date_field.eml",
        "[\"raasdnil@gmail.com\"]",
        "message_spec checks there is no warning; the line reads basic_email.eml",
    ),
    (
        "mikel-mail/multi_charset/japanese_iso_2022.eml",
        "[\"tester2@test.com\"]",
        "the line is two_from_in_message.eml's; this one's To is checked in CORRECTED",
    ),
    (
        "mikel-mail/multi_charset/ks_c_5601-1987.eml",
        "[\"tester2@test.com\"]",
        "the line is two_from_in_message.eml's; the spec checks only the decoded body",
    ),
    (
        "mikel-mail/mime_emails/raw_email_with_binary_encoded.eml",
        "attachments",
        "the lines are attachment_content_disposition.eml's (api.rb); see CORRECTED",
    ),
    (
        "mikel-mail/mime_emails/raw_email_with_nested_attachment.eml",
        "attachments",
        "the lines are attachment_content_disposition.eml's (api.rb); see CORRECTED",
    ),
    (
        "mikel-mail/rfc2822/example14.eml",
        "John Doe",
        "the lines are example13.eml's (a pending spec); example14 is the folding-subject one",
    ),
    (
        "mikel-mail/rfc2822/example14.eml",
        "Mary Smith",
        "the lines are example13.eml's (a pending spec); example14 is the folding-subject one",
    ),
];

/// What the source spec really asserts for files whose manifest excerpt is misattributed,
/// written in the manifest's syntax so the same checks apply. (file, expected, spec example)
pub(super) const CORRECTED: &[(&str, &str, &str)] = &[
    (
        "mikel-mail/plain_emails/basic_email.eml",
        "expect(mail.to).to eq [\"raasdnil@gmail.com\"] | expect(message.from).to eq [\"test@lindsaar.net\"]",
        "message_spec: 'should read in an email message and basically parse it', 'no envelope from'",
    ),
    (
        "mikel-mail/multi_charset/japanese_iso_2022.eml",
        "expect(mail.to).to eq [\"raasdnil@gmail.com\"]",
        "message_spec: 'should parse non-UTF8 sources'",
    ),
    (
        "mikel-mail/mime_emails/raw_email_with_nested_attachment.eml",
        "expect(mail.attachments.length).to eq 2 | expect(mail.attachments[0].filename).to eq 'truncated.png' | expect(mail.attachments[1].filename).to eq 'smime.p7s'",
        "message_spec: 'finding attachments'",
    ),
    (
        // The spec splices a binary file in place of BINARY_CONTENT_GOES_HERE; the count holds
        // for the placeholder too.
        "mikel-mail/mime_emails/raw_email_with_binary_encoded.eml",
        "expect(mail.attachments.size).to eq 1",
        "message_spec: 'should find binary encoded attachments'",
    ),
    (
        "mikel-mail/rfc2822/example14.eml",
        "expect(mail.from).to eq [\"atsushi@example.com\"] | expect(mail.subject).to eq \"Re: TEST テストテスト\"",
        "example_emails_spec: 'should handle folding subject'",
    ),
    (
        "mikel-mail/plain_emails/raw_email.eml",
        "expect(message.from).to eq [\"jamis@37signals.com\"]",
        "message_spec: 'should strip off the envelope from field if present'",
    ),
];

/// Checkable expectations where our result differs, on purpose or as a known defect. Each
/// entry must still differ: once it matches, the test asks for the entry to be removed.
/// (file, clause fragment, why)
pub(super) const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "mikel-mail/error_emails/multiple_references_with_one_invalid.eml",
        ".references",
        "two References headers: mail-parser keeps the last (baz@bar.net); mikel/mail drops \
         that header for its invalid id and keeps the first (foo@bar.net)",
    ),
    (
        "mikel-mail/mime_emails/raw_email_with_binary_encoded.eml",
        "subject_decoded",
        "two Subject headers ('Testing outlook', 'Another PDF'): mail-parser returns the last, \
         the manifest's tool the first",
    ),
    (
        "mikel-mail/mime_emails/raw_email_with_multipart_mixed_quoted_boundary.eml",
        "subject_decoded",
        "two Subject headers, as in raw_email_with_binary_encoded.eml",
    ),
    (
        "mikel-mail/error_emails/bad_encoded_subject.eml",
        "subject_decoded",
        "the manifest kept `=?NONE?B?VEVTVA=?=` undecoded; we decode it to 'TEST' despite the \
         unknown charset and the bad padding, which reads better",
    ),
    (
        "mikel-mail/rfc2822/example13.eml",
        "John Doe",
        "pending in mikel/mail too: mail-parser leaves the obsolete-syntax spaces in \
         `jdoe@machine(comment).  example`, so the address fails validation and From is empty",
    ),
    (
        "mikel-mail/rfc2822/example13.eml",
        "Mary Smith",
        "pending in mikel/mail too: the fixture has a literal `__` line where RFC 2822 means \
         two spaces, which ends the To field before `<mary@example.net>`",
    ),
    (
        "stalwart-mail-parser/legacy/020.eml",
        "Fr\u{FFFD}sche",
        "on purpose: the subject's raw Latin-1 byte (Fr\\xf6sche) is decoded to 'Frösche'; \
         stalwart's test expects the replacement character",
    ),
    (
        "stalwart-mail-parser/legacy/052.eml",
        "Fr\u{FFFD}sche",
        "the same raw Latin-1 subject as legacy/020.eml",
    ),
    (
        "stalwart-mail-parser/legacy/049.eml",
        "attachments=0",
        "on purpose: Outlook 2000 uuencoded three PNG images in the text body; we take them out \
         as attachments (see `uuencoded_files_in_outlook_2000_mail_are_attachments`), \
         mail-parser alone does not",
    ),
    (
        "mikel-mail/mime_emails/sig_only_email.eml",
        "attachments.length",
        "on purpose: the PGP signature of multipart/signed marks the message signed and is not \
         offered as an attachment (mikel/mail lists it)",
    ),
    (
        "stalwart-mail-parser/malformed/015.eml",
        "attachments=1",
        "on purpose: its only attachment is the PGP signature of multipart/signed, which marks \
         the message signed instead",
    ),
    (
        "sisimai-set-of-emails/bsd/rfc3464-09.eml",
        "is a bounce",
        "a delay notice ('still being retried') in multipart/mixed: not a failure yet, so not \
         a bounce for us; it is still never answered (sent by MAILER-DAEMON)",
    ),
    (
        "sisimai-set-of-emails/bsd/rfc3464-34.eml",
        "is a bounce",
        "a plain-text delay notice, as rfc3464-09.eml",
    ),
];
