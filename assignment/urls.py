from django.urls import path

from assignment import views

app_name = "assignment"
urlpatterns = [path("", views.supervisor_home_view, name="supervisor_home")]
