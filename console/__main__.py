"""`python -m console` runs the churn-console command."""

import sys

from .cli import main

sys.exit(main())
