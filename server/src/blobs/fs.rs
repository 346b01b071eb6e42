//! Blobs as files under `<data_dir>/`: `media/<xx>/<name>` (written atomically: a temporary
//! file, then a rename, so a reader never sees half a blob) and `uploads/<media id>` (appended
//! to; synced to disk at every checkpoint).

use std::io::SeekFrom;
use std::ops::Range;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::{ByteStream, Checkpoint, PART_BYTES, Staging};
use crate::error::Result;

#[derive(Debug)]
pub struct FsStore {
    root: PathBuf,
}

fn not_found(err: &std::io::Error) -> bool {
    err.kind() == std::io::ErrorKind::NotFound
}

impl FsStore {
    pub fn new(data_dir: &Path) -> Self {
        Self { root: data_dir.to_owned() }
    }

    /// Keys are made by `blob_key` / `upload_key` from checked names only.
    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    fn temporary_beside(path: &Path) -> PathBuf {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).expect("the OS random source works");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("blob");
        path.with_file_name(format!(".{name}.{}.tmp", u64::from_le_bytes(random)))
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<()> {
        let path = self.path(key);
        if tokio::fs::try_exists(&path).await? {
            return Ok(());
        }
        tokio::fs::create_dir_all(path.parent().expect("keys have a folder")).await?;
        let temporary = Self::temporary_beside(&path);
        tokio::fs::write(&temporary, &bytes).await?;
        tokio::fs::rename(&temporary, &path).await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Option<Bytes>> {
        match tokio::fs::read(self.path(key)).await {
            Ok(bytes) => Ok(Some(bytes.into())),
            Err(err) if not_found(&err) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    pub async fn exists(&self, key: &str) -> Result<bool> {
        Ok(tokio::fs::try_exists(self.path(key)).await?)
    }

    pub async fn read(&self, key: &str, range: Range<u64>) -> Result<ByteStream> {
        let mut file = tokio::fs::File::open(self.path(key)).await?;
        file.seek(SeekFrom::Start(range.start)).await?;
        let reader = file.take(range.end - range.start);
        Ok(tokio_util::io::ReaderStream::with_capacity(reader, 64 * 1024).boxed())
    }

    pub async fn delete(&self, key: &str) -> Result<()> {
        match tokio::fs::remove_file(self.path(key)).await {
            Err(err) if !not_found(&err) => Err(err.into()),
            _ => Ok(()),
        }
    }

    pub async fn writer(&self, key: &str, staging: Staging, offset: u64) -> Result<FsWriter> {
        let path = self.path(key);
        tokio::fs::create_dir_all(path.parent().expect("keys have a folder")).await?;
        let mut file = tokio::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).await?;
        // Bytes past the recorded offset never reached a checkpoint: they go.
        file.set_len(offset).await?;
        file.seek(SeekFrom::Start(offset)).await?;
        Ok(FsWriter { file, staging, offset, unsynced: 0 })
    }

    pub async fn commit(&self, from: &str, to: &str) -> Result<()> {
        let (from, to) = (self.path(from), self.path(to));
        if tokio::fs::try_exists(&to).await? {
            return match tokio::fs::remove_file(&from).await {
                Err(err) if !not_found(&err) => Err(err.into()),
                _ => Ok(()),
            };
        }
        tokio::fs::create_dir_all(to.parent().expect("keys have a folder")).await?;
        tokio::fs::rename(&from, &to).await?;
        Ok(())
    }
}

pub struct FsWriter {
    file: tokio::fs::File,
    staging: Staging,
    offset: u64,
    unsynced: usize,
}

impl FsWriter {
    pub async fn write(&mut self, bytes: Bytes) -> Result<Option<Checkpoint>> {
        self.file.write_all(&bytes).await?;
        self.offset += bytes.len() as u64;
        self.unsynced += bytes.len();
        if self.unsynced < PART_BYTES {
            return Ok(None);
        }
        self.sync().await.map(Some)
    }

    async fn sync(&mut self) -> Result<Checkpoint> {
        self.file.flush().await?;
        self.file.sync_data().await?;
        self.unsynced = 0;
        Ok(Checkpoint { offset: self.offset, staging: self.staging.clone(), superseded: Vec::new() })
    }

    pub async fn finish(mut self) -> Result<Checkpoint> {
        self.sync().await
    }
}
