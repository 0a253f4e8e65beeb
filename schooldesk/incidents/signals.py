"""What other apps may hear about a call, after the change has committed. Receivers call their own services (the
loaner pool swaps a repaired device back: schooldesk/loans/pool.py); nothing here writes."""

from django.dispatch import Signal

#: a call was resolved and the resolution committed: `incident`, `by`
incident_resolved = Signal()
