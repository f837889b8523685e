"""The I/O floor: read, parse (orjson), serialise and write every line, and nothing else."""

import sys

import orjson

with open(sys.argv[1], "rb") as source, open(sys.argv[2], "wb") as target:
    for line in source:
        target.write(orjson.dumps(orjson.loads(line)) + b"\n")
