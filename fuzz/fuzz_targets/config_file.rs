#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| soporte_fuzzing::config_file(data));
