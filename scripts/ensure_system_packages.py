"""Install the Debian packages the tests drive when they are missing: Chromium (browser tests, since Playwright
cannot download its own browser here) and poppler-utils (pdftoppm renders certificate PDFs to PNG)."""

import os
import shutil
import subprocess
import sys

NEEDED = {"/usr/bin/chromium": "chromium", "/usr/bin/pdftoppm": "poppler-utils"}

missing = sorted({package for path, package in NEEDED.items() if not os.path.exists(path)})
if not missing or os.environ.get("RELAIS_SKIP_SYSTEM_PACKAGES") == "1":
    sys.exit(0)
if shutil.which("apt-get") and os.geteuid() == 0:
    print(f"Installing Debian packages for the tests: {' '.join(missing)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)  # noqa: S603, S607
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)  # noqa: S603, S607
    sys.exit(0)
message = f"Missing Debian packages: {' '.join(missing)} (apt-get install {' '.join(missing)})."
if os.environ.get("CI") == "true":
    sys.exit(message)
print(message + " The tests that need them will be skipped.", file=sys.stderr)
