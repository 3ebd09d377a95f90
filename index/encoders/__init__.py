"""Embedding models behind one narrow interface, on torch or OpenVINO."""
