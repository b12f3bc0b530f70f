"""Per-locale strings of WhatsApp .txt exports: system lines, media placeholders, file names.

Data, not logic: the parser (``whatsapp_txt.py``) compiles these tables once. Each system-line
template reads like the line it matches; ``{actor}``, ``{subject}`` stand for a person's label
("You", a name, a number), ``{name}`` for a quoted group name (``"…"``, ``“…”``, ``„…“``, ``«…»``),
``{old}`` for a quoted former name, ``{text}`` for free text. A trailing full stop is always
optional. Confidence follows shared/FORMATS.md §1.2: a rule with ``verified=False`` comes from
one source or from common sense and must be checked against a real device export before an
analyst relies on it (it still yields a ``system`` line, so nothing is lost if it is wrong).

``loose`` rules are mostly placeholders ("{actor} added {subject}") and could match what a
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


# Words meaning "the device owner" as actor or subject of a system line.
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
    _r("en", "created", "{actor} created group {name}"),
    _r("en", "created", "{actor} created this group"),
    _r("en", "added", "{actor} added {subject} to a group in the community: {text}"),
    _r("en", "added", "{actor} added {subject}", loose=True),
    _r("en", "added", "You were added"),
    _r("en", "added", "{subject} were added"),
    _r("en", "added", "{subject} was added", False),
    _r("en", "removed", "{actor} removed {subject}", loose=True),
    _r("en", "left", "{subject} left the group"),
    _r("en", "left", "{subject} left", loose=True),
    _r("en", "joined_link", "{subject} joined using this group's invite link"),
    _r("en", "joined_link", "{subject} joined using an invite link", False),
    _r("en", "joined_community", "{subject} joined from the community"),
    _r("en", "subject_changed", "{actor} changed the group name from {old} to {name}"),
    _r("en", "subject_changed", "{actor} changed the group name to {name}"),
    _r("en", "subject_changed", "{actor} changed the subject from {old} to {name}"),
    _r("en", "subject_changed", "{actor} changed the subject to {name}"),
    _r("en", "icon_changed", "{actor} changed this group's icon"),
    _r("en", "icon_changed", "{actor} deleted this group's icon"),
    _r("en", "icon_changed", "{actor} changed the group icon", False),
    _r("en", "description_changed", "{actor} changed the group description"),
    _r("en", "description_changed", "{actor} deleted the group description"),
    _r("en", "admin_granted", "You're now an admin"),
    _r("en", "admin_granted", "{subject} is now an admin", False),
    _r("en", "admin_revoked", "You're no longer an admin"),
    _r("en", "admin_revoked", "{subject} is no longer an admin", False),
    _r("en", "security_code_changed", "Your security code with {subject} changed.{text}"),
    _r("en", "number_changed", "{subject} changed their phone number to a new number.{text}"),
    _r("en", "number_changed", "{subject} changed to {text}", loose=True),
    _r("en", "message_deleted", "This message was deleted"),
    _r("en", "message_deleted", "You deleted this message"),
    _r("en", "message_deleted", "Message deleted"),
    _r("en", "invite_link_reset", "{actor} reset this group's invite link", False),
    _r("en", "other", "{actor} changed this group's settings {text}"),
    _r("en", "other", "{actor} turned on admin approval to join this group{text}"),
    _r("en", None, "{actor} turned on disappearing messages{text}"),
    _r("en", None, "{actor} turned off disappearing messages{text}"),
    _r("en", None, "{actor} updated the message timer.{text}"),
    _r("en", None, "Missed voice call{text}"),
    _r("en", None, "Missed video call{text}"),
    _r("en", None, "You blocked this contact.{text}"),
    _r("en", None, "You unblocked this contact"),
    _r("en", None, "{actor} started a call"),
    _r("en", None, "{actor} started a video call"),
    # ---- German [V] WhatsR fixtures; others from Languages.csv [V] or marked
    _r("de", "encrypted_notice", "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.{text}"),
    _r("de", "created", "Du hast die Gruppe {name} erstellt"),
    _r("de", "created", "Du hast diese Gruppe erstellt"),
    _r("de", "created", "{actor} hat die Gruppe {name} erstellt"),
    _r("de", "created", "{actor} hat diese Gruppe erstellt", False),
    _r("de", "added", "Du hast {subject} hinzugefügt"),
    _r("de", "added", "{actor} hat dich hinzugefügt"),
    _r("de", "added", "{actor} hat {subject} hinzugefügt"),
    _r("de", "added", "{subject} wurden hinzugefügt"),
    _r("de", "added", "Du wurdest hinzugefügt", False),
    _r("de", "removed", "Du hast {subject} entfernt"),
    _r("de", "removed", "{actor} hat dich entfernt"),
    _r("de", "removed", "{actor} hat {subject} entfernt"),
    _r("de", "left", "Du hast die Gruppe verlassen"),
    _r("de", "left", "{subject} hat die Gruppe verlassen"),
    _r("de", "joined_link", "{subject} ist über den Einladungslink dieser Gruppe beigetreten", False),
    _r("de", "joined_link", "Du bist über den Einladungslink dieser Gruppe beigetreten", False),
    _r("de", "subject_changed", "Du hast den Gruppennamen von {old} zu {name} geändert"),
    _r("de", "subject_changed", "Du hast den Gruppennamen zu {name} geändert"),
    _r("de", "subject_changed", "{actor} hat den Gruppennamen von {old} zu {name} geändert"),
    _r("de", "subject_changed", "{actor} hat den Gruppennamen zu {name} geändert"),
    _r("de", "icon_changed", "Du hast das Gruppenbild geändert"),
    _r("de", "icon_changed", "{actor} hat das Gruppenbild geändert"),
    _r("de", "icon_changed", "Du hast das Gruppenbild gelöscht"),
    _r("de", "icon_changed", "{actor} hat das Gruppenbild gelöscht"),
    _r("de", "description_changed", "Du hast die Gruppenbeschreibung geändert"),
    _r("de", "description_changed", "{actor} hat die Gruppenbeschreibung geändert"),
    _r("de", "admin_granted", "Du bist jetzt ein*e Admin"),
    _r("de", "admin_granted", "Du bist jetzt Admin", False),
    _r("de", "admin_revoked", "Du bist kein*e Admin mehr"),
    _r("de", "security_code_changed", "Dein Sicherheitscode für {subject} hat sich geändert.{text}"),
    _r("de", "number_changed", "{subject} hat eine neue Telefonnummer.{text}"),
    _r("de", "number_changed", "{subject} hat zu {text} gewechselt"),
    _r("de", "message_deleted", "Diese Nachricht wurde gelöscht"),
    _r("de", "message_deleted", "Du hast diese Nachricht gelöscht"),
    _r("de", "other", "Du hast die Admin-Genehmigung für den Beitritt zu dieser Gruppe aktiviert{text}"),
    _r("de", None, "{actor} hat selbstlöschende Nachrichten aktiviert{text}"),
    _r("de", None, "{actor} hat selbstlöschende Nachrichten deaktiviert{text}"),
    _r("de", None, "Verpasster Sprachanruf{text}"),
    _r("de", None, "Verpasster Videoanruf{text}"),
    _r("de", None, "{actor} hat einen Anruf gestartet"),
    # ---- Spanish: [C] where FORMATS.md lists it, else unverified
    _r("es", "encrypted_notice", "Los mensajes y las llamadas están cifrados de extremo a extremo.{text}", False),
    _r("es", "encrypted_notice", "Los mensajes y llamadas en este chat ahora están protegidos con cifrado de extremo a extremo.{text}"),
    _r("es", "created", "{actor} creó el grupo {name}"),
    _r("es", "created", "Creaste el grupo {name}", False),
    _r("es", "added", "{actor} te añadió"),
    _r("es", "added", "Añadiste a {subject}", False),
    _r("es", "added", "{actor} añadió a {subject}"),
    _r("es", "removed", "Eliminaste a {subject}", False),
    _r("es", "removed", "{actor} eliminó a {subject}", False),
    _r("es", "removed", "{actor} te eliminó", False),
    _r("es", "left", "{subject} salió del grupo", False),
    _r("es", "left", "Saliste del grupo", False),
    _r("es", "left", "{subject} salió", False, loose=True),
    _r("es", "joined_link", "{subject} se unió usando el enlace de invitación de este grupo"),
    _r("es", "joined_link", "Te uniste usando el enlace de invitación de este grupo", False),
    _r("es", "subject_changed", "{actor} cambió el asunto de {old} a {name}", False),
    _r("es", "subject_changed", "{actor} cambió el nombre del grupo de {old} a {name}", False),
    _r("es", "subject_changed", "{actor} cambió el nombre del grupo a {name}", False),
    _r("es", "subject_changed", "{actor} cambió el asunto a {name}", False),
    _r("es", "subject_changed", "Cambiaste el nombre del grupo de {old} a {name}", False),
    _r("es", "icon_changed", "{actor} cambió el ícono de este grupo"),
    _r("es", "icon_changed", "{actor} cambió el icono de este grupo", False),
    _r("es", "description_changed", "{actor} cambió la descripción del grupo"),
    _r("es", "admin_granted", "Ahora eres admin. del grupo", False),
    _r("es", "admin_granted", "Ahora eres administrador del grupo", False),
    _r("es", "security_code_changed", "Cambió tu código de seguridad con {subject}.{text}"),
    _r("es", "number_changed", "{subject} cambió su número de teléfono a un nuevo número.{text}", False),
    _r("es", "message_deleted", "Se eliminó este mensaje"),
    _r("es", "message_deleted", "Eliminaste este mensaje"),
    _r("es", "message_deleted", "Este mensaje fue eliminado"),
    # ---- Portuguese (BR and PT): [C] where FORMATS.md lists it, else unverified
    _r("pt", "encrypted_notice", "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta.{text}", False),
    _r("pt", "encrypted_notice", "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta e "
       "ficam somente entre você e os participantes desta conversa.{text}", False),
    _r("pt", "created", "Você criou o grupo {name}", False),
    _r("pt", "created", "Criou o grupo {name}", False),  # pt-PT
    _r("pt", "created", "{actor} criou o grupo {name}"),
    _r("pt", "added", "{actor} adicionou você"),
    _r("pt", "added", "{actor} adicionou-o", False, loose=True),  # pt-PT
    _r("pt", "added", "Adicionou {subject}", False, loose=True),  # pt-PT
    _r("pt", "added", "{actor} adicionou {subject}"),
    _r("pt", "removed", "{actor} removeu você", False),
    _r("pt", "removed", "{actor} removeu {subject}"),
    _r("pt", "left", "{subject} saiu", loose=True),
    _r("pt", "left", "Saiu", False),  # pt-PT, the owner
    _r("pt", "joined_link", "{subject} entrou usando o link de convite deste grupo"),
    _r("pt", "joined_community", "{subject} entrou neste grupo através da comunidade"),
    _r("pt", "subject_changed", "{actor} mudou o assunto de {old} para {name}"),
    _r("pt", "subject_changed", "{actor} mudou o assunto para {name}", False),
    _r("pt", "subject_changed", "{actor} mudou o nome do grupo de {old} para {name}", False),
    _r("pt", "subject_changed", "Alterou o nome do grupo de {old} para {name}", False),  # pt-PT
    _r("pt", "icon_changed", "{actor} mudou o ícone deste grupo"),
    _r("pt", "icon_changed", "{actor} apagou o ícone deste grupo", False),
    _r("pt", "description_changed", "{actor} mudou a descrição do grupo"),
    _r("pt", "admin_granted", "Agora você é admin. do grupo", False),
    _r("pt", "admin_granted", "Você agora é admin", False),
    _r("pt", "security_code_changed", "Seu código de segurança com {subject} mudou.{text}", False),
    _r("pt", "security_code_changed", "O seu código de segurança com {subject} mudou.{text}", False),
    _r("pt", "number_changed", "{subject} mudou seu número de telefone para um novo número.{text}", False),
    _r("pt", "message_deleted", "Esta mensagem foi apagada"),
    _r("pt", "message_deleted", "Você apagou esta mensagem"),
    _r("pt", "message_deleted", "Esta mensagem foi eliminada", False),
    # ---- Italian: only the deletion strings are [C]; the rest is unverified (no join string found)
    _r("it", "encrypted_notice", "I messaggi e le chiamate sono crittografati end-to-end.{text}", False),
    _r("it", "created", "Hai creato il gruppo {name}", False),
    _r("it", "created", "{actor} ha creato il gruppo {name}", False),
    _r("it", "added", "{actor} ti ha aggiunto", False),
    _r("it", "added", "Hai aggiunto {subject}", False),
    _r("it", "added", "{actor} ha aggiunto {subject}", False),
    _r("it", "removed", "Hai rimosso {subject}", False),
    _r("it", "removed", "{actor} ti ha rimosso", False),
    _r("it", "removed", "{actor} ha rimosso {subject}", False),
    _r("it", "left", "{subject} è uscito", False),
    _r("it", "left", "{subject} ha abbandonato", False),
    _r("it", "joined_link", "{subject} si è unito tramite il link d'invito di questo gruppo", False),
    _r("it", "subject_changed", "{actor} ha cambiato l'oggetto da {old} a {name}", False),
    _r("it", "subject_changed", "{actor} ha cambiato il nome del gruppo in {name}", False),
    _r("it", "icon_changed", "{actor} ha cambiato l'immagine di questo gruppo", False),
    _r("it", "description_changed", "{actor} ha cambiato la descrizione del gruppo", False),
    _r("it", "admin_granted", "Ora sei un amministratore", False),
    _r("it", "security_code_changed", "Il tuo codice di sicurezza con {subject} è cambiato.{text}", False),
    _r("it", "message_deleted", "Questo messaggio è stato eliminato"),
    _r("it", "message_deleted", "Hai eliminato questo messaggio"),
    # ---- French: [C] for created/added/deleted; the rest unverified
    _r("fr", "encrypted_notice", "Les messages et les appels sont chiffrés de bout en bout.{text}", False),
    _r("fr", "created", "{actor} a créé le groupe {name}"),
    _r("fr", "created", "Vous avez créé le groupe {name}", False),
    _r("fr", "added", "{actor} vous a ajouté", False),
    _r("fr", "added", "Vous avez ajouté {subject}", False),
    _r("fr", "added", "{actor} a ajouté {subject}", False),
    _r("fr", "added", "{subject} a été ajouté"),
    _r("fr", "removed", "Vous avez retiré {subject}", False),
    _r("fr", "removed", "{actor} a retiré {subject}", False),
    _r("fr", "left", "{subject} est parti", False),
    _r("fr", "left", "{subject} est partie", False),
    _r("fr", "joined_link", "{subject} a rejoint le groupe via le lien d'invitation{text}", False),
    _r("fr", "subject_changed", "{actor} a modifié le sujet de {old} en {name}", False),
    _r("fr", "subject_changed", "{actor} a changé le nom du groupe en {name}", False),
    _r("fr", "icon_changed", "{actor} a changé l'icône de ce groupe", False),
    _r("fr", "description_changed", "{actor} a modifié la description du groupe", False),
    _r("fr", "admin_granted", "Vous êtes désormais admin", False),
    _r("fr", "security_code_changed", "Votre code de sécurité avec {subject} a changé.{text}", False),
    _r("fr", "message_deleted", "Ce message a été supprimé"),
    _r("fr", "message_deleted", "Vous avez supprimé ce message"),
    # ---- Dutch: [C] for deletions; the rest unverified (no join string found)
    _r("nl", "encrypted_notice", "Berichten en oproepen worden end-to-end versleuteld.{text}", False),
    _r("nl", "created", "{actor} heeft groep {name} aangemaakt", False),
    _r("nl", "created", "Je hebt groep {name} aangemaakt", False),
    _r("nl", "added", "{actor} heeft je toegevoegd", False),
    _r("nl", "added", "Je hebt {subject} toegevoegd", False),
    _r("nl", "added", "{actor} heeft {subject} toegevoegd", False),
    _r("nl", "removed", "Je hebt {subject} verwijderd", False),
    _r("nl", "removed", "{actor} heeft {subject} verwijderd", False),
    _r("nl", "left", "{subject} is vertrokken", False),
    _r("nl", "joined_link", "{subject} neemt deel via de uitnodigingslink van deze groep", False),
    _r("nl", "subject_changed", "{actor} heeft het onderwerp gewijzigd van {old} naar {name}", False),
    _r("nl", "subject_changed", "{actor} heeft het onderwerp gewijzigd naar {name}", False),
    _r("nl", "icon_changed", "{actor} heeft het groepspictogram gewijzigd", False),
    _r("nl", "description_changed", "{actor} heeft de groepsbeschrijving gewijzigd", False),
    _r("nl", "admin_granted", "Je bent nu een beheerder", False),
    _r("nl", "security_code_changed", "Je beveiligingscode met {subject} is gewijzigd.{text}", False),
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
    "actor": r"(?P<actor>.+?)",
    "subject": r"(?P<subject>.+?)",
    "name": rf"{_OPEN_Q}\s?(?P<name>.*?)\s?{_CLOSE_Q}",
    "old": rf"{_OPEN_Q}\s?(?P<old>.*?)\s?{_CLOSE_Q}",
    "text": r"(?P<text>.*?)",
}
_ACTOR_KINDS = {"created", "subject_changed", "icon_changed", "description_changed", "other",
                "invite_link_reset"}
_SUBJECT_KINDS = {"added", "removed", "left", "joined_link", "joined_invite", "joined_community",
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
    owner_acts: bool      # "Du hast X hinzugefügt": no {actor}, the owner did it
    owner_is_subject: bool  # "X hat dich hinzugefügt", "You're now an admin"


@dataclass(frozen=True, slots=True)
class SystemHit:
    """A system line recognised by one rule."""

    rule: SystemRule
    match: re.Match[str]
    owner_acts: bool
    owner_is_subject: bool

    @property
    def loose(self) -> bool:
        return self.rule.loose

    def events(self, ref: SourceRef, chat_key: str, time: datetime | None, time_raw: str,
               message_key: str) -> list[MembershipEventRecord]:
        kind = self.rule.kind
        if kind is None:
            return []
        g = self.match.groupdict()
        actor = label_party(g["actor"]) if g.get("actor") else (Party.owner() if self.owner_acts else None)
        text = (g.get("text") or "").strip()
        if kind == "number_changed" and not any(ch.isdigit() for ch in text):
            text = ""  # "… to a new number. Tap to message…" names no number
        detail = g.get("name") or (text if text and kind in ("number_changed", "other", "added") else None)
        if g.get("subject"):
            subjects: list[Party | None] = [label_party(s) for s in self._people(g["subject"], kind)]
        elif kind == "created":
            subjects = [actor]
        else:
            subjects = [Party.owner() if self.owner_is_subject else None]
        return [MembershipEventRecord(ref, chat_key, kind, s, actor, time, time_raw, detail, message_key)
                for s in subjects]

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
            # "Du hast {subject} hinzugefügt", "Creaste el grupo {name}": the owner acts unseen
            owner_acts = ("actor" not in placeholders and not rule.template.startswith("{")
                          and rule.kind in (_ACTOR_KINDS | {"added", "removed"})
                          and ("subject" in placeholders or rule.kind in _ACTOR_KINDS))
            owner_is_subject = "subject" not in placeholders and rule.kind in _SUBJECT_KINDS
            self.rules.append(_Compiled(rule, re.compile(regex + r"\.?", re.DOTALL), owner_acts,
                                        owner_is_subject))
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
        return SystemHit(c.rule, m, c.owner_acts, c.owner_is_subject)
