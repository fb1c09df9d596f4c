"""Recordings in flow files: the YAML's shape, each file found and playable, each voice-language prompt recorded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.audio import audio_format, audio_problems, checklist
from flows.loader import check_flow_text, load_flow

VOICE = Path(__file__).resolve().parents[1] / "data" / "voice"
FLOW = VOICE / "voice_languages.yaml"


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the voice test flow and its recordings, to break."""
    shutil.copytree(VOICE, tmp_path / "voice")
    return tmp_path / "voice"


def errors(flow_path: Path) -> list[str]:
    return [str(p) for p in audio_problems(load_flow(flow_path), flow_path.parent) if p.level == "error"]


def test_the_voice_test_flow_has_every_recording_it_needs():
    assert errors(FLOW) == []


def test_a_missing_recording_is_a_named_error(folder):
    (folder / "recordings" / "wo" / "district-sud.wav").unlink()
    assert errors(folder / FLOW.name) == [
        "questions[1].choices[1].audio.wo: recording 'recordings/wo/district-sud.wav' not found (paths are relative to the flow file)"]


def test_a_file_that_is_not_wav_or_mp3_is_refused_by_its_bytes_not_its_name(folder):
    (folder / "recordings" / "wo" / "age.wav").write_bytes(b"OggS\x00\x02" + b"\x00" * 40)
    assert errors(folder / FLOW.name) == ["questions[2].audio.wo: recording 'recordings/wo/age.wav' is neither WAV nor MP3 (its first bytes say so)"]


def test_each_prompt_of_a_voice_language_without_a_recording_is_reported(folder):
    path = folder / FLOW.name
    path.write_text(path.read_text().replace("    audio: {wo: recordings/wo/age.wav}\n", ""))
    text = path.read_text().replace("  voice_opted_out: {wo: recordings/wo/voice_opted_out.wav}\n", "")
    path.write_text(text)
    assert errors(path) == ["questions[2].audio: voice language 'wo' has no recording of age",
                            "audio.voice_opted_out: voice language 'wo' has no recording of voice_opted_out"]
    warnings = [str(p) for p in audio_problems(load_flow(path), folder) if p.level == "warning"]
    assert "audio.resumed: voice language 'wo' has no recording of resumed" in warnings


def test_audio_format_reads_the_first_bytes():
    assert audio_format((VOICE / "recordings" / "wo" / "end.wav").read_bytes()[:12]) == "wav"
    assert audio_format(b"ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00") == "mp3"
    assert audio_format(b"\xff\xfb\x90\x64" + b"\x00" * 8) == "mp3"  # an MPEG-1 Layer III frame, no tag
    assert audio_format(b"<html><body>") is None


@pytest.mark.parametrize("audio, message", [
    ("{wo: recordings/wo/a.ogg}", "questions[0].audio.wo: 'recordings/wo/a.ogg' is not a .wav or .mp3 file (Twilio's <Play> plays those)"),
    ("{wo: ../../etc/a.wav}", "questions[0].audio.wo: '../../etc/a.wav' must stay inside the flow's folder (no absolute path, no '..')"),
    ("{xx: recordings/xx/a.wav}", "questions[0].audio.xx: language 'xx' is not in languages or voice_languages"),
    ("recordings/a.wav", "questions[0].audio: must map a language to a recording, e.g. {wo: recordings/wo/district.mp3}"),
])
def test_the_audio_key_is_checked_when_the_flow_loads(audio, message):
    text = f"""
id: t
title: T
languages: [fr]
voice_languages: [wo]
end: Merci
questions:
  - id: q
    type: yes_no
    prompt: Oui ?
    audio: {audio}
"""
    flow, problems = check_flow_text(text)
    assert flow is None and [str(p) for p in problems] == [message]


def test_a_voice_language_has_no_text_and_reads_the_first_language_in_the_engine():
    flow = load_flow(FLOW)
    assert flow.languages == ("fr", "en") and flow.voice_languages == ("wo",)
    assert flow.question("district").prompt["wo"] == flow.question("district").prompt["fr"]
    assert [c.code for c in flow.question("lang").choices] == ["fr", "en", "wo"]
    _flow, problems = check_flow_text(FLOW.read_text().replace("voice_languages: [wo]", "voice_languages: [fr]"))
    assert "voice_languages[0]: 'fr' is written (in languages): a voice language has no text" in [str(p) for p in problems]


def test_the_checklist_gives_each_speaker_a_script_and_a_file_name():
    lists = dict(checklist(load_flow(FLOW)))
    assert list(lists) == ["wo", "fr", "en"]
    wolof = dict(lists["wo"])
    assert wolof["recordings/wo/district-nord.wav"] == "Pour Nord, tapez 1."  # the French script, to say in Wolof
    assert wolof["recordings/wo/lang-wo.wav"] == "Wolof, tapez 3."
    english = dict(lists["en"])
    assert english["recordings/en/district.mp3"] == "Which district do you live in?"  # not recorded yet: a name to use
    assert "recordings/en/lang-en.mp3" in english and "recordings/en/lang-fr.mp3" not in english


def test_flows_validate_and_audio_checklist_commands(runner, folder):
    (folder / "recordings" / "wo" / "end.wav").unlink()
    result = runner.invoke(args=["flows", "validate", str(folder / FLOW.name)])
    assert result.exit_code == 1
    assert "audio.end.wo: recording 'recordings/wo/end.wav' not found" in result.output
    listed = runner.invoke(args=["flows", "audio-checklist", str(FLOW)])
    assert listed.exit_code == 0
    assert "== wo (spoken only" in listed.output and "recordings/wo/age.wav\tQuel age avez-vous ?" in listed.output



def test_a_recorded_question_in_a_voice_language_needs_its_prompt_and_its_consent_recorded(folder):
    path = folder / FLOW.name
    path.write_text(path.read_text() + "  - {id: change, type: text, optional: true, voice_record: true, "
                                       "prompt: {fr: \"Que changer ?\", en: \"What should change?\"}}\n")
    assert errors(path) == ["questions[3].audio: voice language 'wo' has no recording of change",
                            "audio.voice_record_consent: voice language 'wo' has no recording of voice_record_consent",
                            "audio.voice_record_now: voice language 'wo' has no recording of voice_record_now"]
    warnings = [str(p) for p in audio_problems(load_flow(path), folder) if p.level == "warning"]
    assert "audio.voice_recorded: voice language 'wo' has no recording of voice_recorded" in warnings
    assert all("voice_record" not in problem for problem in errors(FLOW) + [str(p) for p in audio_problems(load_flow(FLOW), VOICE)])
