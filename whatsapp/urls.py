from django.urls import path

from whatsapp import views

app_name = "whatsapp"
urlpatterns = [
    path("numbers/", views.numbers_view, name="numbers"),
    path("numbers/<int:number_id>/active/", views.number_toggle_view, name="number_toggle"),
]
