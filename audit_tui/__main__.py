import sys

from audit_tui.cli import main

sys.exit(main())
