"""Invented persons: names, push names, valid-but-example mobile numbers, address-book names.

Phone numbers are variations of libphonenumber's example mobile number for each region, re-checked
with `phonenumbers.is_valid_number` and the MOBILE type. Names are common given/family names
combined at random; nobody real is meant.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

COUNTRIES: tuple[str, ...] = ("ES", "AR", "MX", "CO", "PE", "DE", "IT", "PT", "BR", "CL", "BO", "EC", "UY", "VE", "CR")

TIMEZONES: dict[str, str] = {
    "ES": "Europe/Madrid", "AR": "America/Argentina/Buenos_Aires", "MX": "America/Mexico_City",
    "CO": "America/Bogota", "PE": "America/Lima", "DE": "Europe/Berlin", "IT": "Europe/Rome",
    "PT": "Europe/Lisbon", "BR": "America/Sao_Paulo", "CL": "America/Santiago", "BO": "America/La_Paz",
    "EC": "America/Guayaquil", "UY": "America/Montevideo", "VE": "America/Caracas", "CR": "America/Costa_Rica",
}

# Rough capital-city coordinates, jittered for the GPS blocks of camera originals.
CITY_COORDS: dict[str, tuple[float, float]] = {
    "ES": (40.42, -3.70), "AR": (-34.60, -58.38), "MX": (19.43, -99.13), "CO": (4.71, -74.07),
    "PE": (-12.05, -77.04), "DE": (52.52, 13.40), "IT": (41.90, 12.50), "PT": (38.72, -9.14),
    "BR": (-23.55, -46.63), "CL": (-33.45, -70.67), "BO": (-16.50, -68.15), "EC": (-2.19, -79.89),
    "UY": (-34.90, -56.16), "VE": (10.48, -66.90), "CR": (9.93, -84.08),
}
CITY_TAGS: dict[str, tuple[str, ...]] = {
    "ES": ("BCN", "MAD", "VLC", "SEV"), "AR": ("BsAs", "Rosario", "Cba"), "MX": ("CDMX", "GDL", "MTY"),
    "CO": ("Bogotá", "Medellín"), "PE": ("Lima",), "DE": ("Berlin", "HH", "München"), "IT": ("Roma", "MI"),
    "PT": ("Lx", "Porto"), "BR": ("SP", "Rio", "BH"), "CL": ("Stgo",), "BO": ("LPZ",), "EC": ("GYE", "UIO"),
    "UY": ("Mvd",), "VE": ("CCS",), "CR": ("SJ",),
}

_SPANISH_GIVEN = ("José", "Juan", "Luis", "Carlos", "Javier", "Miguel", "Andrés", "Diego", "Sergio", "Pablo",
                  "Raúl", "Fernando", "Óscar", "Rubén", "Ignacio", "Tomás", "Hugo", "Martín", "Ramiro", "Esteban")
_SPANISH_FAMILY = ("García", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz", "Moreno", "Álvarez",
                   "Romero", "Navarro", "Torres", "Domínguez", "Vargas", "Castro", "Ortega", "Rubio", "Molina")
_PORTUGUESE_GIVEN = ("João", "Pedro", "Tiago", "Rafael", "Bruno", "André", "Gustavo", "Lucas", "Rodrigo",
                     "Fábio", "Marcelo", "Vítor", "Renato", "Caio")
_PORTUGUESE_FAMILY = ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Ferreira", "Almeida",
                      "Carvalho", "Ribeiro", "Gomes", "Martins", "Rocha", "Lima")
_GERMAN_GIVEN = ("Stefan", "Thomas", "Michael", "Andreas", "Jürgen", "Markus", "Tobias", "Florian", "Jens", "Uwe")
_GERMAN_FAMILY = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Schäfer")
_ITALIAN_GIVEN = ("Marco", "Luca", "Giuseppe", "Alessandro", "Matteo", "Davide", "Stefano", "Paolo", "Enrico")
_ITALIAN_FAMILY = ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Greco")
_NICKNAMES: dict[str, str] = {"José": "Pepe", "Ignacio": "Nacho", "Francisco": "Paco", "Javier": "Javi",
                              "Fernando": "Fer", "Alessandro": "Ale", "Giuseppe": "Beppe", "Andreas": "Andi",
                              "Michael": "Micha", "Rodrigo": "Digo", "João": "Joãozinho", "Tomás": "Tomi"}


def _name_pools(country: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if country in ("PT", "BR"):
        return _PORTUGUESE_GIVEN, _PORTUGUESE_FAMILY
    if country == "DE":
        return _GERMAN_GIVEN, _GERMAN_FAMILY
    if country == "IT":
        return _ITALIAN_GIVEN, _ITALIAN_FAMILY
    return _SPANISH_GIVEN, _SPANISH_FAMILY


@dataclass
class Person:
    id: str
    country: str
    phone: str  # E.164
    given_name: str
    family_name: str
    push_name: str
    cluster: int
    roles: set[str] = field(default_factory=set)
    confounders: set[str] = field(default_factory=set)

    @property
    def digits(self) -> str:
        return self.phone.lstrip("+")

    @property
    def jid(self) -> str:
        return f"{self.digits}@s.whatsapp.net"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def international(self) -> str:
        """The number as WhatsApp prints a non-contact on Android, e.g. `+34 612 34 56 78`."""
        return phonenumbers.format_number(phonenumbers.parse(self.phone), PhoneNumberFormat.INTERNATIONAL)


class PhoneFactory:
    """Hands out distinct valid mobile numbers derived from each region's example number."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._issued: set[str] = set()

    def new(self, region: str) -> str:
        example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
        if example is None:
            raise ValueError(f"no example mobile number for {region}")
        national = str(example.national_number)
        for attempt in range(2000):
            tail_len = 3 if attempt < 200 else 4
            tail = "".join(str(self._rng.randrange(10)) for _ in range(tail_len))
            candidate = phonenumbers.PhoneNumber(
                country_code=example.country_code, national_number=int(national[:-tail_len] + tail)
            )
            if example.italian_leading_zero:
                candidate.italian_leading_zero = True
            e164 = phonenumbers.format_number(candidate, PhoneNumberFormat.E164)
            if e164 in self._issued:
                continue
            if not phonenumbers.is_valid_number(candidate):
                continue
            # MX and CL do not tell mobile from fixed numbers: their example "mobile" is FIXED_LINE_OR_MOBILE.
            if phonenumbers.number_type(candidate) not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
                continue
            self._issued.add(e164)
            return e164
        raise RuntimeError(f"ran out of example mobile numbers for {region}")


def make_person(index: int, country: str, cluster: int, rng: random.Random, phones: PhoneFactory) -> Person:
    given_pool, family_pool = _name_pools(country)
    given = rng.choice(given_pool)
    family = rng.choice(family_pool)
    style = rng.randrange(6)
    nickname = _NICKNAMES.get(given, given)
    push = (given, nickname, f"{given} {family[0]}.", f"{nickname}{rng.randrange(10, 99)}",
            nickname.upper(), f"{given} ✌")[style]
    return Person(
        id=f"P{index:03d}", country=country, phone=phones.new(country), given_name=given,
        family_name=family, push_name=push, cluster=cluster,
    )


def address_book_name(owner: Person, contact: Person, rng: random.Random) -> str:
    """How `owner` saved `contact` in their phone's address book; differs from device to device."""
    nickname = _NICKNAMES.get(contact.given_name, contact.given_name)
    tag = rng.choice(CITY_TAGS[contact.country])
    choices = (
        contact.given_name,
        contact.full_name,
        f"{nickname} {tag}",
        f"{contact.given_name} {contact.family_name[0]}",
        f"{nickname} {contact.family_name}",
        f"{contact.given_name} grupo",
        f"{contact.family_name}, {contact.given_name}",
    )
    return rng.choice(choices)
