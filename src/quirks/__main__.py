"""``python -m quirks`` runs the CLI."""

import sys

from quirks.cli.app import main

sys.exit(main())
