from django.urls import path

from assignment import views, views_board, views_tasks

app_name = "assignment"
urlpatterns = [
    path("supervisor/", views.supervisor_home_view, name="supervisor_home"),
    path("supervisor/load/", views.load_view, name="load"),
    path("supervisor/consultants/<int:user_id>/pause/", views.consultant_pause_view, name="consultant_pause"),
    path(
        "supervisor/consultants/<int:user_id>/rebalance/", views.consultant_rebalance_view, name="consultant_rebalance"
    ),
    path("atribuicao/em-massa/", views.leads_bulk_assign_view, name="bulk_assign"),
    path("atribuicao/desfazer/<int:move_id>/", views.owner_move_undo_view, name="owner_move_undo"),
    path("atribuicao/mudancas/<int:move_id>/", views.owner_move_status_view, name="owner_move_status"),
    path("supervisor/capacity/raise/", views.capacity_raise_view, name="capacity_raise"),
    path("supervisor/capacity/assign/", views.waiting_assign_view, name="waiting_assign"),
    path("supervisor/capacity/spread/", views.waiting_spread_view, name="waiting_spread"),
    path("fila/", views.queue_view, name="queue"),
    path("notificacoes/", views.notifications_view, name="notifications"),
    path("notificacoes/badge/", views.notifications_badge_view, name="notifications_badge"),
    path("notificacoes/lidas/", views.notifications_read_view, name="notifications_read"),
    path("atribuicao/leads/<int:lead_id>/", views.lead_card_view, name="lead_card"),
    path("atribuicao/leads/<int:lead_id>/atribuir/", views.lead_assign_view, name="lead_assign"),
    path("quadro/", views_board.board_view, name="board"),
    path("quadro/leads/<int:lead_id>/mover/", views_board.board_move_view, name="board_move"),
    path("tarefas/", views_tasks.my_tasks_view, name="tasks"),
    path("tarefas/<int:task_id>/concluir/", views_tasks.task_done_view, name="task_done"),
    path("tarefas/<int:task_id>/adiar/", views_tasks.task_snooze_view, name="task_snooze"),
    path("atribuicao/leads/<int:lead_id>/tarefas/", views_tasks.lead_tasks_view, name="lead_tasks"),
    path("agenda/", views_tasks.calendar_view, name="calendar"),
    path("agenda/link/", views_tasks.calendar_feed_rotate_view, name="calendar_feed_rotate"),
    path("agenda/<str:token>.ics", views_tasks.calendar_feed_view, name="calendar_feed"),
]
