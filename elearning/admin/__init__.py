"""Platform administration: organisations and their employer administrators."""
