"""Technique diagrams: the ``picture:`` block of a technique, its drawing, and the cache.

``spec`` parses and checks the YAML block, ``draw`` renders it with Pillow, ``book`` renders
each picture once per content version and keeps the PNG bytes by content hash.
"""
