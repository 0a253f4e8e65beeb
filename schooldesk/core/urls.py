from django.urls import path

from schooldesk.core import views

urlpatterns = [
    path("help/", views.HelpView.as_view(), name="help"),
    path("health/", views.health, name="health"),
] + [path(f"help/{slug}/", views.GuideView.as_view(guide=slug), name=f"help_{slug}") for slug in views.GUIDES]
