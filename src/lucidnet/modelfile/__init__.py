"""Model files: reading them without trusting them (the archive, the manifest)."""
