import secrets
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Make sure an admin login exists; prints the password once, when it creates the account."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin login exists already (reset it with: manage.py changepassword admin).")
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(self.style.SUCCESS("Created the admin login for http://127.0.0.1:8000/admin/"))
        self.stdout.write(f"    username: {username}\n    password: {password}")
        self.stdout.write("This password is shown only now.")
        sys.stdout.flush()
