"""A third-party tus client (tuspy, from PyPI) uploading to GK Chat's server, for the media tests.

With --chunks N it sends N chunks and stops, as a process killed mid-upload would; run again
without it, it finds the upload's URL where it stored it (by the file's fingerprint), asks the
server for the offset and finishes. Prints the upload's URL and the offset reached.
"""

import argparse

from tusclient import client
from tusclient.storage import filestorage

parser = argparse.ArgumentParser()
parser.add_argument("--endpoint", required=True)
parser.add_argument("--token", required=True)
parser.add_argument("--file", required=True)
parser.add_argument("--store", required=True, help="where tuspy keeps upload URLs")
parser.add_argument("--chunks", type=int, default=0)
args = parser.parse_args()

tus = client.TusClient(args.endpoint, headers={"Authorization": "Bearer " + args.token})
uploader = tus.uploader(
    args.file,
    chunk_size=1 << 20,
    store_url=True,
    url_storage=filestorage.FileStorage(args.store),
    metadata={"filename": "notes.bin"},
    upload_checksum=True,
)
if args.chunks:
    for _ in range(args.chunks):
        uploader.upload_chunk()
else:
    uploader.upload()
print(uploader.url)
print(uploader.offset)
