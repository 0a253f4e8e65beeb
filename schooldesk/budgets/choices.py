from schooldesk.core.roles import DESK_ROLES, Role

#: who sees the budget against spend: whoever sees the payments (the desk, the head and governors: diary's
#: PAYMENT_ROLES)
BUDGET_VIEW_ROLES = DESK_ROLES | {Role.VIEWER}
#: who sets the budget: the ICT owner, who approves spend (FITS financial management)
BUDGET_SET_ROLES = frozenset({Role.OWNER})
#: the largest single budget line a school can record (£)
MAX_LINE = 10_000_000
