"""What the case loop announces to the apps built on it, which it never imports.

``category_corrected``: staff changed a case's category (the ``correct`` step). Smart intake listens to learn
from it. Sent inside the step's transaction with ``case``, ``old_category``, ``new_category`` and ``actor``.
"""

from django.dispatch import Signal

category_corrected = Signal()
