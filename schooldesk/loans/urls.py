from schooldesk.loans import urls_pool

app_name = "loans"
urlpatterns = [
    *urls_pool.urlpatterns,  # the loaner pool and charges (docs/decisions/0029)
]
