"""Development server: migrate, load courses, add demo data on an empty database, then serve."""

import os

from flask_migrate import upgrade

from elearning import create_app
from elearning.cli import prepare_database

app = create_app()

if __name__ == "__main__":
    with app.app_context():
        upgrade()
        prepare_database(app)
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")), debug=False)
