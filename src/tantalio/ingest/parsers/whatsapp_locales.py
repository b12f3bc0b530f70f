"""Per-locale strings of WhatsApp .txt exports: system lines, media placeholders, file names.

Data, not logic: the parser (``whatsapp_txt.py``) compiles these tables once. Each system-line
template reads like the line it matches; ``{by}``, ``{person}`` stand for a person's label
("You", a name, a number), ``{name}`` for a quoted group name (``"…"``, ``“…”``, ``„…“``, ``«…»``),
``{old}`` for a quoted former name, ``{text}`` for free text. A trailing full stop is always
optional. Confidence follows shared/FORMATS.md §1.2: a rule with ``verified=False`` comes from
one source or from common sense and must be checked against a real device export before an
analyst relies on it (it still yields a ``system`` line, so nothing is lost if it is wrong).

``loose`` rules are mostly placeholders ("{by} added {person}") and could match what a
person typed; on iOS, where every line carries an author, the parser accepts them only when the
author is the group itself or the actor (see ``whatsapp_txt._accept_loose``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from tantalio.model.records import EventKind, MembershipEventRecord, Party, SourceRef


@dataclass(frozen=True, slots=True)
class SystemRule:
    """One system-line template. ``kind`` None means a system line that is no group event
    (missed call, disappearing-message timer...)."""

    locale: str
    kind: EventKind | None
    template: str
    verified: bool = True
    loose: bool = False


def _r(locale: str, kind: EventKind | None, template: str, verified: bool = True,
       loose: bool = False) -> SystemRule:
    return SystemRule(locale, kind, template, verified, loose)


# Words meaning "the device owner" as the one who acts (by) or the member concerned (person).
OWNER_WORDS: frozenset[str] = frozenset({
    "You", "you", "Du", "du", "dich", "Dich", "dir", "Tú", "tú", "te", "Te", "Você", "você",
    "Tu", "tu", "ti", "Ti", "Vous", "vous", "Je", "je", "jou", "Jij", "jij", "U", "u",
})

# Conjunction before the last name of a multi-person add/remove ("You added A, B and C").
LIST_JOINERS: dict[str, str] = {
    "en": " and ", "es": " y ", "pt": " e ", "de": " und ", "it": " e ", "fr": " et ", "nl": " en ",
}

SYSTEM_RULES: tuple[SystemRule, ...] = (
    # ---- English [V]: WhatsR fixtures and Languages.csv, whatstk#135/#147, chat-miner tests
    _r("en", "encrypted_notice", "Messages and calls are end-to-end encrypted.{text}"),
    _r("en", "encrypted_notice", "Messages you send to this group are now secured with end-to-end encryption.{text}"),
    _r("en", "encrypted_notice", "Messages to this group are now secured with end-to-end encryption.{text}", False),
    _r("en", "created", "{by} created group {name}"),
    _r("en", "created", "{by} created this group"),
    _r("en", "added", "{by} added {person} to a group in the community: {text}"),
    _r("en", "added", "{by} added {person}", loose=True),
    _r("en", "added", "You were added"),
    _r("en", "added", "{person} were added"),
    _r("en", "added", "{person} was added", False),
    _r("en", "removed", "{by} removed {person}", loose=True),
    _r("en", "left", "{person} left the group"),
    _r("en", "left", "{person} left", loose=True),
    _r("en", "joined_link", "{person} joined using this group's invite link"),
    _r("en", "joined_link", "{person} joined using an invite link", False),
    _r("en", "joined_community", "{person} joined from the community"),
    _r("en", "subject_changed", "{by} changed the group name from {old} to {name}"),
    _r("en", "subject_changed", "{by} changed the group name to {name}"),
    _r("en", "subject_changed", "{by} changed the subject from {old} to {name}"),
    _r("en", "subject_changed", "{by} changed the subject to {name}"),
    _r("en", "icon_changed", "{by} changed this group's icon"),
    _r("en", "icon_changed", "{by} deleted this group's icon"),
    _r("en", "icon_changed", "{by} changed the group icon", False),
    _r("en", "description_changed", "{by} changed the group description"),
    _r("en", "description_changed", "{by} deleted the group description"),
    _r("en", "admin_granted", "You're now an admin"),
    _r("en", "admin_granted", "{person} is now an admin", False),
    _r("en", "admin_revoked", "You're no longer an admin"),
    _r("en", "admin_revoked", "{person} is no longer an admin", False),
    _r("en", "security_code_changed", "Your security code with {person} changed.{text}"),
    _r("en", "number_changed", "{person} changed their phone number to a new number.{text}"),
    _r("en", "number_changed", "{person} changed to {text}", loose=True),
    _r("en", "message_deleted", "This message was deleted"),
    _r("en", "message_deleted", "You deleted this message"),
    _r("en", "message_deleted", "Message deleted"),
    _r("en", "invite_link_reset", "{by} reset this group's invite link", False),
    _r("en", "other", "{by} changed this group's settings {text}"),
    _r("en", "other", "{by} turned on admin approval to join this group{text}"),
    _r("en", None, "{by} turned on disappearing messages{text}"),
    _r("en", None, "{by} turned off disappearing messages{text}"),
    _r("en", None, "{by} updated the message timer.{text}"),
    _r("en", None, "Missed voice call{text}"),
    _r("en", None, "Missed video call{text}"),
    _r("en", None, "You blocked this contact.{text}"),
    _r("en", None, "You unblocked this contact"),
    _r("en", None, "{by} started a call"),
    _r("en", None, "{by} started a video call"),
    # ---- German [V] WhatsR fixtures; others from Languages.csv [V] or marked
    _r("de", "encrypted_notice", "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.{text}"),
    _r("de", "created", "Du hast die Gruppe {name} erstellt"),
    _r("de", "created", "Du hast diese Gruppe erstellt"),
    _r("de", "created", "{by} hat die Gruppe {name} erstellt"),
    _r("de", "created", "{by} hat diese Gruppe erstellt", False),
    _r("de", "added", "Du hast {person} hinzugefügt"),
    _r("de", "added", "{by} hat dich hinzugefügt"),
    _r("de", "added", "{by} hat {person} hinzugefügt"),
    _r("de", "added", "{person} wurden hinzugefügt"),
    _r("de", "added", "Du wurdest hinzugefügt", False),
    _r("de", "removed", "Du hast {person} entfernt"),
    _r("de", "removed", "{by} hat dich entfernt"),
    _r("de", "removed", "{by} hat {person} entfernt"),
    _r("de", "left", "Du hast die Gruppe verlassen"),
    _r("de", "left", "{person} hat die Gruppe verlassen"),
    _r("de", "joined_link", "{person} ist über den Einladungslink dieser Gruppe beigetreten", False),
    _r("de", "joined_link", "Du bist über den Einladungslink dieser Gruppe beigetreten", False),
    _r("de", "subject_changed", "Du hast den Gruppennamen von {old} zu {name} geändert"),
    _r("de", "subject_changed", "Du hast den Gruppennamen zu {name} geändert"),
    _r("de", "subject_changed", "{by} hat den Gruppennamen von {old} zu {name} geändert"),
    _r("de", "subject_changed", "{by} hat den Gruppennamen zu {name} geändert"),
    _r("de", "icon_changed", "Du hast das Gruppenbild geändert"),
    _r("de", "icon_changed", "{by} hat das Gruppenbild geändert"),
    _r("de", "icon_changed", "Du hast das Gruppenbild gelöscht"),
    _r("de", "icon_changed", "{by} hat das Gruppenbild gelöscht"),
    _r("de", "description_changed", "Du hast die Gruppenbeschreibung geändert"),
    _r("de", "description_changed", "{by} hat die Gruppenbeschreibung geändert"),
    _r("de", "admin_granted", "Du bist jetzt ein*e Admin"),
    _r("de", "admin_granted", "Du bist jetzt Admin", False),
    _r("de", "admin_revoked", "Du bist kein*e Admin mehr"),
    _r("de", "security_code_changed", "Dein Sicherheitscode für {person} hat sich geändert.{text}"),
    _r("de", "number_changed", "{person} hat eine neue Telefonnummer.{text}"),
    _r("de", "number_changed", "{person} hat zu {text} gewechselt"),
    _r("de", "message_deleted", "Diese Nachricht wurde gelöscht"),
    _r("de", "message_deleted", "Du hast diese Nachricht gelöscht"),
    _r("de", "other", "Du hast die Admin-Genehmigung für den Beitritt zu dieser Gruppe aktiviert{text}"),
    _r("de", None, "{by} hat selbstlöschende Nachrichten aktiviert{text}"),
    _r("de", None, "{by} hat selbstlöschende Nachrichten deaktiviert{text}"),
    _r("de", None, "Verpasster Sprachanruf{text}"),
    _r("de", None, "Verpasster Videoanruf{text}"),
    _r("de", None, "{by} hat einen Anruf gestartet"),
    # ---- Spanish: [C] where FORMATS.md lists it, else unverified
    _r("es", "encrypted_notice", "Los mensajes y las llamadas están cifrados de extremo a extremo.{text}", False),
    _r("es", "encrypted_notice", "Los mensajes y llamadas en este chat ahora están protegidos con cifrado de extremo a extremo.{text}"),
    _r("es", "created", "{by} creó el grupo {name}"),
    _r("es", "created", "Creaste el grupo {name}", False),
    _r("es", "added", "{by} te añadió"),
    _r("es", "added", "Añadiste a {person}", False),
    _r("es", "added", "{by} añadió a {person}"),
    _r("es", "removed", "Eliminaste a {person}", False),
    _r("es", "removed", "{by} eliminó a {person}", False),
    _r("es", "removed", "{by} te eliminó", False),
    _r("es", "left", "{person} salió del grupo", False),
    _r("es", "left", "Saliste del grupo", False),
    _r("es", "left", "{person} salió", False, loose=True),
    _r("es", "joined_link", "{person} se unió usando el enlace de invitación de este grupo"),
    _r("es", "joined_link", "Te uniste usando el enlace de invitación de este grupo", False),
    _r("es", "subject_changed", "{by} cambió el asunto de {old} a {name}", False),
    _r("es", "subject_changed", "{by} cambió el nombre del grupo de {old} a {name}", False),
    _r("es", "subject_changed", "{by} cambió el nombre del grupo a {name}", False),
    _r("es", "subject_changed", "{by} cambió el asunto a {name}", False),
    _r("es", "subject_changed", "Cambiaste el nombre del grupo de {old} a {name}", False),
    _r("es", "icon_changed", "{by} cambió el ícono de este grupo"),
    _r("es", "icon_changed", "{by} cambió el icono de este grupo", False),
    _r("es", "description_changed", "{by} cambió la descripción del grupo"),
    _r("es", "admin_granted", "Ahora eres admin. del grupo", False),
    _r("es", "admin_granted", "Ahora eres administrador del grupo", False),
    _r("es", "security_code_changed", "Cambió tu código de seguridad con {person}.{text}"),
    _r("es", "number_changed", "{person} cambió su número de teléfono a un nuevo número.{text}", False),
    _r("es", "message_deleted", "Se eliminó este mensaje"),
    _r("es", "message_deleted", "Eliminaste este mensaje"),
    _r("es", "message_deleted", "Este mensaje fue eliminado"),
    # ---- Portuguese (BR and PT): [C] where FORMATS.md lists it, else unverified
    _r("pt", "encrypted_notice", "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta.{text}", False),
    _r("pt", "encrypted_notice", "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta e "
       "ficam somente entre você e os participantes desta conversa.{text}", False),
    _r("pt", "created", "Você criou o grupo {name}", False),
    _r("pt", "created", "Criou o grupo {name}", False),  # pt-PT
    _r("pt", "created", "{by} criou o grupo {name}"),
    _r("pt", "added", "{by} adicionou você"),
    _r("pt", "added", "{by} adicionou-o", False, loose=True),  # pt-PT
    _r("pt", "added", "Adicionou {person}", False, loose=True),  # pt-PT
    _r("pt", "added", "{by} adicionou {person}"),
    _r("pt", "removed", "{by} removeu você", False),
    _r("pt", "removed", "{by} removeu {person}"),
    _r("pt", "left", "{person} saiu", loose=True),
    _r("pt", "left", "Saiu", False),  # pt-PT, the owner
    _r("pt", "joined_link", "{person} entrou usando o link de convite deste grupo"),
    _r("pt", "joined_community", "{person} entrou neste grupo através da comunidade"),
    _r("pt", "subject_changed", "{by} mudou o assunto de {old} para {name}"),
    _r("pt", "subject_changed", "{by} mudou o assunto para {name}", False),
    _r("pt", "subject_changed", "{by} mudou o nome do grupo de {old} para {name}", False),
    _r("pt", "subject_changed", "Alterou o nome do grupo de {old} para {name}", False),  # pt-PT
    _r("pt", "icon_changed", "{by} mudou o ícone deste grupo"),
    _r("pt", "icon_changed", "{by} apagou o ícone deste grupo", False),
    _r("pt", "description_changed", "{by} mudou a descrição do grupo"),
    _r("pt", "admin_granted", "Agora você é admin. do grupo", False),
    _r("pt", "admin_granted", "Você agora é admin", False),
    _r("pt", "security_code_changed", "Seu código de segurança com {person} mudou.{text}", False),
    _r("pt", "security_code_changed", "O seu código de segurança com {person} mudou.{text}", False),
    _r("pt", "number_changed", "{person} mudou seu número de telefone para um novo número.{text}", False),
    _r("pt", "message_deleted", "Esta mensagem foi apagada"),
    _r("pt", "message_deleted", "Você apagou esta mensagem"),
    _r("pt", "message_deleted", "Esta mensagem foi eliminada", False),
    # ---- Italian: only the deletion strings are [C]; the rest is unverified (no join string found)
    _r("it", "encrypted_notice", "I messaggi e le chiamate sono crittografati end-to-end.{text}", False),
    _r("it", "created", "Hai creato il gruppo {name}", False),
    _r("it", "created", "{by} ha creato il gruppo {name}", False),
    _r("it", "added", "{by} ti ha aggiunto", False),
    _r("it", "added", "Hai aggiunto {person}", False),
    _r("it", "added", "{by} ha aggiunto {person}", False),
    _r("it", "removed", "Hai rimosso {person}", False),
    _r("it", "removed", "{by} ti ha rimosso", False),
    _r("it", "removed", "{by} ha rimosso {person}", False),
    _r("it", "left", "{person} è uscito", False),
    _r("it", "left", "{person} ha abbandonato", False),
    _r("it", "joined_link", "{person} si è unito tramite il link d'invito di questo gruppo", False),
    _r("it", "subject_changed", "{by} ha cambiato l'oggetto da {old} a {name}", False),
    _r("it", "subject_changed", "{by} ha cambiato il nome del gruppo in {name}", False),
    _r("it", "icon_changed", "{by} ha cambiato l'immagine di questo gruppo", False),
    _r("it", "description_changed", "{by} ha cambiato la descrizione del gruppo", False),
    _r("it", "admin_granted", "Ora sei un amministratore", False),
    _r("it", "security_code_changed", "Il tuo codice di sicurezza con {person} è cambiato.{text}", False),
    _r("it", "message_deleted", "Questo messaggio è stato eliminato"),
    _r("it", "message_deleted", "Hai eliminato questo messaggio"),
    # ---- French: [C] for created/added/deleted; the rest unverified
    _r("fr", "encrypted_notice", "Les messages et les appels sont chiffrés de bout en bout.{text}", False),
    _r("fr", "created", "{by} a créé le groupe {name}"),
    _r("fr", "created", "Vous avez créé le groupe {name}", False),
    _r("fr", "added", "{by} vous a ajouté", False),
    _r("fr", "added", "Vous avez ajouté {person}", False),
    _r("fr", "added", "{by} a ajouté {person}", False),
    _r("fr", "added", "{person} a été ajouté"),
    _r("fr", "removed", "Vous avez retiré {person}", False),
    _r("fr", "removed", "{by} a retiré {person}", False),
    _r("fr", "left", "{person} est parti", False),
    _r("fr", "left", "{person} est partie", False),
    _r("fr", "joined_link", "{person} a rejoint le groupe via le lien d'invitation{text}", False),
    _r("fr", "subject_changed", "{by} a modifié le sujet de {old} en {name}", False),
    _r("fr", "subject_changed", "{by} a changé le nom du groupe en {name}", False),
    _r("fr", "icon_changed", "{by} a changé l'icône de ce groupe", False),
    _r("fr", "description_changed", "{by} a modifié la description du groupe", False),
    _r("fr", "admin_granted", "Vous êtes désormais admin", False),
    _r("fr", "security_code_changed", "Votre code de sécurité avec {person} a changé.{text}", False),
    _r("fr", "message_deleted", "Ce message a été supprimé"),
    _r("fr", "message_deleted", "Vous avez supprimé ce message"),
    # ---- Dutch: [C] for deletions; the rest unverified (no join string found)
    _r("nl", "encrypted_notice", "Berichten en oproepen worden end-to-end versleuteld.{text}", False),
    _r("nl", "created", "{by} heeft groep {name} aangemaakt", False),
    _r("nl", "created", "Je hebt groep {name} aangemaakt", False),
    _r("nl", "added", "{by} heeft je toegevoegd", False),
    _r("nl", "added", "Je hebt {person} toegevoegd", False),
    _r("nl", "added", "{by} heeft {person} toegevoegd", False),
    _r("nl", "removed", "Je hebt {person} verwijderd", False),
    _r("nl", "removed", "{by} heeft {person} verwijderd", False),
    _r("nl", "left", "{person} is vertrokken", False),
    _r("nl", "joined_link", "{person} neemt deel via de uitnodigingslink van deze groep", False),
    _r("nl", "subject_changed", "{by} heeft het onderwerp gewijzigd van {old} naar {name}", False),
    _r("nl", "subject_changed", "{by} heeft het onderwerp gewijzigd naar {name}", False),
    _r("nl", "icon_changed", "{by} heeft het groepspictogram gewijzigd", False),
    _r("nl", "description_changed", "{by} heeft de groepsbeschrijving gewijzigd", False),
    _r("nl", "admin_granted", "Je bent nu een beheerder", False),
    _r("nl", "security_code_changed", "Je beveiligingscode met {person} is gewijzigd.{text}", False),
    _r("nl", "message_deleted", "Dit bericht is verwijderd"),
    _r("nl", "message_deleted", "Je hebt dit bericht verwijderd"),
)

# "This message was deleted" and the like, shown as the deleted message's own text.
DELETED_TEXTS: frozenset[str] = frozenset(
    r.template.rstrip(".") for r in SYSTEM_RULES if r.kind == "message_deleted")

# Author-less text that ends like this before ": " is a system line, not "author: text".
SYSTEM_AUTHOR_SUFFIXES: tuple[str, ...] = (
    "to a group in the community",   # en [V] whatstk#135
)

# Bodies that say the media file was not exported. Exact text after invisible marks are removed.
OMITTED_PLACEHOLDERS: frozenset[str] = frozenset({
    # en [V]
    "<Media omitted>", "<Video message omitted>", "<Video note omitted>", "image omitted",
    "video omitted", "audio omitted", "sticker omitted", "GIF omitted", "document omitted",
    "Contact card omitted", "video note omitted", "video message omitted",
    # es [V/C]; iOS forms unverified
    "<Multimedia omitido>", "imagen omitida", "video omitido", "audio omitido", "sticker omitido",
    "GIF omitido", "documento omitido",
    # pt [C]; pt-PT <ficheiro não revelado> [U]; iOS forms unverified
    "<Arquivo de mídia oculto>", "<Mídia oculta>", "<ficheiro não revelado>", "imagem ocultada",
    "vídeo ocultado", "áudio ocultado", "figurinha omitida",
    # de [V]
    "<Medien ausgeschlossen>", "<Videonachricht weggelassen>", "Bild weggelassen",
    "Audio weggelassen", "Video weggelassen", "GIF weggelassen", "Sticker weggelassen",
    "Kontaktkarte weggelassen", "Videonotiz weggelassen", "Bild ausgelassen",
    # it [C]; iOS forms unverified
    "<Media omessi>", "<Media omesso>", "immagine omessa", "video omesso", "audio omesso",
    "sticker omesso", "GIF omessa",
    # fr [C]; iOS forms [U]
    "<Médias omis>", "image absente", "vidéo absente", "audio omis", "sticker omis", "document omis",
    # nl [C]; iOS forms unverified
    "<Media weggelaten>", "afbeelding weggelaten", "video weggelaten", "audio weggelaten",
    "sticker weggelaten",
})
# iOS documents: "RS.pdf • 14 pages document omitted" [V]; de [V]; others unverified.
OMITTED_DOCUMENT_SUFFIXES: tuple[str, ...] = (
    " document omitted", " Dokument weggelassen", " documento omitido", " documento omesso",
    " document omis", " document weggelaten",
)

# Android: "IMG-20180129-WA0025.jpg (file attached)", caption on the next line.
ATTACHED_SUFFIXES: tuple[str, ...] = (
    " (file attached)",        # en [V]
    " (archivo adjunto)",      # es [C]
    " (arquivo anexado)",      # pt [U]
    " (ficheiro anexado)",     # pt-PT, unverified
    " (Datei angehängt)",      # de [V]
    " (file allegato)",        # it [U]
    " (fichier joint)",        # fr [U]
    " (bestand bijgevoegd)",   # nl [C]
)
# iOS: "<attached: 00000001-PHOTO-2022-12-31-11-40-26.jpg>" en [V], de <Anhang: [V],
# es <adjunto: [V]; it <allegato: and pt <anexo: unverified; fr/nl guessed (unverified).
ATTACHED_TAGS: tuple[str, ...] = (
    "attached", "Anhang", "adjunto", "allegato", "anexo", "anexado", "pièce jointe", "bijlage",
)

# Shared locations: kind "location".
LOCATION_PREFIXES: tuple[str, ...] = (
    "location: ", "Location: ", "Standort: ", "ubicación: ", "Ubicación: ", "localização: ",
    "Localização: ", "posizione: ", "Posizione: ", "position : ", "Position : ", "locatie: ",
    "Locatie: ",
)
LIVE_LOCATION: frozenset[str] = frozenset({
    "live location shared", "Live-Standort wird geteilt.", "Ubicación en tiempo real compartida",
    "Localização em tempo real compartilhada", "Posizione attuale condivisa",
    "Position en direct partagée", "Live locatie gedeeld",
})

# Android export file names, by locale (chat-analytics FilenamePatterns); the chat name follows.
CHAT_FILE_PREFIXES: tuple[str, ...] = (
    "WhatsApp Chat with ", "WhatsApp Chat - ", "Chat de WhatsApp con ", "Conversa do WhatsApp com ",
    "WhatsApp Chat mit ", "Discussion WhatsApp avec ", "Chat WhatsApp con ",
    "WhatsApp-chat met ",  # nl, unverified
)


# ---- compiling the rules ------------------------------------------------------------------

_INVISIBLE = "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
# for matching only: marks removed, exotic spaces made plain, typographic apostrophe made straight
_NORMALISE = {**{ord(c): None for c in _INVISIBLE}, 0xA0: " ", 0x202F: " ", 0x2009: " ", 0x2019: "'"}
_PUNCT = ".,:;!?\"“”„«»'()*"
_OPEN_Q, _CLOSE_Q = "[\"“”„«‘'‹‚]", "[\"”“»’'›‘]"
_PIECES = {
    "by": r"(?P<by>.+?)",
    "person": r"(?P<person>.+?)",
    "name": rf"{_OPEN_Q}\s?(?P<name>.*?)\s?{_CLOSE_Q}",
    "old": rf"{_OPEN_Q}\s?(?P<old>.*?)\s?{_CLOSE_Q}",
    "text": r"(?P<text>.*?)",
}
_ACTOR_KINDS = {"created", "subject_changed", "icon_changed", "description_changed", "other",
                "invite_link_reset"}
_PERSON_KINDS = {"added", "removed", "left", "joined_link", "joined_invite", "joined_community",
                 "admin_granted", "admin_revoked"}


@lru_cache(maxsize=65536)  # a chat has few distinct labels; 40k-line exports repeat them
def label_party(label: str) -> Party:
    """The party a label names: the owner ("You", "Du"...), a phone number as written, or a name.
    Bidi marks around numbers are dropped; the iOS ``~ `` non-contact prefix is kept."""
    clean = label.translate(_NORMALISE).strip()
    if clean in OWNER_WORDS:
        return Party.owner()
    digits = sum(ch.isdigit() for ch in clean)
    # exotic spaces become plain ones so that "~\u202fPepe" as author and "~ Pepe" inside a
    # system line are the same label; the raw line keeps what was written
    if digits >= 6 and _PHONE.fullmatch(clean):
        return Party("phone", clean)
    return Party("display_name", clean)


_PHONE = re.compile(r"\+?[\d\s()\-\u2010\u2011.]{6,}")


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: SystemRule
    regex: re.Pattern[str]
    owner_acts: bool      # "Du hast X hinzugefügt": no {by}, the owner did it
    owner_is_person: bool  # "X hat dich hinzugefügt", "You're now an admin"


@dataclass(frozen=True, slots=True)
class SystemHit:
    """A system line recognised by one rule."""

    rule: SystemRule
    match: re.Match[str]
    owner_acts: bool
    owner_is_person: bool

    @property
    def loose(self) -> bool:
        return self.rule.loose

    def events(self, ref: SourceRef, chat_key: str, time: datetime | None, time_raw: str,
               message_key: str) -> list[MembershipEventRecord]:
        kind = self.rule.kind
        if kind is None:
            return []
        g = self.match.groupdict()
        by = label_party(g["by"]) if g.get("by") else (Party.owner() if self.owner_acts else None)
        text = (g.get("text") or "").strip()
        if kind == "number_changed" and not any(ch.isdigit() for ch in text):
            text = ""  # "… to a new number. Tap to message…" names no number
        detail = g.get("name") or (text if text and kind in ("number_changed", "other", "added") else None)
        if g.get("person"):
            persons: list[Party | None] = [label_party(s) for s in self._people(g["person"], kind)]
        elif kind == "created":
            persons = [by]
        else:
            persons = [Party.owner() if self.owner_is_person else None]
        return [MembershipEventRecord(ref, chat_key, kind, person, by, time, time_raw, detail, message_key)
                for person in persons]

    def _people(self, text: str, kind: str) -> list[str]:
        if kind not in ("added", "removed"):
            return [text]
        joiner = LIST_JOINERS.get(self.rule.locale, " and ")
        if joiner not in text:
            # WhatsApp always joins the last two names of a list ("A, B and C", "A and B"):
            # without the joiner it is one name, which may hold a comma ("Schneider, Uwe")
            return [text]
        parts = text.split(", ")
        if joiner in parts[-1]:
            parts[-1:] = parts[-1].rsplit(joiner, 1)
        return [p for p in parts if p.strip()]


class SystemClassifier:
    """Recognises system lines. Each rule is indexed by its longest literal word, so a line is
    only tried against the few rules whose keyword it contains (cheap on 40k-line exports)."""

    def __init__(self, rules: tuple[SystemRule, ...]) -> None:
        self.rules: list[_Compiled] = []
        self.index: dict[str, list[int]] = {}
        for i, rule in enumerate(rules):
            pieces = re.split(r"\{(\w+)\}", rule.template)
            regex = "".join(_PIECES[p] if j % 2 else re.escape(p) for j, p in enumerate(pieces))
            literal = " ".join(pieces[0::2])
            placeholders = set(pieces[1::2])
            # "Du hast {person} hinzugefügt", "Creaste el grupo {name}": the owner acts unseen
            owner_acts = ("by" not in placeholders and not rule.template.startswith("{")
                          and rule.kind in (_ACTOR_KINDS | {"added", "removed"})
                          and ("person" in placeholders or rule.kind in _ACTOR_KINDS))
            owner_is_person = "person" not in placeholders and rule.kind in _PERSON_KINDS
            self.rules.append(_Compiled(rule, re.compile(regex + r"\.?", re.DOTALL), owner_acts,
                                        owner_is_person))
            words = [w.strip(_PUNCT) for w in literal.split()]
            keyword = max((w for w in words if w), key=len)
            self.index.setdefault(keyword, []).append(i)

    def classify(self, text: str) -> SystemHit | None:
        rule = self.find(text)
        return None if rule is None else self.hit(rule, text)

    def find(self, text: str) -> int | None:
        """Index of the first rule that recognises ``text`` as a system line, or None. An int
        rather than a hit: a parser can hold it for every line of an export at no GC cost."""
        norm = (text if text.isascii() else text.translate(_NORMALISE)).strip()
        found: list[int] = []
        for word in norm.split():
            hits = self.index.get(word.strip(_PUNCT))
            if hits:
                found.extend(hits)
        if not found:
            return None
        for i in sorted(set(found)):
            if self.rules[i].regex.fullmatch(norm) is not None:
                return i
        return None

    def loose(self, rule: int) -> bool:
        return self.rules[rule].rule.loose

    def is_deletion(self, rule: int) -> bool:
        """Whether the rule is a deleted-message placeholder (said by a person, not the group)."""
        return self.rules[rule].rule.kind == "message_deleted"

    def hit(self, rule: int, text: str) -> SystemHit:
        """The hit of rule ``rule`` (from :meth:`find`) on ``text``."""
        c = self.rules[rule]
        m = c.regex.fullmatch((text if text.isascii() else text.translate(_NORMALISE)).strip())
        if m is None:
            raise ValueError(f"rule {rule} does not match {text!r}")
        return SystemHit(c.rule, m, c.owner_acts, c.owner_is_person)
