"""``python manage.py mcp --token TOKEN``: the MCP server on stdio, for a desktop assistant."""

import os

import anyio
from django.core.management.base import BaseCommand, CommandError

from apps.agents.server import current_user, get_server
from apps.core.auth import InvalidToken, user_for_token


class Command(BaseCommand):
    help = "Serve the catalog's MCP tools on stdin/stdout as the holder of a personal access token."

    def add_arguments(self, parser):
        parser.add_argument("--token", default="", help="Personal access token (default: $MESH_TOKEN).")

    def handle(self, *args, **options):
        raw = options["token"] or os.environ.get("MESH_TOKEN", "")
        if not raw:
            raise CommandError("Give a personal access token with --token or MESH_TOKEN (create one on /profile/).")
        try:
            user = user_for_token(raw)
        except InvalidToken as exc:
            raise CommandError(str(exc)) from None

        async def serve():
            current_user.set(user)
            await get_server().run_stdio_async()

        anyio.run(serve)
