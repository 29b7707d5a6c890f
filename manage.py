#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A developer's command on a machine with nothing configured: the embedded PostgreSQL and Redis are started first
    # (nothing happens when DATABASE_URL and REDIS_URL are set, or FLUXO_EMBEDDED is false). Settings never start them.
    from config import embedded

    embedded.ensure_for_environment()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
