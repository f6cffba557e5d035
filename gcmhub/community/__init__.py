"""Community: the directory of organizations and consultations (issue 10)."""
