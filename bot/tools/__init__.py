"""Developer tools over the public engine API: `newsbot eval` and `newsbot bench`."""
