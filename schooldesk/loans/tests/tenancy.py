"""School A's loans for the tenancy walk (schooldesk/core/tests/test_tenancy.py). Each part of the device scheme
adds its objects from its own module (the loaner pool and charges: tenancy_pool.py)."""
from schooldesk.loans.tests import tenancy_pool

SECTION = "loans"
PK = "loan"
PARAMS = {**tenancy_pool.PARAMS}


def build(cast, secret):
    return {**tenancy_pool.build(cast, secret)}
