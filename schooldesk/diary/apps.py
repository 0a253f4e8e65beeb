from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "schooldesk.diary"
    label = "diary"

    def ready(self):
        from schooldesk.diary.services import contract_diary_sync, payments_schedule_renewal
        from schooldesk.suppliers.signals import contract_changed, contract_renewed

        # the diary builds on contracts: a contract's change reaches it through suppliers/signals.py
        contract_changed.connect(
            lambda sender, contract, today, **kwargs: contract_diary_sync(contract=contract, today=today),
            dispatch_uid="diary_contract_changed",
            weak=False,
        )
        contract_renewed.connect(
            lambda sender, contract, **kwargs: payments_schedule_renewal(contract=contract),
            dispatch_uid="diary_contract_renewed",
            weak=False,
        )
