#[test]
fn dump() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/mail");
    let manifest = std::fs::read_to_string(format!("{root}/MANIFEST.tsv")).expect("manifest");
    for line in manifest.lines().skip(1) {
        let file = line.split('\t').next().expect("file");
        let raw = std::fs::read(format!("{root}/{file}")).expect("read");
        let r = std::panic::catch_unwind(|| soporte_mail::parse(&raw));
        match r {
            Err(_) => println!("== {file}\n  PANIC"),
            Ok(Err(e)) => println!("== {file}\n  ERR {e:?}"),
            Ok(Ok(m)) => {
                println!("== {file}");
                println!("  from={:?}", m.from.as_ref().map(|f| f.display()));
                println!(
                    "  to={:?}",
                    m.to.iter().map(|f| f.display()).collect::<Vec<_>>()
                );
                println!("  subject={:?}", m.subject);
                println!("  auto={:?} bmid={:?}", m.automatic, m.bounced_message_id);
                println!(
                    "  mid={:?} irt={:?} refs={:?} noauto={:?}",
                    m.message_id, m.in_reply_to, m.references, m.no_auto_answer
                );
                if file.contains("example13") || file.contains("multiple_references") {
                    let pm = mail_parser::MessageParser::default()
                        .parse(&raw[..])
                        .expect("x");
                    println!("  RAWFROM {:?}", pm.from());
                    println!("  RAWREFS {:?}", pm.references());
                }
                for a in &m.attachments {
                    println!(
                        "  att {:?} {} inline={} cid={:?} len={}",
                        a.filename,
                        a.media_type,
                        a.inline,
                        a.content_id,
                        a.bytes.len()
                    );
                }
                println!(
                    "  text={} full={} html={:?}",
                    m.text.len(),
                    m.full_text.len(),
                    m.html.as_ref().map(|h| h.len())
                );
            }
        }
    }
}
