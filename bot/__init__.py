"""The newsbot front ends: the `newsbot` command line and the Discord bot."""
