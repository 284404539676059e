"""Creates a Terraform-style lock table and fills it: N-1000 `-md5` digest items and 1000 lock items.

usage: fill_table.py TABLE [ITEMS] [LOCKS]   (endpoint and credentials from the AWS_* environment)
"""
import json
import random
import sys
import time

import boto3

table = sys.argv[1]
items = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
locks = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000
rng = random.Random(42)  # deterministic contents


def hexdigits(n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def lock_item(n):
    path = f"bucket/path/{n}/terraform.tfstate"
    info = {
        "ID": f"{hexdigits(8)}-{hexdigits(4)}-{hexdigits(4)}-{hexdigits(4)}-{hexdigits(12)}",
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": "user@host",
        "Version": "1.11.4",
        "Created": "2025-03-04T05:06:07.123456789Z",
        "Path": path,
    }
    # Terraform's json.Marshal of LockInfo: no spaces, field order as above.
    return {"LockID": {"S": path}, "Info": {"S": json.dumps(info, separators=(",", ":"))}}


def digest_item(n):
    return {"LockID": {"S": f"bucket/path/{n}/terraform.tfstate-md5"}, "Digest": {"S": hexdigits(32)}}


client = boto3.client("dynamodb")
client.create_table(
    TableName=table,
    AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
    BillingMode="PAY_PER_REQUEST",
)
client.get_waiter("table_exists").wait(TableName=table)

started = time.perf_counter()
all_items = [digest_item(n) for n in range(items - locks)] + [lock_item(n) for n in range(locks)]
for i in range(0, len(all_items), 25):
    request = {table: [{"PutRequest": {"Item": item}} for item in all_items[i:i + 25]]}
    while request:
        request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or None
count = client.describe_table(TableName=table)["Table"]["ItemCount"]
print(f"filled {table}: {len(all_items)} items ({locks} locks) in {time.perf_counter() - started:.1f} s; ItemCount {count}")
