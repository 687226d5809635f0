"""``switchboard classify``: text or a payload, from an argument or stdin, as JSON."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from switchboard.cli import main
from tests.conftest import SAMPLE_CONFIG
from tests.support.ingest import encoded, marketplace


def run(capsys: pytest.CaptureFixture[str], *args: str, stdin: str = "") -> tuple[int, Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["classify", *args, "--config", str(SAMPLE_CONFIG)])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else err)


def test_plain_text_from_the_argument(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = run(capsys, "Gdzie jest moja paczka? Zamówienie 55123 nie dotarło!!!")
    assert code == 0
    assert result["language"]["language"] == "pl"
    assert result["skill"]["skill"] == "orders_shipping"
    assert result["skill"]["evidence"]
    assert result["priority"]["priority"] == "normal"
    assert result["priority"]["reasons"][0] == "frustration: '!!!' (+1)"


def test_a_channel_payload_from_stdin_takes_the_channel_road(
    capsys: pytest.CaptureFixture[str],
) -> None:
    payload = marketplace(
        text="Kargom hala gelmedi, sipariş 4411",
        reply_deadline="2026-11-27T12:00:00Z",
        channel="marketplace",
    )
    code, result = run(capsys, "-", stdin=encoded(payload).decode())
    assert code == 0
    assert (result["channel"], result["language"]["language"]) == ("marketplace", "tr")
    assert result["needs"] == ["marketplace"]
    assert any("reply deadline" in reason for reason in result["priority"]["reasons"])


def test_the_channel_option_shapes_needs_and_priority(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = run(capsys, "where is my parcel", "--channel", "phone")
    assert code == 0
    assert result["needs"] == ["voice"]
    assert result["priority"]["reasons"][0] == "phone channel (+1)"


@pytest.mark.parametrize(
    ("args", "stdin", "reason"),
    [
        ((), '{"text": "hi"}', "needs --channel"),
        (("--channel", "chat"), '{"text": "hi"}', "schema_violation"),
        (("--channel", "chat"), "{oops", "invalid_json"),
    ],
)
def test_input_it_cannot_classify_exits_2_with_the_reason(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], stdin: str, reason: str
) -> None:
    code, error = run(capsys, *args, stdin=stdin)
    assert code == 2
    assert reason in error
