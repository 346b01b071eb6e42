//! Blobs in an S3-compatible bucket (`object_store`): the same keys as on disk. An upload's
//! whole parts ([`PART_BYTES`] each) go into one multipart upload as they fill, each recorded at
//! a checkpoint; the bytes after the last whole part are kept in a small object of their own (a
//! new one per checkpoint, so a request that fails half-way never spoils the recorded one) and
//! read back by the next request. Assembling completes the multipart upload (or copies the lone
//! tail); committing copies it to the blob's key. Discarding aborts the multipart upload, so S3
//! keeps no abandoned parts.

use std::ops::Range;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload};

use super::{ByteStream, Checkpoint, PART_BYTES, Staging};
use crate::config::Config;
use crate::error::{Error, Result};

pub struct S3Store {
    store: AmazonS3,
}

fn storage(err: object_store::Error) -> Error {
    Error::Internal(format!("object storage: {err}"))
}

fn missing(err: &object_store::Error) -> bool {
    matches!(err, object_store::Error::NotFound { .. })
}

impl S3Store {
    pub fn new(config: &Config) -> Result<Self> {
        if config.s3_bucket.is_empty() {
            return Err(Error::Config("storage = \"s3\" needs s3_bucket".into()));
        }
        // AWS's own environment (AWS_ACCESS_KEY_ID, a role…) first; what the configuration sets wins.
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&config.s3_bucket)
            .with_region(&config.s3_region)
            .with_allow_http(config.s3_allow_http);
        if !config.s3_endpoint.is_empty() {
            builder = builder.with_endpoint(&config.s3_endpoint).with_virtual_hosted_style_request(false);
        }
        if !config.s3_access_key_id.is_empty() {
            builder = builder
                .with_access_key_id(&config.s3_access_key_id)
                .with_secret_access_key(&config.s3_secret_access_key);
        }
        let store = builder.build().map_err(|err| Error::Config(format!("S3 storage: {err}")))?;
        Ok(Self { store })
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<()> {
        self.store.put(&Path::from(key), PutPayload::from_bytes(bytes)).await.map_err(storage)?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Option<Bytes>> {
        match self.store.get(&Path::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(storage)?)),
            Err(err) if missing(&err) => Ok(None),
            Err(err) => Err(storage(err)),
        }
    }

    pub async fn exists(&self, key: &str) -> Result<bool> {
        match self.store.head(&Path::from(key)).await {
            Ok(_) => Ok(true),
            Err(err) if missing(&err) => Ok(false),
            Err(err) => Err(storage(err)),
        }
    }

    pub async fn read(&self, key: &str, range: Range<u64>) -> Result<ByteStream> {
        let options = GetOptions { range: Some(GetRange::Bounded(range)), ..GetOptions::default() };
        let found = self.store.get_opts(&Path::from(key), options).await.map_err(storage)?;
        Ok(found.into_stream().map(|chunk| chunk.map_err(std::io::Error::other)).boxed())
    }

    pub async fn delete(&self, key: &str) -> Result<()> {
        match self.store.delete(&Path::from(key)).await {
            Err(err) if !missing(&err) => Err(storage(err)),
            _ => Ok(()),
        }
    }

    pub async fn writer(&self, key: &str, staging: Staging, offset: u64) -> Result<S3Writer> {
        let recorded = staging.parts.len() as u64 * PART_BYTES as u64 + staging.tail_len;
        if recorded != offset {
            return Err(Error::Internal(format!(
                "upload {key}: staging holds {recorded} bytes, the row says {offset}"
            )));
        }
        let mut buffer = BytesMut::with_capacity(PART_BYTES);
        if let Some(tail) = &staging.tail {
            let bytes =
                self.store.get(&Path::from(tail.as_str())).await.map_err(storage)?.bytes().await.map_err(storage)?;
            if bytes.len() as u64 != staging.tail_len {
                return Err(Error::Internal(format!("upload {key}: its tail object lost bytes")));
            }
            buffer.extend_from_slice(&bytes);
        }
        let old_tail = staging.tail.clone();
        Ok(S3Writer { store: self.store.clone(), key: key.to_owned(), staging, buffer, old_tail })
    }

    pub async fn assemble(&self, key: &str, staging: &Staging) -> Result<()> {
        let path = Path::from(key);
        match (&staging.multipart_id, staging.parts.is_empty()) {
            (Some(id), false) => {
                let mut parts: Vec<PartId> =
                    staging.parts.iter().map(|content_id| PartId { content_id: content_id.clone() }).collect();
                if let Some(tail) = &staging.tail {
                    let bytes = self.store.get(&Path::from(tail.as_str())).await.map_err(storage)?.bytes().await;
                    let payload = PutPayload::from_bytes(bytes.map_err(storage)?);
                    parts.push(self.store.put_part(&path, id, parts.len(), payload).await.map_err(storage)?);
                }
                self.store.complete_multipart(&path, id, parts).await.map_err(storage)?;
            }
            (id, _) => {
                if let Some(id) = id {
                    self.store.abort_multipart(&path, id).await.map_err(storage)?;
                }
                match &staging.tail {
                    Some(tail) => self.store.copy(&Path::from(tail.as_str()), &path).await.map_err(storage)?,
                    None => self.put(key, Bytes::new()).await?,
                }
            }
        }
        if let Some(tail) = &staging.tail {
            self.delete(tail).await?;
        }
        Ok(())
    }

    pub async fn commit(&self, from: &str, to: &str) -> Result<()> {
        if !self.exists(to).await? {
            self.store.copy(&Path::from(from), &Path::from(to)).await.map_err(storage)?;
        }
        self.delete(from).await
    }

    pub async fn discard(&self, key: &str, staging: &Staging) -> Result<()> {
        if let Some(id) = &staging.multipart_id {
            match self.store.abort_multipart(&Path::from(key), id).await {
                Err(err) if !missing(&err) => return Err(storage(err)),
                _ => {}
            }
        }
        if let Some(tail) = &staging.tail {
            self.delete(tail).await?;
        }
        self.delete(key).await
    }
}

pub struct S3Writer {
    store: AmazonS3,
    key: String,
    staging: Staging,
    buffer: BytesMut,
    /// The tail object recorded before this request, superseded by the first checkpoint.
    old_tail: Option<String>,
}

impl S3Writer {
    fn offset(&self) -> u64 {
        self.staging.parts.len() as u64 * PART_BYTES as u64
    }

    fn superseded(&mut self) -> Vec<String> {
        self.old_tail.take().into_iter().collect()
    }

    pub async fn write(&mut self, bytes: Bytes) -> Result<Option<Checkpoint>> {
        self.buffer.extend_from_slice(&bytes);
        if self.buffer.len() < PART_BYTES {
            return Ok(None);
        }
        let path = Path::from(self.key.as_str());
        if self.staging.multipart_id.is_none() {
            self.staging.multipart_id = Some(self.store.create_multipart(&path).await.map_err(storage)?);
        }
        let id = self.staging.multipart_id.clone().expect("made above");
        while self.buffer.len() >= PART_BYTES {
            let part = self.buffer.split_to(PART_BYTES).freeze();
            let index = self.staging.parts.len();
            let made = self.store.put_part(&path, &id, index, PutPayload::from_bytes(part)).await.map_err(storage)?;
            self.staging.parts.push(made.content_id);
        }
        // The recorded tail's bytes are inside the parts now.
        self.staging.tail = None;
        self.staging.tail_len = 0;
        let superseded = self.superseded();
        Ok(Some(Checkpoint { offset: self.offset(), staging: self.staging.clone(), superseded }))
    }

    pub async fn finish(mut self) -> Result<Checkpoint> {
        if self.buffer.is_empty() {
            self.staging.tail = None;
            self.staging.tail_len = 0;
        } else {
            let mut random = [0u8; 8];
            getrandom::fill(&mut random).expect("the OS random source works");
            let tail = format!("{}.tail.{:016x}", self.key, u64::from_le_bytes(random));
            let bytes = std::mem::take(&mut self.buffer).freeze();
            self.staging.tail_len = bytes.len() as u64;
            self.store.put(&Path::from(tail.as_str()), PutPayload::from_bytes(bytes)).await.map_err(storage)?;
            self.staging.tail = Some(tail);
        }
        let offset = self.offset() + self.staging.tail_len;
        let superseded = self.superseded();
        Ok(Checkpoint { offset, staging: self.staging.clone(), superseded })
    }
}
