//! The media store: immutable blobs named by the SHA-256 of their content, as files under
//! `<data_dir>/media/<first two hex digits>/<id>`. Writing is atomic (temporary file, then
//! rename), so a reader never sees half a blob; storing the same bytes twice stores them once.
//! An S3-compatible twin (object_store) takes this place when the server is scaled out.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::Result;

#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
}

/// The id of `bytes`: their SHA-256 in hex.
pub fn content_id(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Ids are lowercase hex digests, optionally with a `.suffix` naming a rendition; nothing else
/// reaches the file system.
fn valid_id(id: &str) -> bool {
    let (digest, suffix) = id.split_once('.').unwrap_or((id, ""));
    digest.len() == 64
        && digest.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && suffix.len() <= 16
        && suffix.bytes().all(|b| b.is_ascii_lowercase())
}

impl MediaStore {
    pub fn new(data_dir: &Path) -> Self {
        Self { root: data_dir.join("media") }
    }

    fn path(&self, id: &str) -> Option<PathBuf> {
        valid_id(id).then(|| self.root.join(&id[..2]).join(id))
    }

    /// Stores `bytes` under `id` (a [`content_id`], possibly with a rendition suffix).
    pub async fn put(&self, id: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(id).ok_or_else(|| crate::Error::Internal(format!("bad media id {id:?}")))?;
        if tokio::fs::try_exists(&path).await? {
            return Ok(());
        }
        let dir = path.parent().expect("media paths have a parent");
        tokio::fs::create_dir_all(dir).await?;
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).expect("the OS random source works");
        let temporary = dir.join(format!(".{id}.{}.tmp", u64::from_le_bytes(random)));
        tokio::fs::write(&temporary, bytes).await?;
        tokio::fs::rename(&temporary, &path).await?;
        Ok(())
    }

    /// The blob, or `None` when there is none by that id.
    pub async fn get(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let Some(path) = self.path(id) else { return Ok(None) };
        match tokio::fs::read(path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Removes the blob; removing a missing blob is fine.
    pub async fn delete(&self, id: &str) -> Result<()> {
        let Some(path) = self.path(id) else { return Ok(()) };
        match tokio::fs::remove_file(path).await {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err.into()),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_reads_and_deletes_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::new(dir.path());
        let id = content_id(b"hello");
        store.put(&id, b"hello").await.unwrap();
        store.put(&id, b"hello").await.unwrap();
        assert_eq!(store.get(&id).await.unwrap().as_deref(), Some(&b"hello"[..]));
        store.put(&format!("{id}.thumb"), b"small").await.unwrap();
        store.delete(&id).await.unwrap();
        store.delete(&id).await.unwrap();
        assert_eq!(store.get(&id).await.unwrap(), None);
        assert!(store.get(&format!("{id}.thumb")).await.unwrap().is_some());
    }

    #[test]
    fn refuses_ids_that_are_not_digests() {
        assert!(!valid_id("../../etc/passwd"));
        assert!(!valid_id(&format!("{}.x/y", "a".repeat(64))));
        assert!(!valid_id(&"A".repeat(64)));
        assert!(valid_id(&"0".repeat(64)));
        assert!(valid_id(&format!("{}.thumb", "f".repeat(64))));
    }
}
