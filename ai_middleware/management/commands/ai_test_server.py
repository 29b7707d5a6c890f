"""``python manage.py ai_test_server --port 8766``: the OpenAI-compatible test server, for trying the LLM path
offline (set AI_LLM_BASE_URL=http://127.0.0.1:8766/v1 and AI_LLM_API_KEY=test-key)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from ai_middleware.testserver import OpenAITestServer


class Command(BaseCommand):
    help = "Run the OpenAI-compatible test server on loopback."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8766)
        parser.add_argument("--api-key", default="test-key")

    def handle(self, *args, host: str, port: int, api_key: str, **options):
        server = OpenAITestServer(host=host, port=port, api_key=api_key).start()
        self.stdout.write(f"OpenAI-compatible test server on {server.base_url} (key: {api_key})")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            server.stop()
