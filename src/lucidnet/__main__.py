"""``python -m lucidnet``: the same as the ``lucidnet`` command."""

from .cli import main

raise SystemExit(main())
