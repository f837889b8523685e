"""The naive pipeline a team would write first: json + jsonschema for every record, in and out.

Same schemas (with the contract's format checks) and the same transformer as contract-kit; only
the reading, checking and writing are the plain ones.
"""

import json
import sys

from contract_kit.checking import schemas
from contract_kit.mapping import transform
from contract_kit.settings.config import Config

record_schema = schemas.validator("antavo/record")
message_schema = schemas.validator("segment/antavo-source")
mapping = transform.MappingSettings.of(Config())
with (
    open(sys.argv[1], encoding="utf-8") as source,
    open(sys.argv[2], "w", encoding="utf-8") as target,
):
    for line in source:
        record = json.loads(line)
        if any(True for _ in record_schema.iter_errors(record)):
            continue
        result = transform.to_segment(record, mapping)
        if isinstance(result, transform.Converted) and not any(
            True for _ in message_schema.iter_errors(result.message)
        ):
            target.write(json.dumps(result.message, ensure_ascii=False) + "\n")
