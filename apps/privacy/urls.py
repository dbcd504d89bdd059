from django.urls import path

from apps.privacy import views

app_name = "privacy"

urlpatterns = [
    path("datasets/<int:pk>/", views.dataset_review, name="dataset"),
    path("classifications/<int:pk>/decide/", views.decide, name="decide"),
    path("columns/<int:column_id>/classify/", views.classify, name="classify"),
    path("columns/<int:column_id>/anonymise/", views.anonymise, name="anonymise"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("subjects/", views.finder, name="finder"),
    path("forget/", views.forget_list, name="forget_list"),
    path("forget/<int:pk>/", views.forget_detail, name="forget_detail"),
    path("forget/tasks/<int:task_id>/settle/", views.settle, name="settle"),
]
