"""``/api/v1/`` routes of the privacy app (included from ``mesh_catalog/api/urls.py``)."""

from django.urls import path

from apps.privacy.api import views

urlpatterns = [
    path(
        "datasets/<int:pk>/classifications/", views.DatasetClassificationsView.as_view(), name="dataset-classifications"
    ),
    path("privacy/classifications/", views.SuggestionListView.as_view(), name="privacy-classifications"),
    path("privacy/classifications/<int:pk>/decision/", views.DecisionView.as_view(), name="privacy-decision"),
    path("privacy/columns/<int:pk>/classifications/", views.ColumnClassifyView.as_view(), name="privacy-classify"),
    path("privacy/anonymised/", views.AnonymisedView.as_view(), name="privacy-anonymised"),
    path("privacy/conflicts/", views.ConflictListView.as_view(), name="privacy-conflicts"),
    path("privacy/subjects/", views.SubjectTypesView.as_view(), name="privacy-subject-types"),
    path("privacy/subjects/<str:identifier_type>/", views.SubjectFinderView.as_view(), name="privacy-subjects"),
    path("privacy/forget-requests/", views.ForgetRequestListView.as_view(), name="privacy-forget-requests"),
    path("privacy/forget-requests/<int:pk>/", views.ForgetRequestDetailView.as_view(), name="privacy-forget-request"),
    path(
        "privacy/forget-requests/<int:pk>/export/",
        views.ForgetRequestExportView.as_view(),
        name="privacy-forget-export",
    ),
    path("privacy/forget-tasks/<int:pk>/", views.ForgetTaskView.as_view(), name="privacy-forget-task"),
]
