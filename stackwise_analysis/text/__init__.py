"""Text engines: sentence splitting, readability counts, claim analysis."""

#: Bump when a text engine's output changes for the same input (sentence rules, counting,
#: claim rules), so that cached audit results made by the old rules are not reused.
ENGINE_VERSION = 2
