"""`python -m crm_tui` behaves exactly like the `crm-tui` command."""

import sys

from crm_tui.cli import main

sys.exit(main())
