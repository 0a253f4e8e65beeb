from schooldesk.accounts.choices import Role
from schooldesk.diary.choices import PAYMENT_ROLES

#: who sees the budget against spend: whoever sees the payments (the desk, the head and governors)
BUDGET_VIEW_ROLES = PAYMENT_ROLES
#: who sets the budget: the ICT owner, who approves spend (FITS financial management)
BUDGET_SET_ROLES = frozenset({Role.OWNER})
#: the largest single budget line a school can record (£)
MAX_LINE = 10_000_000
