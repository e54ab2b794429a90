"""The shortcuts of issue 11 through signed HTTP on both databases: the global `leak_open` and the
message shortcut `leak_open_from_message` with its prefill."""

from __future__ import annotations

from tests.conftest import Harness
from tests.slack_payloads import global_shortcut, interactive_body, message_shortcut
from tests.story import SUMMARY, open_incident


def inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b.get("type") == "input"}


async def use_on_message(h: Harness, channel_id: str, message: dict, *, user: str) -> None:
    payload = message_shortcut(
        "leak_open_from_message",
        user_id=user,
        channel_id=channel_id,
        message=message,
        trigger_id=h.fake.new_trigger_id(),
        response_url=h.fake.response_url(),
    )
    reply = await h.post(interactive_body(payload))
    assert reply.status == 200 and reply.body is None, reply


async def test_the_global_shortcut_opens_the_new_incident_modal(leakbot: Harness) -> None:
    h = leakbot
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    reply = await h.post(
        interactive_body(global_shortcut("leak_open", user_id="U0ALICE", trigger_id=h.fake.new_trigger_id()))
    )
    assert reply.status == 200 and reply.body is None, reply
    view = await h.opened_view(opened + 1)
    assert view["callback_id"] == "leak_open"
    assert list(inputs(view)) == ["title", "discovered_at", "summary", "responders", "exercise"]

    # It is the /leak-open form: submitting it opens an incident like the command's does.
    reply = await h.submit(view, {"title": "ショートカットから", "summary": SUMMARY, "responders": ["U0BOB"]})
    assert reply.status == 200 and reply.body["response_action"] == "update", reply
    await h.fake.wait_for("conversations.create")


async def test_the_message_shortcut_prefills_summary_permalink_and_reporter(leakbot: Harness) -> None:
    h = leakbot
    general = h.fake.channel_by_name("general")
    message = h.fake.add_message(
        general.id,
        "顧客リストが外部に &lt;漏れた&gt; かも <!channel> <@U0DAVE> <https://evil.example/x|ここ>",
        user="U0BOB",
    )
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    await use_on_message(h, general.id, message, user="U0ALICE")
    view = await h.opened_view(opened + 1)

    summary = inputs(view)["summary"]["initial_value"]
    assert summary.startswith("顧客リストが外部に <漏れた> かも @channel @U0DAVE ここ (https://evil.example/x)")
    link = f"https://leak-test.slack.com/archives/{general.id}/p{message['ts'].replace('.', '')}"
    assert link in summary
    assert "<!channel>" not in summary and "<@U0DAVE>" not in summary
    assert inputs(view)["responders"]["initial_users"] == ["U0BOB"]  # the reporter, suggested
    assert "initial_value" not in inputs(view)["title"]
    await h.fake.wait_for("chat.getPermalink")

    # Submitted as it is, the incident keeps the message's words and link; the reporter is invited.
    reply = await h.submit(view, {"title": "メッセージから"}, user="U0ALICE")
    assert reply.status == 200 and reply.body["response_action"] == "update", reply
    await h.fake.wait_until(
        lambda: any("U0BOB" in c.args.get("users", "") for c in h.fake.calls_to("conversations.invite")),
        what="the reporter invited",
    )
    async with h.bot.repo.read() as tx:
        incident = await tx.incident_by_view(view["id"])
        answers = await tx.answers(incident.id)
    assert link in answers["summary"].value and answers["responders"].value == ["U0BOB"]


async def test_the_message_shortcut_on_ones_own_message_suggests_nobody(leakbot: Harness) -> None:
    h = leakbot
    general = h.fake.channel_by_name("general")
    message = h.fake.add_message(general.id, "流出かもしれません", user="U0ALICE")
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    await use_on_message(h, general.id, message, user="U0ALICE")
    view = await h.opened_view(opened + 1)
    assert "initial_users" not in inputs(view)["responders"]


async def test_a_message_in_an_incident_channel_one_is_not_in_opens_nothing_of_it(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    message = h.fake.add_message(channel, "内部のみ：漏えい件数は 12,345 件", user="U0BOB")

    def links_to_it() -> int:  # the bot's own links (the checklist's bookmark) do not count
        return len([c for c in h.fake.calls_to("chat.getPermalink") if c.args.get("message_ts") == message["ts"]])

    before_links = links_to_it()
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    told = len(h.fake.responses)
    await use_on_message(h, channel, message, user="U0CAROL")
    [(_, said)] = await h.fake.wait_until(lambda: h.fake.responses[told:], what="the refusal, to Carol alone")
    assert said["response_type"] == "ephemeral"
    assert "12,345" not in said["text"] and "内部のみ" not in said["text"] and "メンバーではない" in said["text"]
    await h.settle()  # "no form" can only be waited for inside
    assert len([c for c in h.fake.calls_to("views.open") if c.ok]) == opened  # no form, prefilled or not
    assert links_to_it() == before_links
