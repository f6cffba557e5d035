"""The web application: pages for people, the open API under /api/v1, and bulk downloads."""
