"""The frozen app's entry point: the same `churn-console` command as the pip-installed one."""

import sys

from console.cli import main

if __name__ == "__main__":
    sys.exit(main())
