"""`newsbot bench`: encoder backends and archive sizes, measured on this machine (`run.run_bench`)."""
