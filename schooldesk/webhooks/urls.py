from django.urls import path

from schooldesk.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.SubscriptionListView.as_view(), name="subscription_list"),
    path("new/", views.SubscriptionEditView.as_view(), name="subscription_create"),
    path("<int:pk>/", views.SubscriptionEditView.as_view(), name="subscription_update"),
    path("<int:pk>/deliveries/<int:delivery_pk>/resend/", views.DeliveryResendView.as_view(), name="delivery_resend"),
]
