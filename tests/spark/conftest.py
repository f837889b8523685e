"""One local Spark session for the Spark tests (Java 17 is on every machine that runs
`make test`; without it these tests fail with one line, never skip: see the README)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from contract_kit.spark.session import java

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: Splits of 256 KB: a corpus of a few MB is read by several tasks, as a cluster reads a big file.
SPLIT_BYTES = 256 * 1024
SETTINGS = {
    "spark.sql.files.maxPartitionBytes": str(SPLIT_BYTES),
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
}


def require_java() -> None:
    if java() is None:
        pytest.fail(
            "the Spark tests need Java 17: no java on PATH and JAVA_HOME unset", pytrace=False
        )


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    require_java()
    from contract_kit.spark.session import session

    started, owned = session("local[2]", SETTINGS)
    yield started
    if owned:
        started.stop()
