"""Creates a lock table with a NEW_AND_OLD_IMAGES stream, or writes stream records into it.

usage: stream_fill.py create TABLE
       stream_fill.py fill TABLE RECORDS [STATES]
(endpoint and credentials from the AWS_* environment)

`fill` writes RECORDS stream records as Terraform would: rounds in which STATES (default 1,000)
locks are taken (PutItem of LockID + Info) and then released (DeleteItem), through
batch_write_item, 25 requests a call. Every record is an INSERT or a REMOVE carrying the lock
record, so each becomes one event (lock.acquired or lock.released).
"""
import json
import sys

import boto3

client = boto3.client("dynamodb")
command, table = sys.argv[1], sys.argv[2]

if command == "create":
    client.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    sys.exit(0)

records = int(sys.argv[3])
states = int(sys.argv[4]) if len(sys.argv) > 4 else 1_000
rounds = records // (2 * states)


def lock_id(n):
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def write(requests):
    for i in range(0, len(requests), 25):
        pending = {table: requests[i:i + 25]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None


for r in range(rounds):
    puts = []
    for s in range(states):
        path = f"bucket/path/{s}/terraform.tfstate"
        info = {"ID": lock_id(r * states + s), "Operation": "OperationTypePlan", "Info": "", "Who": "user@host",
                "Version": "1.11.4", "Created": "2025-03-04T05:06:07.123456789Z", "Path": path}
        puts.append({"PutRequest": {"Item": {"LockID": {"S": path}, "Info": {"S": json.dumps(info, separators=(",", ":"))}}}})
    write(puts)
    write([{"DeleteRequest": {"Key": {"LockID": {"S": f"bucket/path/{s}/terraform.tfstate"}}}} for s in range(states)])
print(f"wrote {rounds * 2 * states} stream records ({rounds} rounds of {states} locks taken and released)")
