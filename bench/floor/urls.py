from django.urls import path

from bench.floor import views
from config.urls import urlpatterns as product

urlpatterns = [
    path("floor/incidents/", views.call_list),
    path("floor/incidents/<int:pk>/", views.call_page),
    *product,
]
