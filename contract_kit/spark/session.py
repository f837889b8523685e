"""The Spark session a command runs in: the one `spark-submit` made, or a new one."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[*]"
#: The JVM's heap on a local master, unless --conf spark.driver.memory says otherwise.
LOCAL_MEMORY = "2g"


class SparkUnavailable(Exception):
    """Spark cannot start here: said in one line (exit 2)."""


def under_spark_submit() -> bool:
    """Started by `spark-submit`: the JVM launched this Python and its session's settings
    (master, executors, archives) are the user's, given to spark-submit."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def check_available() -> None:
    """Raise SparkUnavailable when the `spark` extra or Java is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkUnavailable(
            'Spark is not installed: pip install "contract-kit[spark]" (PySpark 4, Java 17)'
        ) from None
    if not under_spark_submit() and java() is None:
        raise SparkUnavailable("Spark needs Java 17 or later: no java on PATH, JAVA_HOME unset")


def java() -> str | None:
    """The java Spark would start, if any."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = os.path.join(home, "bin", "java")
        return candidate if os.access(candidate, os.X_OK) else None
    return shutil.which("java")


def session(
    master: str | None = None, conf: Mapping[str, str] | None = None
) -> tuple[SparkSession, bool]:
    """The session to run in, and whether this call started it (its caller then stops it): the
    one already active (spark-submit's, a notebook's), else a new one on `master` (default
    local[*]) whose Python workers, on a local master, run this Python."""
    check_available()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False

    builder = SparkSession.builder.appName("contract-kit")
    if not under_spark_submit():
        master = master or DEFAULT_MASTER
        builder = builder.master(master)
        if master.startswith("local"):
            # the workers are this machine's: they run this Python, which has contract-kit
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            # and the JVM is the executor: Spark's default 1 GB fails a split's cache
            builder = builder.config("spark.driver.memory", LOCAL_MEMORY)
        quiet = resources.files("contract_kit.spark").joinpath("log4j2.properties")
        builder = builder.config(
            "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={quiet}"
        )
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    if not under_spark_submit():
        _start_quiet_jvm(builder)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark, True


#: What the JVM says on stderr at every start of Spark 4 (it enables the Vector API): no news.
_JVM_NOISE = (b"WARNING: Using incubator modules:",)


def _start_quiet_jvm(builder: SparkSession.Builder) -> None:
    """Start the session's JVM with its stderr passed on line by line, without the line the
    JVM writes at every start: the report is what a user reads on stderr."""
    import subprocess
    import threading

    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway

    conf = SparkConf()
    for key, value in builder._options.items():
        conf.set(key, value)
    gateway = launch_gateway(conf, popen_kwargs={"stderr": subprocess.PIPE})  # type: ignore[no-untyped-call]
    stream = gateway.proc.stderr

    def pass_on() -> None:
        for line in iter(stream.readline, b""):
            if not line.startswith(_JVM_NOISE):
                sys.stderr.buffer.write(line)
                sys.stderr.flush()

    threading.Thread(target=pass_on, name="spark-stderr", daemon=True).start()
    SparkContext(conf=conf, gateway=gateway)
