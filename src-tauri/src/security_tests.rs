//! The app's content security policy and capabilities stay minimal: checked against the files
//! the build reads (`tauri.conf.json`, `capabilities/`), so loosening either fails here first.

use std::collections::BTreeMap;
use std::path::Path;

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The policy as directive → sources.
fn directives(csp: &str) -> BTreeMap<String, Vec<String>> {
    csp.split(';')
        .filter_map(|part| {
            let mut words = part.split_whitespace();
            let name = words.next()?.to_owned();
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect()
}

#[test]
fn the_content_security_policy_is_strict() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let config = read_json(&root.join("tauri.conf.json"));
    let security = &config["app"]["security"];
    let csp = security["csp"].as_str().expect("a CSP is set");
    assert!(!csp.contains("unsafe-"), "no unsafe-inline / unsafe-eval: {csp}");
    assert!(!csp.contains('*'), "no wildcard sources: {csp}");
    let policy = directives(csp);
    // Pictures come from the app's own `gkmedia:` scheme; sound and video from its loopback
    // server, whose one origin is added to `media-src` at start (media::Players).
    let expected: [(&str, &[&str]); 10] = [
        ("default-src", &["'self'"]),
        ("script-src", &["'self'"]),
        ("style-src", &["'self'"]),
        ("img-src", &["'self'", "data:", "blob:", "gkmedia:", "http://gkmedia.localhost"]),
        ("media-src", &["'self'", "blob:", "gkmedia:", "http://gkmedia.localhost"]),
        ("connect-src", &["ipc:", "http://ipc.localhost"]),
        ("object-src", &["'none'"]),
        ("base-uri", &["'none'"]),
        ("form-action", &["'none'"]),
        ("frame-ancestors", &["'none'"]),
    ];
    assert_eq!(policy.len(), expected.len(), "no directive beyond the known ones: {csp}");
    for (name, sources) in expected {
        let sources: Vec<String> = sources.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(policy.get(name), Some(&sources), "{name}");
    }
    for loosening in ["dangerousDisableAssetCspModification", "assetProtocol", "dangerousRemoteDomainIpcAccess"] {
        assert!(security.get(loosening).is_none(), "{loosening} is set");
    }
    assert_ne!(config["app"]["withGlobalTauri"], serde_json::Value::Bool(true), "no global Tauri object");
}

#[test]
fn the_window_gets_the_core_permissions_only() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|entry| entry.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "one capability file: {files:?}");
    let capability = read_json(&files[0]);
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    assert_eq!(capability["permissions"], serde_json::json!(["core:default"]), "no plugin or fs/shell/http permission");
    assert!(capability.get("remote").is_none(), "no remote origin gets IPC");
    assert!(capability.get("platforms").is_none());
}
