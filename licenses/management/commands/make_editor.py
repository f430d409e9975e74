from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from licenses.drafting import editors_group


class Command(BaseCommand):
    help = "Make a user an editor (or, with --remove, no longer one). Name them by e-mail or username."

    def add_arguments(self, parser):
        parser.add_argument("user", help="e-mail address or username")
        parser.add_argument("--remove", action="store_true", help="take the editor role away")

    def handle(self, *args, user, remove, **options):
        User = get_user_model()
        found = User.objects.filter(email__iexact=user).first() or User.objects.filter(username=user).first()
        if found is None:
            raise CommandError(f"No user with the e-mail address or username {user!r}.")
        group = editors_group()
        if remove:
            found.groups.remove(group)
            self.stdout.write(f"{found} is no longer an editor.")
        else:
            found.groups.add(group)
            self.stdout.write(f"{found} is now an editor.")
