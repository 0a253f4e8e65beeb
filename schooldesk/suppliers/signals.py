"""What a contract's change means to the apps that build on suppliers (the diary: the notice date, the end and the
visits in each sharing school's diary; a renewed term's bills). Suppliers never imports them: they listen here
(diary/apps.py), and a receiver's error undoes the change (sent inside the service's transaction)."""

from django.dispatch import Signal

#: a contract was saved, decided or rolled forward: `contract`, `today`
contract_changed = Signal()
#: a contract that bills at its frequency starts a new term: `contract`
contract_renewed = Signal()
