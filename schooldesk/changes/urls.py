from django.urls import path

from schooldesk.changes import views

app_name = "changes"
urlpatterns = [
    path("", views.ChangeListView.as_view(), name="change_list"),
    path("new/", views.ChangeEditView.as_view(), name="change_create"),
    path("progress/", views.ProgressView.as_view(), name="progress"),
    path("report/", views.ChangeReportView.as_view(), name="change_report"),
    path("standard/", views.StandardChangeListView.as_view(), name="standard_list"),
    path("standard/new/", views.StandardChangeEditView.as_view(), name="standard_create"),
    path("standard/<int:standard_pk>/edit/", views.StandardChangeEditView.as_view(), name="standard_update"),
    path("<int:pk>/", views.ChangeDetailView.as_view(), name="change_detail"),
    path("<int:pk>/edit/", views.ChangeEditView.as_view(), name="change_update"),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/done/",
        views.PlanItemView.as_view(item="milestone", tick=True),
        name="milestone_done",
    ),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/delete/",
        views.PlanItemView.as_view(item="milestone"),
        name="milestone_delete",
    ),
    path(
        "<int:pk>/new-assets/<int:new_asset_pk>/delete/",
        views.PlanItemView.as_view(item="new_asset"),
        name="new_asset_delete",
    ),
    path(
        "<int:pk>/new-licences/<int:new_licence_pk>/delete/",
        views.PlanItemView.as_view(item="new_licence"),
        name="new_licence_delete",
    ),
    path(
        "<int:pk>/affected/<int:affected_pk>/delete/",
        views.PlanItemView.as_view(item="affected_asset"),
        name="affected_asset_delete",
    ),
]
urlpatterns += [
    path(
        f"<int:pk>/{action.replace('_', '-')}/", views.ChangeActionView.as_view(action=action), name=f"change_{action}"
    )
    for action in views.ACTIONS
]
