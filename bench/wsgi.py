"""The app as the benchmark serves it: production settings from the environment (APP_ENV=production,
SECRET_KEY, DATABASE_URL, BASE_URL), with the public verify page's per-address rate limit raised so that wrk,
which sends everything from 127.0.0.1, measures the page rather than the 429 answer. The limiter still runs
on every request, so its cost is in the figures."""

from __future__ import annotations

import gc
import os

from elearning import create_app

app = create_app(VERIFY_RATE_LIMIT=os.environ.get("BENCH_VERIFY_RATE_LIMIT", "1000000 per minute"))
gc.freeze()  # as elearning/wsgi.py does in production
