"""Localised strings and header formats of WhatsApp chat exports, per phone locale.

Strings marked [V]/[C] in FORMATS.md are used verbatim; the rest follow the same grammar and are
listed as doubtful in the module report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

NBSP = "\u00a0"
NNBSP = "\u202f"
LRM = "\u200e"


@dataclass(frozen=True)
class Strings:
    e2e: str
    e2e_ios: str
    created_you: str  # {name}
    created: str  # {actor} {name}
    created_ios: str
    you_added: str  # {member}
    added: str  # {actor} {member}
    added_you: str  # {actor}
    joined_link_you: str
    joined_link: str  # {member}
    left_you: str
    left: str  # {member}
    you_removed: str
    removed: str
    removed_you: str
    renamed_you: str  # {old} {new}
    renamed: str  # {actor} {old} {new}
    renamed_ios: str  # {actor} {new}
    now_admin: str
    attached: str  # {file}
    omitted: str
    ios_attached: str  # {file}
    ios_omitted: str
    android_file_prefix: str


_EN = Strings(
    e2e="Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read "
        "or listen to them. Tap to learn more.",
    e2e_ios="Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can "
            "read or listen to them.",
    created_you='You created group "{name}"', created='{actor} created group "{name}"',
    created_ios="{actor} created group “{name}”",
    you_added="You added {member}", added="{actor} added {member}", added_you="{actor} added you",
    joined_link_you="You joined using this group's invite link",
    joined_link="{member} joined using this group's invite link",
    left_you="You left", left="{member} left",
    you_removed="You removed {member}", removed="{actor} removed {member}", removed_you="{actor} removed you",
    renamed_you='You changed the group name from "{old}" to "{new}"',
    renamed='{actor} changed the group name from "{old}" to "{new}"',
    renamed_ios="{actor} changed the subject to “{new}”",
    now_admin="You're now an admin",
    attached="{file} (file attached)", omitted="<Media omitted>",
    ios_attached="<attached: {file}>", ios_omitted="image omitted",
    android_file_prefix="WhatsApp Chat with ",
)
_ES = Strings(
    e2e="Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este chat, ni siquiera "
        "WhatsApp, puede leerlos ni escucharlos. Toca para obtener más información.",
    e2e_ios="Los mensajes y llamadas en este chat ahora están protegidos con cifrado de extremo a extremo.",
    created_you='Creaste el grupo "{name}"', created='{actor} creó el grupo "{name}"',
    created_ios="{actor} creó el grupo “{name}”",
    you_added="Añadiste a {member}", added="{actor} añadió a {member}", added_you="{actor} te añadió",
    joined_link_you="Te uniste usando el enlace de invitación de este grupo",
    joined_link="{member} se unió usando el enlace de invitación de este grupo",
    left_you="Saliste del grupo", left="{member} salió del grupo",
    you_removed="Eliminaste a {member}", removed="{actor} eliminó a {member}", removed_you="{actor} te eliminó",
    renamed_you='Cambiaste el nombre del grupo de "{old}" a "{new}"',
    renamed='{actor} cambió el nombre del grupo de "{old}" a "{new}"',
    renamed_ios="{actor} cambió el asunto a “{new}”",
    now_admin="Ahora eres admin. del grupo",
    attached="{file} (archivo adjunto)", omitted="<Multimedia omitido>",
    ios_attached="<adjunto: {file}>", ios_omitted="imagen omitida",
    android_file_prefix="Chat de WhatsApp con ",
)
_PT_BR = Strings(
    e2e="As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta e ficam somente entre "
        "você e os participantes desta conversa. Nem mesmo o WhatsApp pode ler ou ouvi-las. Toque para saber mais.",
    e2e_ios="As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta.",
    created_you='Você criou o grupo "{name}"', created='{actor} criou o grupo "{name}"',
    created_ios="{actor} criou o grupo “{name}”",
    you_added="Você adicionou {member}", added="{actor} adicionou {member}", added_you="{actor} adicionou você",
    joined_link_you="Você entrou usando o link de convite deste grupo",
    joined_link="{member} entrou usando o link de convite deste grupo",
    left_you="Você saiu", left="{member} saiu",
    you_removed="Você removeu {member}", removed="{actor} removeu {member}", removed_you="{actor} removeu você",
    renamed_you='Você mudou o nome do grupo de "{old}" para "{new}"',
    renamed='{actor} mudou o nome do grupo de "{old}" para "{new}"',
    renamed_ios="{actor} mudou o assunto para “{new}”",
    now_admin="Você agora é admin",
    attached="{file} (arquivo anexado)", omitted="<Arquivo de mídia oculto>",
    ios_attached="<anexado: {file}>", ios_omitted="imagem ocultada",
    android_file_prefix="Conversa do WhatsApp com ",
)
_PT_PT = Strings(
    **{**_PT_BR.__dict__,
       "created_you": 'Criou o grupo "{name}"', "you_added": "Adicionou {member}",
       "added_you": "{actor} adicionou-o", "left_you": "Saiu", "omitted": "<ficheiro não revelado>",
       "renamed_you": 'Alterou o nome do grupo de "{old}" para "{new}"'},
)
_DE = Strings(
    e2e="Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie lesen "
        "oder anhören, nicht einmal WhatsApp. Tippe, um mehr zu erfahren.",
    e2e_ios="Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie "
            "lesen oder anhören, nicht einmal WhatsApp.",
    created_you='Du hast die Gruppe "{name}" erstellt.', created="{actor} hat die Gruppe „{name}“ erstellt.",
    created_ios="{actor} hat die Gruppe „{name}“ erstellt.",
    you_added="Du hast {member} hinzugefügt.", added="{actor} hat {member} hinzugefügt.",
    added_you="{actor} hat dich hinzugefügt.",
    joined_link_you="Du bist über den Einladungslink dieser Gruppe beigetreten.",
    joined_link="{member} ist über den Einladungslink dieser Gruppe beigetreten.",
    left_you="Du hast die Gruppe verlassen.", left="{member} hat die Gruppe verlassen.",
    you_removed="Du hast {member} entfernt.", removed="{actor} hat {member} entfernt.",
    removed_you="{actor} hat dich entfernt.",
    renamed_you='Du hast den Gruppennamen von "{old}" zu "{new}" geändert.',
    renamed="{actor} hat den Gruppennamen von „{old}“ zu „{new}“ geändert.",
    renamed_ios="{actor} hat den Gruppennamen zu „{new}“ geändert.",
    now_admin="Du bist jetzt ein*e Admin.",
    attached="{file} (Datei angehängt)", omitted="<Medien ausgeschlossen>",
    ios_attached="<Anhang: {file}>", ios_omitted="Bild weggelassen",
    android_file_prefix="WhatsApp Chat mit ",
)


@dataclass(frozen=True)
class Locale:
    key: str
    strings: Strings
    android: str  # header template, see `render`
    ios: str
    am: str = "AM"
    pm: str = "PM"


LOCALES: dict[str, Locale] = {
    "es_ES": Locale("es_ES", _ES, "{dd}/{mm}/{yy}, {HH}:{MM}", "[{d}/{m}/{yy} {HH}:{MM}:{SS}]"),
    "es_MX": Locale("es_MX", _ES, "{d}/{m}/{yy}, {h}:{MM}" + NNBSP + "{ampm}",
                    "[{d}/{m}/{yy}, {h}:{MM}:{SS}" + NNBSP + "{ampm}]", "a." + NBSP + "m.", "p." + NBSP + "m."),
    "es_419": Locale("es_419", _ES, "{d}/{m}/{yy}, {h}:{MM}" + NBSP + "{ampm}",
                     "[{d}/{m}/{yy} {h}:{MM}:{SS}" + NBSP + "{ampm}]", "a." + NBSP + "m.", "p." + NBSP + "m."),
    "pt_BR": Locale("pt_BR", _PT_BR, "{dd}/{mm}/{yyyy} {HH}:{MM}", "[{dd}/{mm}/{yyyy} {HH}:{MM}:{SS}]"),
    "pt_PT": Locale("pt_PT", _PT_PT, "{dd}/{mm}/{yy}, {HH}:{MM}", "[{dd}/{mm}/{yy}, {HH}:{MM}:{SS}]"),
    "de_DE": Locale("de_DE", _DE, "{dd}.{mm}.{yy}, {HH}:{MM}", "[{dd}.{mm}.{yy}, {HH}:{MM}:{SS}]"),
    "en_US": Locale("en_US", _EN, "{m}/{d}/{yy}, {h}:{MM} {ampm}", "[{m}/{d}/{yy}, {h}:{MM}:{SS} {ampm}]"),
    "en_GB": Locale("en_GB", _EN, "{dd}/{mm}/{yyyy}, {HH}:{MM}", "[{dd}/{mm}/{yyyy} {HH}:{MM}:{SS}]"),
}

COUNTRY_LOCALE = {"ES": "es_ES", "MX": "es_MX", "BR": "pt_BR", "PT": "pt_PT", "DE": "de_DE", "IT": "en_GB"}


def locale_for(country: str) -> str:
    return COUNTRY_LOCALE.get(country, "es_419")


def render(template: str, locale: Locale, local: datetime) -> str:
    """Fill a header template with a device-local naive or aware datetime."""
    hour12 = local.hour % 12 or 12
    return template.format(
        d=local.day, dd=f"{local.day:02d}", m=local.month, mm=f"{local.month:02d}", yy=f"{local.year % 100:02d}",
        yyyy=local.year, HH=f"{local.hour:02d}", h=hour12, MM=f"{local.minute:02d}", SS=f"{local.second:02d}",
        ampm=locale.am if local.hour < 12 else locale.pm,
    )
