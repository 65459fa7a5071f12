"""The driver script for spark-submit (which runs a .py file, not a console script):

    spark-submit --master yarn "$(python -m seedcheck.engines.spark_submit)" check s3a://bucket/corpus --engine spark

With no arguments it prints its own path; with arguments it is `seedcheck`.
"""

import sys

if __name__ == "__main__":
    if not sys.argv[1:]:
        print(__file__)
        sys.exit(0)
    from seedcheck.cli import main

    sys.exit(main())
