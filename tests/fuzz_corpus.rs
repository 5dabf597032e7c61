//! Replays the committed fuzz corpus (`fuzz/corpus/*`) through the fuzz targets' entry
//! points, so every input the fuzzer found interesting stays a regression test.

mod common;

fn corpus(target: &str) -> Vec<std::path::PathBuf> {
    let dir = common::root().join("fuzz/corpus").join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

#[test]
fn parse_corpus() {
    let files = corpus("parse");
    assert!(
        files.len() >= 20,
        "the parse corpus has {} files",
        files.len()
    );
    for path in files {
        let data = std::fs::read(&path).unwrap();
        specie::fuzzing::parse_target(&data);
    }
}

#[test]
fn replay_corpus() {
    let files = corpus("replay");
    assert!(
        files.len() >= 10,
        "the replay corpus has {} files",
        files.len()
    );
    for path in files {
        let data = std::fs::read(&path).unwrap();
        specie::fuzzing::replay_target(&data);
    }
}
