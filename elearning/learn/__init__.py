"""The learner's journey: catalog, course and module pages, lessons, progress."""
