from django.urls import path

from assignment import views

app_name = "assignment"
urlpatterns = [
    path("supervisor/", views.supervisor_home_view, name="supervisor_home"),
    path("supervisor/load/", views.load_view, name="load"),
    path("supervisor/consultants/<int:user_id>/pause/", views.consultant_pause_view, name="consultant_pause"),
    path(
        "supervisor/consultants/<int:user_id>/rebalance/", views.consultant_rebalance_view, name="consultant_rebalance"
    ),
    path("supervisor/capacity/raise/", views.capacity_raise_view, name="capacity_raise"),
    path("supervisor/capacity/assign/", views.waiting_assign_view, name="waiting_assign"),
    path("supervisor/capacity/spread/", views.waiting_spread_view, name="waiting_spread"),
    path("fila/", views.queue_view, name="queue"),
    path("notificacoes/", views.notifications_view, name="notifications"),
    path("notificacoes/badge/", views.notifications_badge_view, name="notifications_badge"),
    path("notificacoes/lidas/", views.notifications_read_view, name="notifications_read"),
    path("atribuicao/leads/<int:lead_id>/", views.lead_card_view, name="lead_card"),
    path("atribuicao/leads/<int:lead_id>/atribuir/", views.lead_assign_view, name="lead_assign"),
]
