"""Text engines: sentence splitting, syllables, claim analysis."""
