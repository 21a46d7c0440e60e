#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soporte_fuzzing::whatsapp_webhook(data));
