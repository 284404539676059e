"""The baseline: a plain boto3 full Scan (ConsistentRead, paginated) of TABLE; prints items and seconds.

usage: scan_table.py TABLE   (endpoint and credentials from the AWS_* environment)
"""
import sys
import time

import boto3

table = sys.argv[1]
client = boto3.client("dynamodb")
started = time.perf_counter()
items = 0
pages = 0
for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
    items += len(page["Items"])
    pages += 1
print(f"RESULT scan items={items} pages={pages} seconds={time.perf_counter() - started:.3f}")
