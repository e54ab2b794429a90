"""The README pictures' renderer (docs/images/blockkit_html.py): each block and element, Slack's mrkdwn, and
typed text escaped. Pure functions: no Slack, no bot, no Chromium."""

from __future__ import annotations

import re

import pytest

from bot.checklist import step_of
from bot.ui.mrkdwn import escape
from bot.ui.posts import draft_messages, question_blocks
from docs.images.blockkit_html import Post, block, element, mrkdwn, page, plain, post

USERS = {"U0ALICE": "alice", "U0LEAKBOT": "leakbot"}


def text(markup: str) -> str:
    """What a reader sees of some HTML: its tags dropped (entities left as they are)."""
    return re.sub(r"<[^>]+>", "", markup)


# --- mrkdwn -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("*bold*", "<b>bold</b>"),
        ("_italic_", "<i>italic</i>"),
        ("~struck~", "<s>struck</s>"),
        ("a *bold* and _italic_ word", "a <b>bold</b> and <i>italic</i> word"),
        ("*bold with _italic_ inside*", "<b>bold with <i>italic</i> inside</b>"),
        ("snake_case_name", "snake_case_name"),  # marks inside a word are letters
        ("a * b * c", "a * b * c"),  # marks must hug the words they mark
        ("2*3*4", "2*3*4"),
        ("*not\nbold*", "*not\nbold*"),  # marks do not reach over a line end
        ("line one\n• item\n• item", "line one\n• item\n• item"),  # lists are text, line ends kept
    ],
)
def test_styles(source: str, html: str) -> None:
    assert mrkdwn(source, USERS) == html


def test_code_is_not_styled_and_keeps_its_text() -> None:
    assert mrkdwn("see `data_items` and `*x*`", USERS) == "see <code>data_items</code> and <code>*x*</code>"
    assert mrkdwn("```a *b*\n  c &lt;d&gt;```", USERS) == "<pre>a *b*\n  c &lt;d&gt;</pre>"


def test_mentions_use_the_names_slack_shows() -> None:
    assert mrkdwn("<@U0ALICE> opened it", USERS) == '<span class="mention">@alice</span> opened it'
    assert mrkdwn("<@U0NOBODY>", USERS) == '<span class="mention">@U0NOBODY</span>'  # unknown: its id
    assert mrkdwn("<#C0123|leak-1>", USERS) == '<span class="mention">#leak-1</span>'
    assert mrkdwn("<!here>", USERS) == '<span class="mention">@here</span>'


def test_styles_reach_over_mentions() -> None:
    """The checklist's "who and when" line is italic around a mention."""
    assert mrkdwn("_<@U0ALICE> · Thu 26 Nov 2026, 10:00 JST_", USERS) == (
        '<i><span class="mention">@alice</span> · Thu 26 Nov 2026, 10:00 JST</i>'
    )


def test_links() -> None:
    assert mrkdwn("<https://example.com/a?b=1&amp;c=2|the page>", USERS) == (
        '<a href="https://example.com/a?b=1&amp;c=2">the page</a>'
    )
    assert mrkdwn("<https://example.com>", USERS) == '<a href="https://example.com">https://example.com</a>'
    # a bare address is linked as Slack links it; the full stop after it is not part of it
    assert mrkdwn("see https://example.com/x_y_z.", USERS) == (
        'see <a href="https://example.com/x_y_z">https://example.com/x_y_z</a>.'
    )
    # only web and mail addresses become links
    assert mrkdwn("<javascript:alert(1)|click>", USERS) == "click"


def test_emoji_shortcodes() -> None:
    assert mrkdwn(":white_check_mark: done, :black_square_button: open", USERS) == "✅ done, 🔲 open"
    assert mrkdwn(":no_such_emoji: at 10:00:00", USERS) == ":no_such_emoji: at 10:00:00"
    assert plain(":warning: Careful") == "⚠️ Careful"


# --- escaping ---------------------------------------------------------------------------------


def test_a_typed_script_is_shown_as_typed_never_run() -> None:
    """An answer goes through the bot's escape (as every answer does) and then the renderer."""
    typed = "<script>alert('x')</script> & <b>bold</b> \"quoted\""
    html = mrkdwn(escape(typed), USERS)
    assert "<script" not in html and "<b>" not in html
    assert html == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; &quot;quoted&quot;"


def test_unescaped_markup_in_mrkdwn_or_plain_text_is_escaped_too() -> None:
    assert "<script" not in mrkdwn("<script>alert(1)</script>", USERS)
    assert plain("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    # a link's address cannot leave its attribute
    html = mrkdwn('<https://example.com/" onmouseover="alert(1)|x>', USERS)
    assert html == '<a href="https://example.com/&quot; onmouseover=&quot;alert(1)">x</a>'
    html = mrkdwn('<@U0X|"><img src=x onerror=alert(1)>', USERS)
    assert "<img" not in html


def test_typed_placeholders_cannot_repeat_what_was_set_aside() -> None:
    """The renderer sets code aside under NUL-delimited numbers: typed NULs are dropped, not honoured."""
    assert mrkdwn("`code` \x000\x00", USERS) == "<code>code</code> 0"


# --- blocks and elements ----------------------------------------------------------------------


def test_header_is_plain_text() -> None:
    html = block({"type": "header", "text": {"type": "plain_text", "text": "Checklist: *A* <b> :memo:"}}, USERS)
    assert html == '<div class="header">Checklist: *A* &lt;b&gt; 📝</div>'


def test_section_with_text_fields_and_accessory() -> None:
    html = block(
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Which data leaked?*"},
            "fields": [{"type": "mrkdwn", "text": "_max_"}, {"type": "plain_text", "text": "48,000"}],
            "accessory": {"type": "button", "style": "primary", "text": {"type": "plain_text", "text": "Answer"}},
        },
        USERS,
    )
    assert '<span class="mrkdwn"><b>Which data leaked?</b></span>' in html
    assert '<div class="fields"><div><span class="mrkdwn"><i>max</i></span></div>' in html
    assert '<div><span class="plain">48,000</span></div></div>' in html
    assert '<div class="accessory"><span class="button primary">Answer</span></div>' in html


def test_context_divider_and_image() -> None:
    context = {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": "Question *1* of 16"},
            {"type": "image", "image_url": "https://example.com/i.png", "alt_text": "an icon"},
        ],
    }
    html = block(context, USERS)
    assert html.startswith('<div class="context">') and "<b>1</b>" in html and "an icon" in html
    assert "example.com" not in html  # shown by its alt text: the browser fetches nothing
    assert block({"type": "divider"}, USERS) == '<hr class="divider">'
    assert "https://" not in block({"type": "image", "image_url": "https://example.com/i.png", "alt_text": "x"}, USERS)


def test_actions_show_buttons_and_closed_selects() -> None:
    actions = {
        "type": "actions",
        "elements": [
            {"type": "button", "style": "danger", "text": {"type": "plain_text", "text": "Close"}},
            {"type": "button", "text": {"type": "plain_text", "text": "Later"}},
            {"type": "users_select", "placeholder": {"type": "plain_text", "text": "Choose an owner"}},
            {"type": "users_select", "initial_user": "U0ALICE"},
            {
                "type": "static_select",
                "initial_option": {"text": {"type": "plain_text", "text": "1 hour"}, "value": "3600"},
            },
            {"type": "datepicker", "initial_date": "2026-11-26"},
            {"type": "overflow", "options": []},
        ],
    }
    html = block(actions, USERS)
    assert '<span class="button danger">Close</span>' in html
    assert '<span class="button">Later</span>' in html
    assert '<span class="placeholder">Choose an owner</span>' in html
    assert ">@alice<" in html and ">1 hour<" in html and ">2026-11-26<" in html and ">⋯<" in html


def test_what_it_cannot_draw_is_an_error_not_a_gap() -> None:
    with pytest.raises(ValueError, match="rich_text"):
        block({"type": "rich_text", "elements": []}, USERS)
    with pytest.raises(ValueError, match="radio_buttons"):
        element({"type": "radio_buttons", "options": []}, USERS)


def test_the_bots_own_question_and_draft_render() -> None:
    """The blocks leakbot builds (bot/ui/posts.py) render whole, typed text escaped."""
    html = "".join(block(b, USERS) for b in question_blocks(step_of("card_bank"), incident_id=1, lang="en"))
    assert "<b>Were credit-card or bank-account data involved?" in html
    assert '<span class="button primary">Answer</span>' in html and "Choose an owner" in html
    [draft] = draft_messages(body="Call 0120-000-000.\n<script>x</script> *kept*", heading="Draft <1>", lang="en")
    html = "".join(block(b, USERS) for b in draft)
    assert '<div class="header">Draft &lt;1&gt;</div>' in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script" not in html


# --- messages and the page --------------------------------------------------------------------


def test_a_post_has_its_author_time_and_marks() -> None:
    blocks = [{"type": "divider"}]
    html = post(Post(author="leak<bot>", time="10:00 AM", blocks=blocks, pinned_by="leakbot", edited=True), USERS)
    assert "leak&lt;bot&gt;" in html and "10:00 AM" in html
    assert '<span class="badge">APP</span>' in html
    assert "📌 Pinned by leakbot" in html and 'class="message pinned"' in html
    assert "(edited)" in html
    plain_post = post(Post(author="alice", time="9:59 AM", text="<@U0ALICE> *opened*", app=False), USERS)
    assert "APP" not in plain_post and "Pinned" not in plain_post and "(edited)" not in plain_post
    assert text(plain_post).endswith("@alice opened")  # no blocks: the text is the message


def test_page_is_a_whole_document_that_fetches_nothing() -> None:
    html = page([Post(author="leakbot", time="10:00 AM", text="hi")], channel="leak-1-<x>", users=USERS)
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in html
    assert "leak-1-&lt;x&gt;" in html and "🔒" in html
    assert not re.search(r"\b(src|href)=|url\(|@import|<script", html)
