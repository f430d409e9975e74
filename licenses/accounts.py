"""Accounts (django-allauth): what the site changes in allauth's behaviour."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.contrib import messages

logger = logging.getLogger(__name__)
MAIL_SENT_MESSAGE = "account/messages/email_confirmation_sent.txt"


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
            context.request.account_mail_failed = True
            messages.error(
                context.request,
                "We could not send the e-mail just now. Please ask for it again in a few minutes.",
            )

    def add_message(self, request, level, message_template=None, *args, **kwargs) -> None:
        # After a failed send, allauth would still go on to say the confirmation was sent.
        if getattr(request, "account_mail_failed", False) and message_template == MAIL_SENT_MESSAGE:
            return
        super().add_message(request, level, message_template, *args, **kwargs)
