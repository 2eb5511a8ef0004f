"""How official correspondence names the OAS member states in its four languages: the short name
used in documents, and the phrase that says "of" that state, with the article the language
puts before it ("do Brasil", "du Brésil", "d'Haïti", "de la Argentina"). CLDR (through Babel)
names every other territory; the directory keeps what the secretariat edits (MemberState.names,
MemberState.of_names).
"""
from __future__ import annotations

# code: {language: (name, "of" phrase)}; a language left out takes CLDR's name and the plain rule.
FORMAL: dict[str, dict[str, tuple[str, str]]] = {
    "AG": {"en": ("Antigua and Barbuda", "of Antigua and Barbuda"),
           "fr": ("Antigua-et-Barbuda", "d'Antigua-et-Barbuda"), "pt": ("Antígua e Barbuda", "de Antígua e Barbuda")},
    "AR": {"es": ("Argentina", "de la Argentina"), "fr": ("Argentine", "de l'Argentine"),
           "pt": ("Argentina", "da Argentina")},
    "BS": {"en": ("The Bahamas", "of The Bahamas"), "es": ("Bahamas", "de las Bahamas"),
           "fr": ("Bahamas", "des Bahamas"), "pt": ("Bahamas", "das Bahamas")},
    "BB": {"fr": ("Barbade", "de la Barbade")},
    "BZ": {"fr": ("Belize", "du Belize")},
    "BO": {"fr": ("Bolivie", "de la Bolivie"), "pt": ("Bolívia", "da Bolívia")},
    "BR": {"fr": ("Brésil", "du Brésil"), "pt": ("Brasil", "do Brasil")},
    "CA": {"es": ("Canadá", "del Canadá"), "fr": ("Canada", "du Canada"), "pt": ("Canadá", "do Canadá")},
    "CL": {"fr": ("Chili", "du Chili"), "pt": ("Chile", "do Chile")},
    "CO": {"fr": ("Colombie", "de la Colombie"), "pt": ("Colômbia", "da Colômbia")},
    "CR": {"fr": ("Costa Rica", "du Costa Rica"), "pt": ("Costa Rica", "da Costa Rica")},
    "DM": {"fr": ("Dominique", "de la Dominique"), "pt": ("Dominica", "da Dominica")},
    "DO": {"en": ("Dominican Republic", "of the Dominican Republic"),
           "es": ("República Dominicana", "de la República Dominicana"),
           "fr": ("République dominicaine", "de la République dominicaine"),
           "pt": ("República Dominicana", "da República Dominicana")},
    "EC": {"es": ("Ecuador", "del Ecuador"), "fr": ("Équateur", "de l'Équateur"), "pt": ("Equador", "do Equador")},
    "SV": {"fr": ("El Salvador", "d'El Salvador")},
    "GD": {"fr": ("Grenade", "de la Grenade")},
    "GT": {"fr": ("Guatemala", "du Guatemala"), "pt": ("Guatemala", "da Guatemala")},
    "GY": {"fr": ("Guyana", "du Guyana"), "pt": ("Guiana", "da Guiana")},
    "HT": {"pt": ("Haiti", "do Haiti")},
    "HN": {"fr": ("Honduras", "du Honduras")},
    "JM": {"fr": ("Jamaïque", "de la Jamaïque"), "pt": ("Jamaica", "da Jamaica")},
    "MX": {"fr": ("Mexique", "du Mexique"), "pt": ("México", "do México")},
    "NI": {"fr": ("Nicaragua", "du Nicaragua"), "pt": ("Nicarágua", "da Nicarágua")},
    "PA": {"fr": ("Panama", "du Panama"), "pt": ("Panamá", "do Panamá")},
    "PY": {"es": ("Paraguay", "del Paraguay"), "fr": ("Paraguay", "du Paraguay"), "pt": ("Paraguai", "do Paraguai")},
    "PE": {"es": ("Perú", "del Perú"), "fr": ("Pérou", "du Pérou"), "pt": ("Peru", "do Peru")},
    "KN": {"en": ("Saint Kitts and Nevis", "of Saint Kitts and Nevis"),
           "es": ("Saint Kitts y Nevis", "de Saint Kitts y Nevis"),
           "fr": ("Saint-Kitts-et-Nevis", "de Saint-Kitts-et-Nevis")},
    "LC": {"en": ("Saint Lucia", "of Saint Lucia")},
    "VC": {"en": ("Saint Vincent and the Grenadines", "of Saint Vincent and the Grenadines"),
           "fr": ("Saint-Vincent-et-les Grenadines", "de Saint-Vincent-et-les Grenadines")},
    "SR": {"fr": ("Suriname", "du Suriname"), "pt": ("Suriname", "do Suriname")},
    "TT": {"en": ("Trinidad and Tobago", "of Trinidad and Tobago"),
           "fr": ("Trinité-et-Tobago", "de la Trinité-et-Tobago")},
    "US": {"en": ("United States", "of the United States"), "es": ("Estados Unidos", "de los Estados Unidos"),
           "fr": ("États-Unis", "des États-Unis"), "pt": ("Estados Unidos", "dos Estados Unidos")},
    "UY": {"es": ("Uruguay", "del Uruguay"), "fr": ("Uruguay", "de l'Uruguay"), "pt": ("Uruguai", "do Uruguai")},
    "VE": {"fr": ("Venezuela", "du Venezuela"), "pt": ("Venezuela", "da Venezuela")},
}

_OF = {"en": "of", "es": "de", "pt": "de"}
_FRENCH_ELISION = tuple("aeiouyhâàéèêëîïôöûüAEIOUYHÂÀÉÈÊËÎÏÔÖÛÜ")


def of_phrase(name: str, language: str) -> str:
    """"Of <name>" by the plain rule, for a name the directory has no phrase for."""
    if language == "fr":
        return f"d'{name}" if name.startswith(_FRENCH_ELISION) else f"de {name}"
    return f"{_OF.get(language, 'of')} {name}"
