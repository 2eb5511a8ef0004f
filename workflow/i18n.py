"""Translation hooks the domain uses for its messages (Flask-Babel is bound in create_app).

Flask-Babel's lazy strings declare themselves safe HTML, so a message that interpolates user text
would reach the page unescaped. Ours escape what they render.
"""
from flask_babel import LazyString, force_locale, gettext, ngettext
from markupsafe import escape

__all__ = ["N_", "colon", "gettext", "lazy_gettext", "lazy_ngettext", "ngettext"]


def N_(string: str) -> str:
    """Mark a text for the catalogues without translating it here (it is translated when used)."""
    return string


class EscapedLazyString(LazyString):
    def __html__(self) -> str:
        return str(escape(str(self)))

    @property
    def message(self) -> tuple:
        """What is to be translated (the message and its variables), without translating it."""
        return (self._func.__name__, self._args, tuple(self._kwargs.items()))


def lazy_gettext(string: str, **variables) -> EscapedLazyString:
    return EscapedLazyString(gettext, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables) -> EscapedLazyString:
    """A message with real plural forms, translated when shown (`%(num)d` is the number)."""
    return EscapedLazyString(ngettext, singular, plural, num, **variables)


def colon(label, language: str | None = None) -> str:
    """A label and its colon as the language writes them, the one way pages, mail and documents
    put "Label: value": "Deadline:", "Plazo:", "Échéance :" (French keeps a non-breaking space
    before it, so a narrow screen never starts a line with the colon)."""
    if language is None:
        return gettext("%(label)s:", label=label)
    with force_locale(language):
        return gettext("%(label)s:", label=label)
