"""German and English UI texts. Keys are the English wording; German is looked up here.

Codes from the bot (intents, slots, channels, office types, audit actions, languages,
roles, directory fields) are looked up as ``<kind>:<code>`` (``intent:find_office``) and
get a readable name in both languages; an unknown code is shown as it is. Validation
messages ``"<field>: <what to fix>"`` (bot.console.forms, bot.console.auth) are translated
part by part, and ``"; "``-joined lists item by item.
"""

from __future__ import annotations

from collections.abc import Callable

UI_LANGUAGES = ("de", "en")

DE: dict[str, str] = {
    "Staff console": "Mitarbeiter-Konsole",
    "Skip to content": "Zum Inhalt springen",
    "Conversations": "Gespräche",
    "Misunderstood": "Nicht verstanden",
    "Analytics": "Auswertung",
    "Directory": "Verzeichnis",
    "Users": "Konten",
    "Audit log": "Protokoll",
    "Log out": "Abmelden",
    "Log in": "Anmelden",
    "Username": "Benutzername",
    "Password": "Passwort",
    "Wrong username or password.": "Benutzername oder Passwort falsch.",
    "Too many failed attempts. The account is locked for a while.": "Zu viele Fehlversuche. Das Konto ist vorübergehend gesperrt.",
    "Too many attempts from your address. Please wait a few minutes.": "Zu viele Versuche von Ihrer Adresse. Bitte warten Sie einige Minuten.",
    "Your session expired. Please log in again.": "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.",
    "From": "Von",
    "To": "Bis",
    "Language": "Sprache",
    "Channel": "Kanal",
    "City": "Stadt",
    "Intent": "Intent",
    "Had a fallback": "Mit Fallback",
    "Lowest confidence below": "Niedrigste Konfidenz unter",
    "Asked for a human": "Wollte einen Menschen sprechen",
    "Tag": "Markierung",
    "Search in messages": "In Nachrichten suchen",
    "Sort by": "Sortieren nach",
    "Filter": "Filtern",
    "Reset": "Zurücksetzen",
    "any": "alle",
    "yes": "ja",
    "no": "nein",
    "conversations": "Gespräche",
    "Started": "Beginn",
    "Last message": "Letzte Nachricht",
    "Messages": "Nachrichten",
    "Lowest confidence": "Niedrigste Konfidenz",
    "Tags": "Markierungen",
    "Page": "Seite",
    "of": "von",
    "Previous": "Zurück",
    "Next": "Weiter",
    "No conversations match these filters.": "Keine Gespräche passen zu diesen Filtern.",
    "This page is past the last page.": "Diese Seite liegt hinter der letzten Seite.",
    "Please correct the filters:": "Bitte korrigieren Sie die Filter:",
    "Conversation": "Gespräch",
    "User": "Nutzer:in",
    "Bot": "Bot",
    "New session": "Neue Sitzung",
    "Slot set": "Slot gesetzt",
    "confidence": "Konfidenz",
    "response": "Antwort",
    "action": "Aktion",
    "Slots that mattered": "Wichtige Slots",
    "Add tag": "Markieren",
    "Remove": "Entfernen",
    "Notes": "Notizen",
    "Add note": "Notiz hinzufügen",
    "Save": "Speichern",
    "Delete conversation": "Gespräch löschen",
    "Delete this conversation and everything about it? This cannot be undone.": "Dieses Gespräch und alle Angaben dazu löschen? Das kann nicht rückgängig gemacht werden.",
    "The conversation was deleted.": "Das Gespräch wurde gelöscht.",
    "wrong_answer": "falsche Antwort",
    "missing_information": "fehlende Information",
    "outdated_contact": "veralteter Kontakt",
    "praise": "Lob",
    "Open": "Offen",
    "Assigned": "Zugeordnet",
    "All": "Alle",
    "Status": "Status",
    "Text": "Text",
    "Guess": "Vermutung",
    "Assign intent": "Intent zuordnen",
    "Assign": "Zuordnen",
    "Export NLU YAML": "NLU-YAML exportieren",
    "open per language": "offen je Sprache",
    "Conversations per day by language": "Gespräche pro Tag nach Sprache",
    "Messages per day by language": "Nachrichten pro Tag nach Sprache",
    "Conversations per day by channel": "Gespräche pro Tag nach Kanal",
    "Top intents": "Häufigste Intents",
    "Fallback rate over time": "Fallback-Quote im Zeitverlauf",
    "Top cities": "Häufigste Städte",
    "Unanswered questions per city and language": "Unbeantwortete Fragen nach Stadt und Sprache",
    "Download CSV": "CSV herunterladen",
    "Show": "Anzeigen",
    "Coverage per city and office type": "Abdeckung nach Stadt und Amtstyp",
    "Records lacking fields or older than a year": "Einträge mit Lücken oder älter als ein Jahr",
    "Shown most often": "Am häufigsten angezeigt",
    "times shown": "mal angezeigt",
    "Create account": "Konto anlegen",
    "Role": "Rolle",
    "Active": "Aktiv",
    "Locked until": "Gesperrt bis",
    "Last login": "Letzte Anmeldung",
    "Disable": "Deaktivieren",
    "Enable": "Aktivieren",
    "Unlock": "Entsperren",
    "Time": "Zeit",
    "Who": "Wer",
    "What": "Was",
    "Target": "Ziel",
    "Detail": "Details",
    "Not found": "Nicht gefunden",
    "Forbidden": "Kein Zugriff",
    "Bad request": "Ungültige Anfrage",
    "The database is not reachable right now. Please try again in a minute.": "Die Datenbank ist gerade nicht erreichbar. Bitte versuchen Sie es in einer Minute erneut.",
    "Something went wrong. The error was logged.": "Etwas ist schiefgelaufen. Der Fehler wurde protokolliert.",
    "This page needs the admin role.": "Diese Seite erfordert die Rolle Admin.",
    "The form expired or was not sent from this console. Please reload the page and try again.": "Das Formular ist abgelaufen oder kam nicht aus dieser Konsole. Bitte laden Sie die Seite neu.",
    "Back to the conversations": "Zurück zu den Gesprächen",
    "No such conversation (it may have been deleted).": "Dieses Gespräch gibt es nicht (mehr).",
    "Nothing to export yet for this language.": "Für diese Sprache gibt es noch nichts zu exportieren.",
    # Validation messages (bot.console.forms, bot.console.auth): "<field>: <this part>".
    "one of": "eins von:",
    "a date like 2026-01-31": "ein Datum wie 2026-01-31",
    "must not be before from": "darf nicht vor „Von“ liegen",
    "not a valid value": "kein gültiger Wert",
    "yes or no": "ja oder nein",
    "a number from 0 to 1, e.g. 0.5": "eine Zahl von 0 bis 1, z. B. 0.5",
    "at most 200 characters": "höchstens 200 Zeichen",
    "asc or desc": "aufsteigend (asc) oder absteigend (desc)",
    "a whole number from 1 to 1000000": "eine ganze Zahl von 1 bis 1000000",
    "from before to, at most ten years": "„Von“ vor „Bis“, höchstens zehn Jahre",
    "1-64 letters, digits, '.', '-' or '_'": "1–64 Buchstaben, Ziffern, „.“, „-“ oder „_“",
    "at least 10 characters": "mindestens 10 Zeichen",
    "this name is taken": "dieser Name ist schon vergeben",
    "no such account": "dieses Konto gibt es nicht",
    "unknown role": "unbekannte Rolle",
    "wrong": "falsch",
    "You cannot disable or demote yourself.": "Sie können sich nicht selbst deaktivieren oder herabstufen.",
    "The passwords differ.": "Die Passwörter stimmen nicht überein.",
    "The new passwords differ.": "Die neuen Passwörter stimmen nicht überein.",
    # Misunderstood page.
    "open per reason": "offen je Grund",
    "Why": "Grund",
    "The file holds the assigned examples, and every message not reviewed yet as a comment with the model's guess.": "Die Datei enthält die zugeordneten Beispiele und jede noch nicht geprüfte Nachricht als Kommentar mit der Vermutung des Modells.",
    # Directory page.
    "Office type": "Amtstyp",
    "Gap": "Lücke",
    "Gaps": "Lücken",
    "Legend": "Legende",
    "no record": "kein Eintrag",
    "Record": "Eintrag",
    "Last verified": "Zuletzt geprüft",
    "Source": "Quelle",
    "nationwide": "bundesweit",
    "never": "nie",
    # Account page.
    "Change password": "Passwort ändern",
    "Current password": "Aktuelles Passwort",
    "New password": "Neues Passwort",
    "Repeat the new password": "Neues Passwort wiederholen",
    "Password changed. Your other sessions were ended.": "Passwort geändert. Ihre anderen Sitzungen wurden beendet.",
    # Transcript and list.
    "Pressed the button": "Hat die Schaltfläche gewählt",
    "Opened the chat (automatic greeting, not typed)": "Hat den Chat geöffnet (automatische Begrüßung, nicht getippt)",
    "(buttons only)": "(nur Schaltflächen)",
    "fallback": "Fallback",
    "human": "Mensch gewünscht",
    "reviewer": "Prüfer:in",
    "admin": "Admin",
}


#: Readable names of the bot's codes: (English, German) per ``<kind>:<code>``.
CODES: dict[str, tuple[str, str]] = {
    # Intents (domain/*.yml) and what the NLU pipeline adds.
    "intent:greet": ("Greeting", "Begrüßung"),
    "intent:goodbye": ("Goodbye", "Verabschiedung"),
    "intent:thank": ("Thanks", "Dank"),
    "intent:affirm": ("Yes / agrees", "Ja / Zustimmung"),
    "intent:deny": ("No / disagrees", "Nein / Ablehnung"),
    "intent:bot_challenge": ("Asks if it is a bot", "Fragt, ob es ein Bot ist"),
    "intent:help": ("Asks for help", "Bittet um Hilfe"),
    "intent:out_of_scope": ("Out of scope", "Anderes Thema"),
    "intent:choose_language": ("Chooses a language", "Wählt eine Sprache"),
    "intent:request_human": ("Asks for a person", "Möchte einen Menschen sprechen"),
    "intent:find_office": ("Looks for an office", "Sucht ein Amt"),
    "intent:ask_language_course": ("Language course", "Sprachkurs"),
    "intent:ask_apprenticeship": ("Apprenticeship", "Ausbildung"),
    "intent:ask_recognition": ("Recognition of qualifications", "Anerkennung von Abschlüssen"),
    "intent:ask_work_permit": ("Work permit", "Arbeitserlaubnis"),
    "intent:ask_job_search": ("Job search", "Arbeitssuche"),
    "intent:inform": ("Gives details (city, office …)", "Macht Angaben (Stadt, Amt …)"),
    "intent:unsupported_language": ("Language not supported", "Nicht unterstützte Sprache"),
    "intent:ask_responsibility": ("Which office is responsible?", "Welches Amt ist zuständig?"),
    "intent:stop": ("Stops the questions", "Bricht die Fragen ab"),
    "intent:delete_my_data": ("Delete my data", "Meine Daten löschen"),
    "intent:nlu_fallback": ("Not understood", "Nicht verstanden"),
    "intent:": ("(no intent)", "(kein Intent)"),
    # Slots (domain/*.yml).
    "slot:language": ("Language", "Sprache"),
    "slot:language_source": ("Language taken from", "Sprache erkannt aus"),
    "slot:city": ("City", "Stadt"),
    "slot:personal_data_noticed": ("Told about personal data", "Hinweis zu pers. Daten gegeben"),
    "slot:postal_code": ("Postcode", "Postleitzahl"),
    "slot:office_type": ("Office type", "Amtstyp"),
    "slot:guidance_city": ("City (guidance)", "Stadt (Wegweiser-Fragen)"),
    "slot:goal": ("Goal", "Ziel"),
    "slot:age_group": ("Age group", "Altersgruppe"),
    "slot:situation": ("Situation", "Lebenslage"),
    "slot:receives_buergergeld": ("Receives Bürgergeld", "Bezieht Bürgergeld"),
    "slot:data_deletion": ("Data deletion", "Datenlöschung"),
    "slot:topic_disclaimer_shown": ("Note on topics shown", "Themenhinweis gezeigt"),
    "slot:requested_slot": ("Question being asked", "Gerade gestellte Frage"),
    # Channels (bot/channels: each connector's name()).
    "channel:rest": ("Web (REST API)", "Web (REST-Schnittstelle)"),
    "channel:socketio": ("Web chat widget", "Web-Chat-Widget"),
    "channel:telegram": ("Telegram", "Telegram"),
    "channel:facebook": ("Facebook Messenger", "Facebook Messenger"),
    "channel:whatsapp": ("WhatsApp (Cloud API)", "WhatsApp (Cloud-API)"),
    "channel:twilio": ("WhatsApp (Twilio)", "WhatsApp (Twilio)"),
    "channel:cmdline": ("Command line", "Kommandozeile"),
    "channel:health": ("Health probe (no conversations)", "Zustandsprüfung (keine Gespräche)"),
    "channel:metrics": ("Metrics (no conversations)", "Messwerte (keine Gespräche)"),
    # Office types (bot/offices/validation.py).
    "office:jobcenter": ("Jobcenter", "Jobcenter"),
    "office:employment_agency": ("Employment agency", "Agentur für Arbeit"),
    "office:integration_point": ("Integration Point", "Integration Point"),
    "office:integration_center": (
        "Municipal integration centre",
        "Kommunales Integrationszentrum",
    ),
    "office:immigration_office": ("Immigration office", "Ausländerbehörde"),
    "office:youth_employment_agency": ("Youth employment agency", "Jugendberufsagentur"),
    "office:migration_counselling": (
        "Migration counselling (adults)",
        "Migrationsberatung für Erwachsene",
    ),
    "office:youth_migration_service": ("Youth migration service", "Jugendmigrationsdienst"),
    "office:recognition_counselling": ("Recognition counselling", "Anerkennungsberatung"),
    "office:local_specialty": ("Other local service", "Weiteres lokales Angebot"),
    "office:national_hotline": ("Nationwide hotline", "Bundesweite Hotline"),
    "office:national_portal": ("Nationwide portal", "Bundesweites Portal"),
    "office:national_finder": ("Nationwide office finder", "Bundesweite Stellensuche"),
    # Directory fields (bot/offices/coverage.py gaps).
    "field:phone": ("phone", "Telefon"),
    "field:email": ("e-mail", "E-Mail"),
    "field:website": ("website", "Website"),
    "field:opening hours": ("opening hours", "Öffnungszeiten"),
    # Audit actions (auth.audit calls in views, CLI).
    "audit:login": ("logged in", "angemeldet"),
    "audit:login-failed": ("login failed", "Anmeldung fehlgeschlagen"),
    "audit:login-throttled": (
        "login blocked (too many attempts)",
        "Anmeldung gesperrt (zu viele Versuche)",
    ),
    "audit:logout": ("logged out", "abgemeldet"),
    "audit:password": ("changed own password", "eigenes Passwort geändert"),
    "audit:password-failed": ("password change failed", "Passwortänderung fehlgeschlagen"),
    "audit:view": ("opened conversation", "Gespräch geöffnet"),
    "audit:search": ("searched messages", "Nachrichten durchsucht"),
    "audit:tag": ("tagged", "markiert"),
    "audit:untag": ("removed tag", "Markierung entfernt"),
    "audit:note": ("wrote note", "Notiz geschrieben"),
    "audit:assign": ("assigned intent", "Intent zugeordnet"),
    "audit:delete": ("deleted conversation", "Gespräch gelöscht"),
    "audit:export": ("exported", "exportiert"),
    "audit:user-create": ("created account", "Konto angelegt"),
    "audit:user-disable": ("disabled account", "Konto deaktiviert"),
    "audit:user-enable": ("enabled account", "Konto aktiviert"),
    "audit:user-unlock": ("unlocked account", "Konto entsperrt"),
    "audit:user-role": ("changed role", "Rolle geändert"),
    "audit:user-password": ("set password", "Passwort gesetzt"),
    # Languages of the bot (bot/languages.py).
    "lang:de": ("German", "Deutsch"),
    "lang:en": ("English", "Englisch"),
    "lang:ar": ("Arabic", "Arabisch"),
    "lang:tr": ("Turkish", "Türkisch"),
    "lang:uk": ("Ukrainian", "Ukrainisch"),
    "lang:ru": ("Russian", "Russisch"),
    "lang:fa": ("Persian/Dari", "Persisch/Dari"),
    "lang:fr": ("French", "Französisch"),
    # Directory gaps (bot.console.directory_health.GAP_KINDS).
    "gap:phone": ("no phone number", "keine Telefonnummer"),
    "gap:email": ("no e-mail", "keine E-Mail"),
    "gap:website": ("no website", "keine Website"),
    "gap:opening hours": ("no opening hours", "keine Öffnungszeiten"),
    "gap:old": ("not verified for over a year", "seit über einem Jahr nicht geprüft"),
    # Why a message is listed as misunderstood (bot.console.summary.REASONS).
    "reason:fallback": ("not understood (fallback)", "nicht verstanden (Fallback)"),
    "reason:low_confidence": ("unsure (low confidence)", "unsicher (niedrige Konfidenz)"),
    "reason:form_answer": ("form answer not understood", "Formularantwort nicht verstanden"),
    "reason:other_language": (
        "reply in another language than the message",
        "Antwort in anderer Sprache als die Nachricht",
    ),
    "reason:unsupported_language": ("language not supported", "Sprache nicht unterstützt"),
    # Roles and form fields.
    "role:reviewer": ("reviewer", "Prüfer:in"),
    "role:admin": ("admin", "Admin"),
    "field:from": ("From", "Von"),
    "field:to": ("To", "Bis"),
    "field:language": ("Language", "Sprache"),
    "field:channel": ("Channel", "Kanal"),
    "field:city": ("City", "Stadt"),
    "field:intent": ("Intent", "Intent"),
    "field:fallback": ("Had a fallback", "Mit Fallback"),
    "field:below": ("Lowest confidence below", "Niedrigste Konfidenz unter"),
    "field:tag": ("Tag", "Markierung"),
    "field:q": ("Search", "Suche"),
    "field:sort": ("Sort by", "Sortieren nach"),
    "field:dir": ("Order", "Reihenfolge"),
    "field:page": ("Page", "Seite"),
    "field:username": ("Username", "Benutzername"),
    "field:password": ("Password", "Passwort"),
    "field:role": ("Role", "Rolle"),
    "field:current password": ("Current password", "Aktuelles Passwort"),
}

#: English wording where the key is a code (tags).
EN: dict[str, str] = {
    "wrong_answer": "wrong answer",
    "missing_information": "missing information",
    "outdated_contact": "outdated contact",
    "praise": "praise",
    **{key: names[0] for key, names in CODES.items()},
}
DE.update({key: names[1] for key, names in CODES.items()})


def _lookup(table: dict[str, str], text: str) -> str:
    if text in table:
        return table[text]
    if "; " in text:
        return "; ".join(_lookup(table, part) for part in text.split("; "))
    if ": " in text:
        field, rest = text.split(": ", 1)
        name = table.get("field:" + field)
        if name is not None:
            if rest.startswith("one of ") and "one of" in table:
                return f"{name}: {table['one of']} {rest[len('one of ') :]}"
            return f"{name}: {table.get(rest, rest)}"
    kind, sep, code = text.partition(":")
    if sep and kind in KINDS:
        return code or text  # an unknown code is shown as it is
    return text


#: The ``<kind>:`` prefixes of :data:`CODES`.
KINDS = frozenset(key.split(":", 1)[0] for key in CODES)


def translator(lang: str) -> Callable[[str], str]:
    """A ``t(text)`` function for the UI language."""
    table = DE if lang == "de" else EN
    return lambda text: _lookup(table, str(text))
