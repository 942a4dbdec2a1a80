"""The demo: 西城区's three seed communities and every part's demo story, loaded through the real services.

``youlin demo`` and ``youlin loaddemo`` use it, and so do the tests. Nothing in the product imports it (a test
keeps it so): the product works the same with this package removed.
"""
