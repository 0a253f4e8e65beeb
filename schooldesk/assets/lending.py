"""Lending a device is the loans app's (schooldesk/loans): it builds on the asset register, so the register never
imports it. What the register's own page, API and services need of lending (lend or issue a device, take it back,
end its loan when it goes) reaches loans through this one seam, which loans fills in its AppConfig.ready()
(loans/apps.py). Reading whether a device is lent needs no seam: it is the asset's own relation, `asset.loans`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Lending:
    #: issue(*, asset, person, due_on, by, note) -> the loan
    issue: Callable
    #: take_back(*, asset, by, status, location, note, condition_in, is_data_wiped) -> the loan, or ValidationError
    take_back: Callable
    #: end(*, assets, by): the devices are gone (retired, disposed of): their open loans end today
    end: Callable


_lending: Lending | None = None


def register(lending: Lending) -> None:
    global _lending
    _lending = lending


def lending() -> Lending:
    if _lending is None:
        raise ImproperlyConfigured("Lending is the loans app's: add schooldesk.loans to INSTALLED_APPS.")
    return _lending
