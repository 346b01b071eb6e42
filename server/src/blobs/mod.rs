//! The blob store: immutable blobs named by their content (a SHA-256 in hex, or a photo
//! rendition's `<sha>.thumb`), and the unfinished bytes of uploads. One type over two backends,
//! chosen by `storage`: files under the data directory (`fs.rs`, the default) or an
//! S3-compatible bucket (`s3.rs`, for several instances). Both use the same keys —
//! `media/<first two hex digits>/<name>` for a blob, `uploads/<media id>…` for an upload's
//! staging — so a bucket and a data directory look alike.
//!
//! Uploads arrive in any number of requests (tus). A [`Writer`] takes the bytes of one request
//! and answers [`Checkpoint`]s: the offset that is durable from then on and how the backend
//! finds those bytes again (`Staging`, kept in the media row). Whatever passed a checkpoint
//! survives a dropped connection, a restart, or the next request landing on another instance.
//! When the last byte is in, [`Blobs::assemble`] makes the upload one object, which can be read
//! back (to hash and sniff it) and then [`Blobs::commit`]ted under its content's name — or
//! dropped, when a blob of that content exists already (deduplication).
//!
//! Which blobs live, and when one may go, is decided in the database (`db/blobs.rs`), never
//! here.

mod fs;
mod s3;

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::{Error, Result};

/// Bytes read from a blob, as they come.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// An upload's bytes are made durable in steps of this size (an S3 multipart part; a file sync).
pub const PART_BYTES: usize = 8 * 1024 * 1024;

#[derive(Clone)]
pub enum Blobs {
    Fs(Arc<fs::FsStore>),
    S3(Arc<s3::S3Store>),
}

/// Where a backend keeps an unfinished upload's bytes (kept, as JSON, in the media row).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staging {
    /// S3: the multipart upload holding the whole parts so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multipart_id: Option<String>,
    /// S3: the parts' ids, in order; each [`PART_BYTES`] long.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
    /// S3: the object holding the bytes after the parts (fewer than a part), and how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail: Option<String>,
    #[serde(default)]
    pub tail_len: u64,
}

impl Staging {
    pub fn from_json(json: Option<&str>) -> Result<Self> {
        json.map_or(Ok(Self::default()), |json| {
            serde_json::from_str(json).map_err(|e| Error::Internal(format!("an upload's staging is unreadable: {e}")))
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("staging serialises")
    }
}

/// The bytes of an upload up to `offset` are durable, found as `staging` says. `superseded`
/// names objects the backend no longer needs once this checkpoint is recorded.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub offset: u64,
    pub staging: Staging,
    pub superseded: Vec<String>,
}

/// Takes the bytes of one request of an upload.
pub enum Writer {
    Fs(fs::FsWriter),
    S3(s3::S3Writer),
}

impl Writer {
    /// Takes the next bytes; answers a checkpoint when some became durable.
    pub async fn write(&mut self, bytes: Bytes) -> Result<Option<Checkpoint>> {
        match self {
            Self::Fs(writer) => writer.write(bytes).await,
            Self::S3(writer) => writer.write(bytes).await,
        }
    }

    /// Makes everything taken durable: the last checkpoint.
    pub async fn finish(self) -> Result<Checkpoint> {
        match self {
            Self::Fs(writer) => writer.finish().await,
            Self::S3(writer) => writer.finish().await,
        }
    }
}

/// A blob's name is a lowercase hex digest, optionally with a `.suffix` naming a rendition;
/// nothing else reaches a path or a key.
pub fn valid_name(name: &str) -> bool {
    let (digest, suffix) = name.split_once('.').unwrap_or((name, ""));
    digest.len() == 64
        && digest.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && suffix.len() <= 16
        && suffix.bytes().all(|b| b.is_ascii_lowercase())
}

fn blob_key(name: &str) -> Result<String> {
    if valid_name(name) {
        Ok(format!("media/{}/{name}", &name[..2]))
    } else {
        Err(Error::Internal(format!("bad blob name {name:?}")))
    }
}

fn upload_key(media_id: &str) -> Result<String> {
    if gkchat_proto::media::valid_media_id(media_id) {
        Ok(format!("uploads/{media_id}"))
    } else {
        Err(Error::Internal(format!("bad media id {media_id:?}")))
    }
}

/// The name of `bytes`: their SHA-256 in hex.
pub fn content_name(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Blobs {
    /// The store `config` chooses.
    pub fn open(config: &Config) -> Result<Self> {
        match config.storage.as_str() {
            "fs" | "" => Ok(Self::Fs(Arc::new(fs::FsStore::new(&config.data_dir)))),
            "s3" => Ok(Self::S3(Arc::new(s3::S3Store::new(config)?))),
            other => Err(Error::Config(format!("storage must be \"fs\" or \"s3\", not {other:?}"))),
        }
    }

    /// Stores a small blob whole (a photo's renditions). Storing it again is harmless.
    pub async fn put(&self, name: &str, bytes: Bytes) -> Result<()> {
        let key = blob_key(name)?;
        match self {
            Self::Fs(store) => store.put(&key, bytes).await,
            Self::S3(store) => store.put(&key, bytes).await,
        }
    }

    /// A small blob whole, or `None` when there is none by that name.
    pub async fn get(&self, name: &str) -> Result<Option<Bytes>> {
        let key = blob_key(name)?;
        match self {
            Self::Fs(store) => store.get(&key).await,
            Self::S3(store) => store.get(&key).await,
        }
    }

    pub async fn exists(&self, name: &str) -> Result<bool> {
        let key = blob_key(name)?;
        match self {
            Self::Fs(store) => store.exists(&key).await,
            Self::S3(store) => store.exists(&key).await,
        }
    }

    /// `range` of a blob, streamed.
    pub async fn read(&self, name: &str, range: Range<u64>) -> Result<ByteStream> {
        self.read_key(&blob_key(name)?, range).await
    }

    async fn read_key(&self, key: &str, range: Range<u64>) -> Result<ByteStream> {
        if range.is_empty() {
            return Ok(Box::pin(futures_util::stream::empty()));
        }
        match self {
            Self::Fs(store) => store.read(key, range).await,
            Self::S3(store) => store.read(key, range).await,
        }
    }

    /// Removes a blob; removing a missing one is fine.
    pub async fn delete(&self, name: &str) -> Result<()> {
        let key = blob_key(name)?;
        self.delete_key(&key).await
    }

    async fn delete_key(&self, key: &str) -> Result<()> {
        match self {
            Self::Fs(store) => store.delete(key).await,
            Self::S3(store) => store.delete(key).await,
        }
    }

    /// A writer for the next bytes of upload `media_id`, whose first `offset` bytes are durable
    /// as `staging` says (bytes a backend holds beyond them are dropped).
    pub async fn writer(&self, media_id: &str, staging: Staging, offset: u64) -> Result<Writer> {
        let key = upload_key(media_id)?;
        Ok(match self {
            Self::Fs(store) => Writer::Fs(store.writer(&key, staging, offset).await?),
            Self::S3(store) => Writer::S3(store.writer(&key, staging, offset).await?),
        })
    }

    /// Objects that a recorded checkpoint superseded.
    pub async fn drop_superseded(&self, keys: &[String]) {
        for key in keys {
            if let Err(err) = self.delete_key(key).await {
                tracing::warn!(error = %err, key, "removing a superseded upload object failed");
            }
        }
    }

    /// Makes a complete upload one object (readable with [`Self::read_upload`]).
    pub async fn assemble(&self, media_id: &str, staging: &Staging) -> Result<()> {
        let key = upload_key(media_id)?;
        match self {
            Self::Fs(_) => Ok(()),
            Self::S3(store) => store.assemble(&key, staging).await,
        }
    }

    /// `range` of an assembled upload.
    pub async fn read_upload(&self, media_id: &str, range: Range<u64>) -> Result<ByteStream> {
        self.read_key(&upload_key(media_id)?, range).await
    }

    /// Moves an assembled upload to the blob `name`; when that blob exists already, the upload
    /// is dropped instead (the same content is stored once).
    pub async fn commit(&self, media_id: &str, name: &str) -> Result<()> {
        let (from, to) = (upload_key(media_id)?, blob_key(name)?);
        match self {
            Self::Fs(store) => store.commit(&from, &to).await,
            Self::S3(store) => store.commit(&from, &to).await,
        }
    }

    /// Drops everything of an unfinished (or assembled, uncommitted) upload.
    pub async fn discard(&self, media_id: &str, staging: &Staging) -> Result<()> {
        let key = upload_key(media_id)?;
        match self {
            Self::Fs(store) => store.delete(&key).await,
            Self::S3(store) => store.discard(&key, staging).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_names_that_are_not_digests() {
        assert!(!valid_name("../../etc/passwd"));
        assert!(!valid_name(&format!("{}.x/y", "a".repeat(64))));
        assert!(!valid_name(&"A".repeat(64)));
        assert!(valid_name(&"0".repeat(64)));
        assert!(valid_name(&format!("{}.thumb", "f".repeat(64))));
        assert!(upload_key("../x").is_err());
    }
}
