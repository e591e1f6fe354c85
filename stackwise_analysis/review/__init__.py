"""The review loop: what each run found compared with the runs before it."""
