"""Moving an archive between indexes without embedding it again: `newsbot export` / `import`."""
