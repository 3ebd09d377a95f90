"""`newsbot eval`: the engine against gold questions, beside a dense-only baseline, in one run."""
