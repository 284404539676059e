"""The peer of locktrail's stream catch-up: a boto3 reader of the same shards, as a plain consumer
would write it (DescribeStream, then per shard, parents first, GetShardIterator TRIM_HORIZON and
GetRecords with Limit 1000 until a page comes back empty), counting the records and the lock
records decoded from their images. Prints RESULT records=N seconds=S records_per_second=R.

usage: stream_read.py TABLE   (endpoint and credentials from the AWS_* environment)
"""
import json
import sys
import time

import boto3

table = sys.argv[1]
dynamodb = boto3.client("dynamodb")
streams = boto3.client("dynamodbstreams")
arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
start = time.monotonic()
shards, token = [], None
while True:
    page = streams.describe_stream(StreamArn=arn, **({"ExclusiveStartShardId": token} if token else {}))["StreamDescription"]
    shards += page["Shards"]
    token = page.get("LastEvaluatedShardId")
    if not token:
        break
ids = {s["ShardId"] for s in shards}
order = [s for s in shards if s.get("ParentShardId") not in ids] + [s for s in shards if s.get("ParentShardId") in ids]
records = locks = 0
for shard in order:
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=1000)
        for record in page["Records"]:
            records += 1
            image = record["dynamodb"].get("NewImage") or record["dynamodb"].get("OldImage") or {}
            if "Info" in image:
                json.loads(image["Info"]["S"])
                locks += 1
        if not page["Records"]:
            break
        iterator = page.get("NextShardIterator")
seconds = time.monotonic() - start
print(f"RESULT records={records} locks={locks} seconds={seconds:.3f} records_per_second={records / seconds:.0f}")
