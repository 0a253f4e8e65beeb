from django.urls import path

from schooldesk.safeguarding import views

app_name = "safeguarding"
urlpatterns = [
    path("breaches/", views.BreachLogView.as_view(), name="breach_log"),
    path("breaches/<int:pk>/", views.BreachDetailView.as_view(), name="breach_detail"),
    path("concerns/", views.ConcernListView.as_view(), name="concern_list"),
    path("concerns/<int:pk>/", views.ConcernDetailView.as_view(), name="concern_detail"),
    path("concerns/<int:pk>/actions/", views.ConcernActionView.as_view(action="add"), name="concern_action"),
    path("concerns/<int:pk>/outcome/", views.ConcernActionView.as_view(action="close"), name="concern_close"),
    path("filtering/", views.FilterRegisterView.as_view(), name="filter_register"),
    path("filtering/new/", views.FilterRequestCreateView.as_view(), name="filter_request_create"),
    path("filtering/<int:pk>/", views.FilterRequestDetailView.as_view(), name="filter_request_detail"),
    path("filtering/<int:pk>/decide/", views.FilterDecideView.as_view(), name="filter_decide"),
    path("reviews/new/", views.ReviewCreateView.as_view(), name="review_create"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review_detail"),
    path("reviews/<int:pk>/sign/", views.ReviewSignView.as_view(), name="review_sign"),
]
