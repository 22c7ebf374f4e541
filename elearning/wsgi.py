"""The app for a WSGI server in production: `gunicorn elearning.wsgi:app`.

Once the app is built, everything it holds (modules, routes, compiled templates) lives as long as the process,
so gc.freeze() moves it out of the cyclic collector's sight: a full collection then walks the objects a request
makes, not the ~140,000 the application keeps (docs/performance.md).
"""

from __future__ import annotations

import gc

from elearning import create_app

app = create_app()
gc.freeze()
