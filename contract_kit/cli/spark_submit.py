"""The `contract-kit spark` commands as a spark-submit application:

    spark-submit [spark options] "$(python -m contract_kit.cli.spark_submit)" convert PATH... -o DIR

Run with python, it prints its own path (what spark-submit needs); run by spark-submit, it is
`contract-kit spark` with the arguments after it, in the session spark-submit configured.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    if "PYSPARK_GATEWAY_PORT" not in os.environ:  # run with python: say where this file is
        print(os.path.abspath(__file__))
        return
    from contract_kit.cli.main import main as contract_kit

    sys.argv = ["contract-kit", "spark", *sys.argv[1:]]
    contract_kit()


if __name__ == "__main__":
    main()
