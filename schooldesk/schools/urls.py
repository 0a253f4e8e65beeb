from functools import cache
from importlib import import_module

from django.urls import path

from schooldesk.schools import views
from schooldesk.schools.models import Closure, Term


@cache
def _category_view(name: str):
    return getattr(import_module("schooldesk.incidents.views_categories"), name).as_view()


def categories(name: str):
    """A page of incidents/views_categories.py at the settings page's own address: found when first asked, so the
    schools app imports nothing of incidents (whose records the categories are; docs/decisions/0037)."""

    def view(request, *args, **kwargs):
        return _category_view(name)(request, *args, **kwargs)

    return view


app_name = "schools"
urlpatterns = [
    path("", views.SchoolListView.as_view(), name="school_list"),
    path("<int:pk>/", views.SchoolDetailView.as_view(), name="school_detail"),
    path("<int:pk>/settings/", views.SchoolSectionView.as_view(section="settings"), name="school_settings"),
    path("<int:pk>/priorities/", views.SchoolSectionView.as_view(section="matrix"), name="school_matrix"),
    path("<int:pk>/terms/", views.SchoolSectionView.as_view(section="term"), name="term_create"),
    path("<int:pk>/closures/", views.SchoolSectionView.as_view(section="closure"), name="closure_create"),
    path("<int:pk>/categories/", categories("CategoryCreateView"), name="category_create"),
    path(
        "<int:pk>/terms/<int:entry_pk>/delete/", views.CalendarEntryDeleteView.as_view(model=Term), name="term_delete"
    ),
    path(
        "<int:pk>/closures/<int:entry_pk>/delete/",
        views.CalendarEntryDeleteView.as_view(model=Closure),
        name="closure_delete",
    ),
    path("<int:pk>/categories/<int:category_pk>/archive/", categories("CategoryArchiveView"), name="category_archive"),
]
