"""The home page and the search, at the top of the site's addresses (no namespace: `{% url 'home' %}`)."""

from django.urls import path

from schooldesk.reports import views_desk

urlpatterns = [
    path("", views_desk.HomeView.as_view(), name="home"),
    path("search/", views_desk.SearchView.as_view(), name="search"),
]
