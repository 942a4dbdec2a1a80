"""A synthetic city for scale tests and benchmarks: places with outlines, parties, people and cases.

The loader behind ``youlin generate``, not a part of the domain (no models): it writes rows of the places,
parties and cases models directly through their bulk paths (``bulk_create``; PostgreSQL ``COPY`` for the case
tables), bypassing the services on purpose, and keeps every model constraint. Deterministic for a seed and an
end date. See ``generate.generate_city``.
"""
