"""Words that stand before a person's name as a title and are not part of it ("Mr", "Sen.", "Former
President"): one list for the speakers stage, which strips them from mentions, and for the store, which
leaves them out of the keys by which names are matched across articles. Free of spaCy, so the store's
commands start fast."""

from __future__ import annotations

TITLES = frozenset({
    "adm", "admiral", "ambassador", "attorney", "bishop", "candidate", "capt", "captain", "chair", "chairman",
    "chairwoman", "chancellor", "col", "colonel", "commissioner", "congressman", "congresswoman", "councilman",
    "councilwoman", "dame", "defence", "defense", "deputy", "director", "dr", "father", "first", "foreign",
    "former", "gen", "general", "gov", "governor", "home", "judge", "justice", "king", "lady", "leader",
    "lord", "lt", "mayor", "minister", "miss", "mr", "mrs", "ms", "mx", "nominee", "pm", "pope", "premier",
    "president", "prime", "prince", "princess", "prof", "professor", "queen", "rep", "representative", "rev",
    "reverend", "secretary", "sen", "senator", "sgt", "sir", "speaker", "spokesman", "spokesperson",
    "spokeswoman", "state", "vice",
})


def is_title(word: str) -> bool:
    """``word`` (any case, with or without its abbreviation's period) is a title."""
    return word.lower().rstrip(".") in TITLES
