"""One ComponentResource per architectural piece; each takes a typed args object."""
