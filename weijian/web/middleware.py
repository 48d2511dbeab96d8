"""Language choice: Chinese unless the user picked another language in the footer.

Django's LocaleMiddleware would also follow the browser's Accept-Language, so an office PC
set up in English would get a half-translated interface (the documents, indicator names and
reports are Chinese whatever the language). Here only the user's explicit choice (the
language cookie written by /i18n/setlang/) counts; everyone else gets LANGUAGE_CODE."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
