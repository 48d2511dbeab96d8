import sys

from weijian.cli import main

sys.exit(main())
