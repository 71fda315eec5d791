"""Bundled examples, shipped in the package so `kg demo` works after any install."""
