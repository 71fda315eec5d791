"""Loaders turn input files into entities and facts (`kg.loading.LoadResult`).

Each module registers one loader with `kg.registry.register("loader", NAME)`;
adding a format is adding a module here.
"""
