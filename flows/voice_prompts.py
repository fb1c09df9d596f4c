"""What a call says around a flow's prompts (the keys to press), in French and English, and which prompts can be recorded.

A flow records these under its top-level `audio:` by name (`voice_keys: {wo: recordings/wo/keys.mp3}`),
next to `intro`, `end`, `declined` and the engine's messages (`skipped`, `resumed`...).
"""

from __future__ import annotations

# Twilio's <Say> voices by the flow's language code (Twilio's `language` attribute is BCP-47).
SAY_LANGUAGES = {"fr": "fr-FR", "en": "en-US", "es": "es-ES", "pt": "pt-BR"}

WORDS = {
    "press": {"fr": "Pour {label}, tapez {key}.", "en": "For {label}, press {key}."},
    # A language question names each language in that language: "Français, tapez 1. English, press 2."
    "press_language": {"fr": "{label}, tapez {key}.", "en": "{label}, press {key}."},
    "number": {"fr": "Tapez le nombre, puis dièse.", "en": "Type the number, then the hash key."},
    "multi": {"fr": "Tapez le chiffre de chaque réponse qui vous concerne, puis dièse.",
              "en": "Press the key of every answer that applies to you, then the hash key."},
    "keys": {"fr": "À tout moment, tapez 9 pour ne plus jamais être appelé, 0 pour l'aide, étoile pour répéter.",
             "en": "At any time, press 9 never to be called again, 0 for help, star to hear a question again."},
    "help_one_key": {"fr": "Tapez le chiffre de votre réponse.", "en": "Press the key of your answer."},
    "help_number": {"fr": "Tapez le nombre, puis dièse. Étoile 9 pour ne plus être appelé.",
                    "en": "Type the number, then the hash key. Star 9 never to be called again."},
    "help_multi": {"fr": "Tapez les chiffres de vos réponses, puis dièse.",
                   "en": "Press the keys of your answers, then the hash key."},
    "opted_out": {"fr": "C'est noté : nous ne vous appellerons plus et ne vous écrirons plus. Au revoir.",
                  "en": "Noted: we will not call or message you again. Goodbye."},
    "already_out": {"fr": "Vous avez demandé à ne plus être contacté. Envoyez START par SMS pour revenir. Au revoir.",
                    "en": "You asked not to be contacted. Text START to come back. Goodbye."},
    "goodbye": {"fr": "Merci, au revoir.", "en": "Thank you, goodbye."},
    "silent": {"fr": "Nous n'entendons aucune touche. Rappelez quand vous voulez : nous reprendrons ici. Au revoir.",
               "en": "We hear no keys. Call again any time: we will pick up here. Goodbye."},
    # Said instead of the engine's re-prompt in a voice-only language (the engine's words are text).
    "not_understood": {"fr": "Réponse non comprise, essayez encore.", "en": "Sorry, that answer was not understood; try again."},
    # A free-text question a flow lets calls record (`voice_record: true`): consent first, then <Record>.
    "record_consent": {"fr": "Vous pouvez répondre à cette question de vive voix. Votre réponse sera enregistrée, et seuls "
                             "les agents qui mènent cette consultation l'écouteront. Pour accepter d'être enregistré, tapez 1. "
                             "Pour passer la question, tapez 2.",
                       "en": "You may answer this question in your own words. Your answer will be recorded, and only the "
                             "officials running this consultation will listen to it. To agree to be recorded, press 1. "
                             "To skip the question, press 2."},
    "record_now": {"fr": "Parlez après le bip, une minute au plus, puis tapez dièse.",
                   "en": "Speak after the beep, for a minute at most, then press the hash key."},
    "recorded": {"fr": "Merci, votre réponse est enregistrée.", "en": "Thank you, your answer is recorded."},
    "unavailable": {"fr": "Service indisponible, rappelez plus tard.", "en": "Service unavailable, please call again later."},
}


def words(name: str, language: str, **values: str) -> str:
    """The channel's sentence in a language (English when the flow's language has none)."""
    table = WORDS[name]
    return table.get(language, table["en"]).format(**values)


# Each sentence above as the flow's `audio:` names it: voice_keys, voice_number...
RECORDABLE = tuple(f"voice_{name}" for name in WORDS if name not in ("press", "press_language"))
# What a voice-only language must have recorded for a call to be understood at all; the rest falls back to <Say>.
REQUIRED = ("voice_keys", "voice_number", "voice_multi", "voice_not_understood", "voice_opted_out")
