"""Periodic background work: ``youlin worker`` runs the task queue and enqueues each app's periodic tasks.

An app declares its periodic tasks in its own ``tasks.py`` (``PERIODIC``); it never imports this package.
"""
