"""Accounts (django-allauth): what the site changes in allauth's behaviour; and the admin's log-in,
limited like allauth's."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.conf import settings
from django.contrib import admin, messages

from .throttling import check_rate

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


def admin_login(request, extra_context=None):
    """Django admin's log-in, with its password attempts limited per client like allauth's
    (OW_ADMIN_LOGINS_PER_MINUTE): past the limit, 429 with Retry-After."""
    if request.method == "POST":
        check_rate(request, "admin-login", settings.OW_ADMIN_LOGINS_PER_MINUTE)
    return admin.site.login(request, extra_context)
