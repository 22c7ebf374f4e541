"""Install the Debian packages the tests drive when they are missing: Chromium (browser tests, since Playwright
cannot download its own browser here), poppler-utils (pdftoppm renders certificate PDFs to PNG) and HarfBuzz's
subsetter (WeasyPrint embeds only the glyphs a certificate uses; without it, it warns, which the suite treats as an
error, and embeds whole fonts). Chromium happens to pull the last one in; it is named so it never depends on that."""

import os
import shutil
import subprocess
import sys
from ctypes.util import find_library

NEEDED = {"chromium": os.path.exists("/usr/bin/chromium"), "poppler-utils": os.path.exists("/usr/bin/pdftoppm"),
          "libharfbuzz-subset0": find_library("harfbuzz-subset") is not None}

missing = sorted(package for package, present in NEEDED.items() if not present)
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
