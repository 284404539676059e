#!/usr/bin/env python3
"""The S3 backfill benchmark's Python side (see Benchmarks/README.md, "S3 backfill").

  populate URL BUCKET KEYS ROUNDS   versioned bucket; each of KEYS lock files locked and released
                                    ROUNDS times (a version and a delete marker per round)
  baseline URL BUCKET               what backfill does, in boto3: list every version page and read
                                    every lock-file version body with ThreadPoolExecutor(16);
                                    prints "events=N seconds=S"
"""
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config


def client(url):
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(max_pool_connections=32, retries={"max_attempts": 3}))


def populate(url, bucket, keys, rounds):
    s3 = client(url)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})

    def one_key(k):
        key = f"states/s{k:04d}/terraform.tfstate.tflock"
        for r in range(rounds):
            record = {"ID": f"{k:08x}-0000-4000-8000-{r:012x}", "Operation": "OperationTypePlan", "Info": "",
                      "Who": "ci@runner", "Version": "1.11.4", "Created": "2025-03-04T05:06:07.123456789Z",
                      "Path": f"{bucket}/states/s{k:04d}/terraform.tfstate"}
            s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(record, separators=(",", ":")).encode(),
                          ContentType="application/json")
            s3.delete_object(Bucket=bucket, Key=key)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one_key, range(keys)))


def baseline(url, bucket):
    s3 = client(url)
    started = time.monotonic()
    events = 0
    futures = []

    def read(key, version):
        return s3.get_object(Bucket=bucket, Key=key, VersionId=version)["Body"].read()

    with ThreadPoolExecutor(16) as pool:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for v in page.get("Versions", []):
                if v["Key"].endswith(".tflock"):
                    futures.append(pool.submit(read, v["Key"], v["VersionId"]))
            events += len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))
        bodies = [f.result() for f in futures]
    records = sum(1 for b in bodies if json.loads(b).get("ID"))
    print(f"events={events} records={records} seconds={time.monotonic() - started:.3f}")


if __name__ == "__main__":
    if sys.argv[1] == "populate":
        populate(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == "baseline":
        baseline(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
