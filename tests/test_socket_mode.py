"""Socket Mode, the default of `make run`: the fake hands out a ws://127.0.0.1 URL and sends envelopes."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from bot.app import Leakbot
from bot.metrics import metrics_of
from tests.fake_slack import FakeSlack
from tests.slack_payloads import slash_command, view_submission


async def test_socket_mode_runs_the_story_start(fake: FakeSlack, socket_bot: Leakbot) -> None:
    assert fake.calls_to("apps.connections.open")[0].ok
    command = slash_command(
        "/leak-open",
        "ソケット経由の流出疑い",
        user_id="U0ALICE",
        channel_id="C0GENERAL",
        trigger_id=fake.new_trigger_id(),
        response_url=fake.response_url(),
    )
    ack = await fake.socket_send("slash_commands", command)
    assert "payload" not in ack or not ack["payload"]  # a plain ack, the modal comes by views.open
    call = await fake.wait_for("views.open", lambda c: c.ok)
    view = fake.views[call.response["view"]["id"]]
    submission = view_submission(view, {"summary": "ソケットモードの試験（架空）"}, user_id="U0ALICE")
    ack = await fake.socket_send("interactive", submission)
    assert ack["payload"]["response_action"] == "update"
    await fake.wait_for("pins.add", lambda c: c.ok)
    channel = fake.channel_by_name("leak-20261126-ソケット経由の流出疑い")
    assert channel is not None and channel.is_private and "U0ALICE" in channel.members
    # a retried envelope of the same submission makes no second incident or channel
    ack = await fake.socket_send("interactive", submission, retry_attempt=1, retry_reason="timeout")
    assert ack["payload"]["response_action"] == "update"
    assert len([c for c in fake.calls_to("conversations.create") if c.ok]) == 1


async def test_wrong_place_answer_comes_back_in_the_ack(fake: FakeSlack, socket_bot: Leakbot) -> None:
    def typed() -> dict:
        return slash_command(
            "/leak-status",
            "",
            user_id="U0ALICE",
            channel_id="C0GENERAL",
            trigger_id=fake.new_trigger_id(),
            response_url=fake.response_url(),
        )

    # A read command answers in its ack, also the first time (in LEAKBOT_LANG while the bot does not know
    # Alice's language: Slack is asked after the ack, never before it); and every time after.
    first = await fake.socket_send("slash_commands", typed())
    assert first["payload"]["response_type"] == "ephemeral"
    assert "/leak-status" in first["payload"]["text"]
    ack = await fake.socket_send("slash_commands", typed())
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "/leak-status" in ack["payload"]["text"]
    assert fake.calls_to("chat.postMessage") == []
    # counted like an HTTP request, for /metrics
    exposition = (await metrics_of(socket_bot).exposition()).decode()
    families = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(exposition)
        for s in family.samples
    }
    assert families[("leakbot_requests_total", (("kind", "command"), ("status", "200")))] == 2
