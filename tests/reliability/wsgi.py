"""The app as gunicorn serves it in the reliability tests: production settings plus a few test overrides.

gunicorn --bind 127.0.0.1:PORT 'tests.reliability.wsgi:app', with APP_ENV=production, SECRET_KEY,
DATABASE_URL, BASE_URL and RATELIMIT_STORAGE_URI in the environment as in production. RELAIS_TEST_OVERRIDES
holds a JSON object of settings the environment cannot carry (plain HTTP cookies, a login limit fit for
hundreds of simulated learners sharing 127.0.0.1).
"""

import json
import os

from elearning import create_app

app = create_app(**json.loads(os.environ.get("RELAIS_TEST_OVERRIDES", "{}")))
