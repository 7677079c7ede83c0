"""The Bot API methods the stand-in serves, one module per family (updates, messages,
queries, profile) on top of the helpers they share (common).
"""
