import sys

from publish.app.cli import main

sys.exit(main())
