"""How django-allauth signs people in to the desk (docs/decisions/0031): nobody signs themselves up; the client's
address is the one every other limit uses. The social adapter (Sign in with Microsoft or Google) is in sso.py."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from schooldesk.accounts.mfa_allauth import FirstWayWithoutPasswordMixin
from schooldesk.core.throttling import client_address


class DeskAccountAdapter(FirstWayWithoutPasswordMixin, DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """No self sign-up: a SPOC adds people, and a first sign-in with a school's Microsoft or Google makes
        the account (the social adapter's own rule)."""
        return False

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="",
                    message=None) -> None:
        """Not allauth's "Successfully signed in as …" and "You have signed out": the desk never said them."""
        if message_template in ("account/messages/logged_in.txt", "account/messages/logged_out.txt"):
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def get_client_ip(self, request) -> str:
        return client_address(request) or "0.0.0.0"  # noqa: S104 - a key for allauth's limits, never bound


class DeskSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign in with Microsoft or Google: who may, and whose account it opens, is the desk's rule (accounts/sso.py)."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False
