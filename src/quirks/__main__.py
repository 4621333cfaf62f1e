"""``python -m quirks`` runs the CLI."""

import sys

from quirks.cli import main

sys.exit(main())
