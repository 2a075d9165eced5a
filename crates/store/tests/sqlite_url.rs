//! SQLite URLs are read by sqlx's parser: their query parameters are honoured, not made
//! part of the file name, and plain paths keep working.

use giamngheo_store::{Store, sqlite_file};

#[tokio::test]
async fn sqlite_urls_honour_their_parameters_and_plain_paths_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();

    // `mode=rwc` creates the file named before the `?`, and nothing named after it.
    let store = Store::connect(&format!("sqlite://{d}/gn.db?mode=rwc"))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    assert!(dir.path().join("gn.db").exists());
    assert!(!dir.path().join("gn.db?mode=rwc").exists());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains('?')), "{names:?}");

    // `mode=ro` opens read-only: reads work, writes are refused.
    let ro = Store::connect(&format!("sqlite://{d}/gn.db?mode=ro"))
        .await
        .unwrap();
    assert_eq!(
        ro.schema_version().await.unwrap(),
        ro.known_schema_version()
    );
    assert!(ro.set_setting("x", "y").await.is_err());
    ro.close().await;

    // `mode=rw` does not create a missing file.
    assert!(
        Store::connect(&format!("sqlite://{d}/missing.db?mode=rw"))
            .await
            .is_err()
    );
    assert!(!dir.path().join("missing.db").exists());

    // Plain paths and `sqlite:` URLs without parameters create the file, as before.
    for (url, file) in [
        (format!("{d}/plain.db"), "plain.db"),
        (format!("sqlite:{d}/short.db"), "short.db"),
        (format!("sqlite://{d}/long.db"), "long.db"),
    ] {
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        store.close().await;
        assert!(dir.path().join(file).exists(), "{url}");
        assert_eq!(sqlite_file(&url), Some(dir.path().join(file)));
    }
}
