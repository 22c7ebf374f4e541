"""Say clearly which system library is missing before anything else fails obscurely."""

import sys

HINT = (
    "WeasyPrint needs the Pango library. On Debian/Ubuntu: sudo apt-get install libpango-1.0-0 "
    "libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core; on macOS: brew install pango."
)

try:
    import weasyprint  # noqa: F401
except OSError as exc:  # raised when the shared libraries cannot be loaded
    sys.exit(f"Missing system library: {exc}\n{HINT}")
