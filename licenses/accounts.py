"""Accounts (django-allauth): what the site changes in allauth's behaviour."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.contrib import messages

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context_data: dict) -> None:
        """Send an account e-mail; if the mail server cannot be reached, say so instead of failing.

        The account and the request stand (a sign-up is stored, a reset can be asked for again), so an
        outage of the mail server must not turn them into a 500 that a second try repeats.
        """
        try:
            super().send_mail(template_prefix, email, context_data)
        except OSError:  # smtplib's errors and refused or timed-out connections alike
            logger.exception("Could not send the account e-mail %s", template_prefix)
            messages.error(
                context.request,
                "We could not send the e-mail just now. Please ask for it again in a few minutes.",
            )
