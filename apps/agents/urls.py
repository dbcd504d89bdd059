from django.urls import path

from apps.agents.http import mcp_endpoint

app_name = "agents"

urlpatterns = [path("mcp", mcp_endpoint, name="mcp")]
