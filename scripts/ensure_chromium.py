"""Make sure Debian's Chromium is installed for the browser tests (Playwright cannot download its own here)."""

import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"

if os.path.exists(CHROMIUM) or os.environ.get("RELAIS_SKIP_E2E") == "1":
    sys.exit(0)
if shutil.which("apt-get") and os.geteuid() == 0:
    print("Installing Debian's chromium for the browser tests…", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)  # noqa: S603, S607
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "fonts-dejavu-core"],  # noqa: S603, S607
                   check=True, env=env)
    sys.exit(0)
message = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) to run browser tests."
if os.environ.get("CI") == "true":
    sys.exit(message)
print(message + " Browser tests will be skipped.", file=sys.stderr)
