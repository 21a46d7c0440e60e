//! The fuzzers' starting inputs (`fuzz/seeds/<target>/`) and every input a fuzzer found a
//! problem with (`fuzz/regressions/<target>/`), replayed through their targets on every
//! test run: each regression once crashed or hung the code of its day.

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_seed_and_kept_finding_passes_its_target() {
    for (target, run) in soporte_fuzzing::TARGETS {
        let seeds = inputs(&fuzz_dir().join("seeds").join(target));
        assert!(
            !seeds.is_empty(),
            "{target}: no seeds under fuzz/seeds/{target}"
        );
        let found = inputs(&fuzz_dir().join("regressions").join(target));
        for path in seeds.iter().chain(&found) {
            let data = std::fs::read(path).expect("a readable input");
            eprintln!("{target}: {}", path.display());
            run(&data);
        }
    }
}
