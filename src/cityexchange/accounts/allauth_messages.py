"""Messages of allauth's own pages whose translation cityexchange sets itself.

allauth's catalogues leave a few of them untranslated or worded unlike the rest of the
site (its Brazilian "sign in" stays English; Django's "Email" wins over allauth's
"E-mail"). cityexchange's catalogues come first (see ``compile-catalogues``), so
listing them here, with their translations in this app's catalogues, is enough.
"""

from django.utils.translation import gettext_lazy as _

MESSAGES = [
    _("Email"),
    _("Sessions"),
    _("Already have an account? Then please %(link)ssign in%(end_link)s."),
    _("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
]
