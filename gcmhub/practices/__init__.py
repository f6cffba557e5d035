"""Practice submission and peer review: the knowledge platform's front door."""
