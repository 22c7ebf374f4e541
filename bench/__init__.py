"""Speed measurements of Relais under gunicorn and wrk (`make bench`); not part of the test suite."""
