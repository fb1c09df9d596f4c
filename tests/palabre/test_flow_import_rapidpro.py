"""`flows import-rapidpro`: real RapidPro exports become flows whose conversations say what RapidPro's say."""

from __future__ import annotations

import json

import pytest

from bots.text import render_messages
from flows import engine
from flows.loader import load_flow
from palabre.config import ROOT

SAMPLES = ROOT / "tests" / "data" / "rapidpro"  # RapidPro's and goflow's own test exports
T0 = 1_772_443_800.0

# Each sample, the citizen's replies, and every message Palabre sends: RapidPro's messages, with Palabre's
# differences kept visible: an answer read out of a sentence is echoed, a question not understood is asked
# again under the flow's own retry words, and a flow that ends without words of its own says thank you.
CONVERSATIONS = {
    "two_questions": (["--skip-unsupported"], ["I like blue!", "Coke"], [
        ["Hi ! What is your favorite color? (red/blue) Your number is"],
        ["Understood: Blue (BACK to change it)\nBleu! Bien sur! Quelle est votes soda preferee? (pepsi/coke)"],
        ["Parfait, vous avez finis et tu aimes Coke"],
    ]),
    "favorites_v13": ([], ["purple", "red", "primus", "Ben"], [
        ["What is your favorite color?"],
        ["I don't know that color. Try again.\nWhat is your favorite color?"],
        ["Good choice, I like Red too! What is your favorite beer?"],
        ["Mmmmm... delicious Primus. If only they made red Primus! Lastly, what is your name?"],
        ["Thanks Ben, we are all done!"],
    ]),
    "color": (["--skip-unsupported"], ["blue"], [
        ["What is your favorite color?"],
        ["Blue is sad. :(", "Thank you!"],
    ]),
    "rating_10": ([], ["great", "8"], [
        ["How do you rate the experience? Answer with a number below 10"],
        ["Please, pick a valid number\nHow do you rate the experience? Answer with a number below 10"],
        ["Thank, we recorded your answer as 8"],
    ]),
    "pick_a_number": ([], ["12", "7"], [
        ["Pick a number between 1-10."],
        ["Please reply with a number between 1 and 10.\nPick a number between 1-10."],
        ["You picked 7!"],
    ]),
}


def import_export(runner, name, tmp_path, *options):
    out = tmp_path / f"{name}.yaml"
    result = runner.invoke(args=["flows", "import-rapidpro", str(SAMPLES / f"{name}.json"), "-o", str(out), *options])
    return result, out


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_each_sample_export_runs_the_conversation_rapidpro_would(runner, tmp_path, name):
    options, replies, expected = CONVERSATIONS[name]
    result, out = import_export(runner, name, tmp_path, *options)
    assert result.exit_code == 0, result.output
    flow = load_flow(out)
    state, events = engine.start(flow, T0)
    transcript = [render_messages(events)]
    for reply in replies:
        state, events = engine.step(flow, state, reply, T0 + 60)
        transcript.append(render_messages(events))
    assert transcript == expected
    assert state.status == "completed"


def test_branches_become_conditions_and_a_route_to_nowhere_ends_the_conversation(runner, tmp_path):
    _, out = import_export(runner, "favorites_v13", tmp_path)
    flow = load_flow(out)
    assert flow.question("beer").when.source == "(color == 'red' or color == 'green' or color == 'blue')"
    state, _ = engine.start(flow, T0)
    state, events = engine.step(flow, state, "cyan", T0 + 60)  # RapidPro's Cyan route leads nowhere
    assert render_messages(events) == ["Thanks , we are all done!"] and state.status == "completed"


def test_localized_words_route_in_each_language(runner, tmp_path):
    _, out = import_export(runner, "two_questions", tmp_path, "--skip-unsupported")
    flow = load_flow(out)
    assert flow.languages == ("en", "fr")
    state, _ = engine.start(flow, T0, "fr")
    assert state.language == "fr"
    state, events = engine.step(flow, state, "rouge", T0 + 60)
    assert state.answers["favorite_color"] == "red"


def test_what_palabre_cannot_do_is_named_by_flow_node_and_action(runner, tmp_path):
    result, out = import_export(runner, "two_questions", tmp_path)
    assert result.exit_code == 1 and not out.exists()
    assert "flow 'Two Questions', node 3, action 'call_webhook': 'call_webhook' has no equivalent in Palabre" in result.output
    assert "@contact.name is a contact's name or number: Palabre keeps neither" in result.output
    skipped, out = import_export(runner, "two_questions", tmp_path, "--skip-unsupported")
    assert skipped.exit_code == 0 and "warning:" in skipped.output and "left out" in skipped.output
    assert "Ben" not in out.read_text() and "@contact" not in out.read_text()


def test_an_export_with_several_flows_asks_which(runner, tmp_path):
    both = json.loads((SAMPLES / "color.json").read_text())
    both["flows"].append(json.loads((SAMPLES / "rating_10.json").read_text())["flows"][0])
    path = tmp_path / "both.json"
    path.write_text(json.dumps(both))
    result = runner.invoke(args=["flows", "import-rapidpro", str(path), "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1 and "holds 2 flows (Colors, Rate us): choose one with --flow NAME" in result.output
    chosen = runner.invoke(args=["flows", "import-rapidpro", str(path), "-o", str(tmp_path / "x.yaml"), "--flow", "Rate us"])
    assert chosen.exit_code == 0, chosen.output


@pytest.mark.parametrize("change, message", [
    ({"version": "11"}, "only version 13 exports are read"),
    ({"flows": []}, "no flows in it"),
])
def test_an_export_it_cannot_read_says_why(runner, tmp_path, change, message):
    export = {**json.loads((SAMPLES / "rating_10.json").read_text()), **change}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(export))
    result = runner.invoke(args=["flows", "import-rapidpro", str(path), "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1 and message in result.output
