"""The floor's addresses (bench/floor/views.py), each the product page's under /floor/, then the product's own."""

from django.urls import path

from bench.floor import views
from config.urls import urlpatterns as product

urlpatterns = [
    path("floor/", views.home),
    path("floor/incidents/", views.call_list),  # also ?status=…&priority=… and ?q=…, as the call list
    path("floor/incidents/triage/", views.triage),
    path("floor/incidents/<int:pk>/", views.call_page),
    path("floor/assets/", views.assets),
    path("floor/licences/compliance/", views.compliance),
    path("floor/diary/", views.diary),
    *product,
]
