"""Everything the bot says, in Japanese and English. Text is data: one entry a message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    # validation, shown under the input in the modal
    "error.required": {"ja": "入力してください。", "en": "Please fill this in."},
    "error.too_long": {
        "ja": "長すぎます（{length}文字、上限は{limit}文字）。",
        "en": "Too long ({length} characters; the limit is {limit}).",
    },
    "count.unknown": {"ja": "調査中", "en": "under investigation"},
    "error.count.empty": {"ja": "件数を入力してください。", "en": "Please enter a count."},
    "error.count.negative": {"ja": "件数にマイナスは使えません。", "en": "A count cannot be negative."},
    "error.count.not_a_number": {
        "ja": "件数として読めません。例：7600000、7,600,000、760万、約2,070万件（分からなければ「調査中」）",
        "en": "This is not a count. Examples: 7600000, 7,600,000, 760万, 約2,070万件 (or “under investigation”)",
    },
    "error.count.too_large": {"ja": "件数が大きすぎます。", "en": "This count is too large."},
    "error.count.not_whole": {"ja": "件数は整数で入力してください。", "en": "A count must be a whole number."},
    "error.count.over_max": {
        "ja": "確認済み件数が最大件数を超えています。最大件数を見直してください（公表する数字を後から増やさないため）。",
        "en": "The confirmed count is larger than the maximum. Raise the maximum, so the published number never has to grow.",
    },
    "error.secret.card": {
        "ja": "クレジットカード番号とみられる数字が含まれています。このボットにカード番号を書かないでください（入力は保存されていません）。",
        "en": "This looks like it contains a credit-card number. Never give card numbers to this bot (nothing was saved).",
    },
    "error.secret.my_number": {
        "ja": "マイナンバー（個人番号）とみられる数字が含まれています。このボットにマイナンバーを書かないでください（入力は保存されていません）。",
        "en": "This looks like it contains a My Number (individual number). Never give My Numbers to this bot (nothing was saved).",
    },
    "error.secret.joined": {
        "ja": "この回答と他の項目の回答が文書の中で続くと、クレジットカード番号またはマイナンバーと同じ形の数字になります。どちらかの回答を見直してください（入力は保存されていません）。",
        "en": "Set next to another answer in the document, this answer would read as a credit-card number or My Number. Please revise one of them (nothing was saved).",
    },
    "error.control": {
        "ja": "制御文字（NUL など）は使えません。取り除いてからもう一度送ってください（入力は保存されていません）。",
        "en": "Control characters (such as NUL) cannot be used. Remove them and send again (nothing was saved).",
    },
    "screen.field": {
        "ja": "「{field}」に入力された内容は受け付けられません。{reason}",
        "en": "What was typed as \u201c{field}\u201d cannot be taken. {reason}",
    },
    "screen.command": {
        "ja": "{command} に続けて入力された内容は受け付けられません。{reason}",
        "en": "What was typed after {command} cannot be taken. {reason}",
    },
    "screen.message_title": {"ja": "取り込めません", "en": "Not taken"},
    "screen.message": {
        "ja": "このメッセージの本文は取り込めません。{reason}",
        "en": "This message's text cannot be taken in. {reason}",
    },
    "error.choice": {"ja": "選択肢から選んでください。", "en": "Please pick one of the choices."},
    "error.datetime": {"ja": "日時として読めません。", "en": "This is not a date and time."},
    "error.future": {
        "ja": "発覚日時に未来の日時は指定できません。",
        "en": "The discovery time cannot be in the future.",
    },
    "error.users": {"ja": "ユーザーを選び直してください。", "en": "Please pick the people again."},
    "error.unexpected": {
        "ja": "処理中に問題が起きました（参照番号 {ref}）。もう一度試すか、管理者にこの番号を伝えてください。",
        "en": "Something went wrong (reference {ref}). Please try again, or give this reference to your admin.",
    },
    # fire drills
    "drill.mark": {"ja": "【訓練】", "en": "[EXERCISE] "},
    "drill.clocks": {
        "ja": "（訓練：以下の期限は表示のみで、実際の報告義務ではありません）",
        "en": "(Exercise: the deadlines below are shown for practice; they are not real duties.)",
    },
    "drill.review": {
        "ja": "【訓練】振り返り：開始から各必須項目の最初の回答までの時間",
        "en": "[EXERCISE] Review: time from the start to each required item's first answer",
    },
    "drill.review.item": {"ja": "• {item}：{span}（<@{user}>）", "en": "• {item}: {span} (<@{user}>)"},
    "drill.review.open": {"ja": "• {item}：未回答", "en": "• {item}: never answered"},
    "drill.review.draft": {"ja": "最初の下書きまで：{span}", "en": "Until the first draft: {span}"},
    "drill.review.no_draft": {"ja": "下書きは作成されませんでした。", "en": "No draft was made."},
    "error.ref": {"ja": "（参照番号 {ref}）", "en": "(reference {ref})"},
    "error.read_failed": {
        "ja": "「{what}」を今は読み出せませんでした（参照番号 {ref}）。何も変わっていません。少し待ってもう一度試すか、管理者にこの番号を伝えてください。",
        "en": 'Could not read "{what}" just now (reference {ref}). Nothing was changed. Please try again in a moment, or give this reference to your admin.',
    },
    "error.after_ack": {
        "ja": "「{what}」を処理できませんでした（参照番号 {ref}）。もう一度試すか、管理者にこの番号を伝えてください。",
        "en": 'Could not finish "{what}" (reference {ref}). Please try again, or give this reference to your admin.',
    },
    # jobs that could not be done
    "job.failed": {
        "ja": "{what}ができませんでした（{error}）。インシデント #{id}。管理者に連絡してください。",
        "en": "Could not {what} ({error}), incident #{id}. Please contact your admin.",
    },
    "job.slack": {"ja": "Slackへの投稿", "en": "post to Slack"},
    "job.setup": {"ja": "チャンネルの準備", "en": "set up the channel"},
    "job.invite": {"ja": "メンバーの招待", "en": "invite the responders"},
    "job.checklist": {"ja": "チェックリストの更新", "en": "update the checklist"},
    "job.draft": {"ja": "下書きの投稿", "en": "post the draft"},
    "job.close": {"ja": "クローズ記録の投稿", "en": "post the closing record"},
    "refused.not_saved": {"ja": "（この回答は保存されていません）", "en": "(This answer was not saved.)"},
    "refused.overwrite": {
        "ja": "このフォームを開いた後に {who} さんがこの項目を変更しました（{when}）。現在の回答：{value}　"
        "上書きしないよう、この回答は保存されていません。フォームを開き直して確認してから送信してください。",
        "en": "{who} changed this item after you opened this form ({when}). The answer now: {value} "
        "To keep it from being overwritten, your answer was not saved. Open the form again, check it, then submit.",
    },
    "refused.overwrite_empty": {"ja": "（空欄）", "en": "(empty)"},
    "cmd.not_incident_channel_plain": {
        "ja": "このインシデントは見つからないか、まだチャンネルがありません。",
        "en": "This incident does not exist or has no channel yet.",
    },
    # access
    "access.not_member": {
        "ja": "このインシデントのチャンネルのメンバーだけが見たり回答・変更したりできます。あなたは今メンバーではないため、受け付けませんでした。",
        "en": "Only members of this incident's channel can see, answer or change it; you are not a member now, so this was refused.",
    },
    "access.form_unknown": {
        "ja": "このフォームはボットがあなたに開いたものとして記録がないため、受け付けませんでした。`/leak-next` で開き直してください。",
        "en": "This form is not one the bot opened for you, so it was not accepted. Open it again with `/leak-next`.",
    },
    "access.not_member_recheck": {
        "ja": "メンバーになったばかりの場合は、確認し直しますので少し待ってからもう一度送信してください。",
        "en": "If you were just added to the channel, the bot is checking again: wait a moment and submit once more.",
    },
    "job.members": {"ja": "チャンネルメンバーの確認", "en": "check the channel's members"},
    "job.question": {"ja": "質問の投稿", "en": "post the next question"},
    "job.nudge": {"ja": "リマインドの投稿", "en": "post a reminder"},
    "job.upload": {"ja": "下書きファイルのアップロード", "en": "upload the draft files"},
    "job.hold": {"ja": "件数増加の確認依頼の投稿", "en": "ask to confirm a higher count"},
    "job.canvas": {"ja": "キャンバスの更新", "en": "update the channel canvas"},
    "job.bookmarks": {"ja": "ブックマークの更新", "en": "update the channel bookmarks"},
    "access.unknown": {
        "ja": "このインシデントのチャンネルのメンバーか確認できませんでした。",
        "en": "Could not check whether you are in this incident's channel.",
    },
    "access.refused": {
        "ja": "この操作はこのチャンネルのインシデントのものではないため、実行しませんでした。",
        "en": "This action belongs to another incident, not this channel's, so nothing was done.",
    },
    "access.not_member_retry": {
        "ja": "メンバーになったばかりの場合は、確認し直しますので少し待ってからもう一度試してください。",
        "en": "If you were just added to the channel, the bot is checking again: wait a moment and try once more.",
    },
    "access.other_team": {
        "ja": "別のワークスペースからの要求のため、受け付けませんでした。何も変更していません。",
        "en": "This request comes from another workspace, so it was refused; nothing was changed.",
    },
    "access.open_form_unknown": {
        "ja": "このフォームはボットがあなたに開いたものとして記録がないため、受け付けませんでした。`/leak-open` で開き直してください。",
        "en": "This form is not one the bot opened for you, so it was not accepted. Open it again with `/leak-open`.",
    },
    # commands used where they do not apply
    "cmd.not_incident_channel": {
        "ja": "`{command}` はインシデントチャンネル（`/leak-open` で作成）の中で使ってください。",
        "en": "Use `{command}` inside an incident channel (made by `/leak-open`).",
    },
    "cmd.unknown_item": {
        "ja": "「{item}」という項目はありません。使える項目：{items}",
        "en": 'There is no item "{item}". Items: {items}',
    },
    "cmd.answer_usage": {
        "ja": "使い方：`/leak-answer <item-id>`。項目：{items}",
        "en": "Usage: `/leak-answer <item-id>`. Items: {items}",
    },
    "cmd.closed": {
        "ja": "このインシデントはクローズ済みです。チャンネルは記録として残っています。",
        "en": "This incident is closed; the channel stays as its record.",
    },
    "cmd.modal_failed": {
        "ja": "入力画面を開けませんでした（{error}）。もう一度試してください。",
        "en": "Could not open the form ({error}). Please try again.",
    },
    # /leak-next when nothing required is left
    "next.required_done": {
        "ja": "必須項目はすべて回答済みです。下書きはチャンネルに投稿済みで、`/leak-draft` でいつでも最新版を表示できます。",
        "en": "Every required item is answered. The draft is in the channel, and `/leak-draft` shows the latest version.",
    },
    "next.optional_open": {"ja": "まだ回答のない任意項目：", "en": "Optional items still open:"},
    "next.nothing_open": {
        "ja": "任意項目も含めて、すべて回答済みです。",
        "en": "Every item, optional ones included, is answered.",
    },
    "next.answer_button": {"ja": "回答する", "en": "Answer"},
    # opening an incident
    "open.submit": {"ja": "開始", "en": "Open"},
    "open.cancel": {"ja": "キャンセル", "en": "Cancel"},
    "open.progress_title": {"ja": "漏えい対応を開始", "en": "Opening the incident"},
    "open.progress": {"ja": "非公開チャンネルを作成しています…", "en": "Creating the private channel…"},
    "open.done": {
        "ja": "非公開チャンネル <#{channel}> を作成しました。チェックリストに沿って、一つずつ回答してください。",
        "en": "Created the private channel <#{channel}>. Answer the checklist there, one question at a time.",
    },
    "open.failed": {
        "ja": "チャンネルを作成できませんでした（{error}）。回答は保存されています。管理者に連絡してください（インシデント #{id}）。",
        "en": "Could not create the channel ({error}). The answers are saved. Please contact your admin (incident #{id}).",
    },
    "open.topic": {"ja": "漏えい対応 #{id}：{title}", "en": "Leak incident #{id}: {title}"},
    "open.topic_apart": {"ja": "{title}（漏えい対応 #{id}）", "en": "{title} (leak incident #{id})"},
    "open.welcome": {
        "ja": "<@{user}> が漏えい対応を開始しました。チェックリストをピン留めしました。",
        "en": "<@{user}> opened this leak incident. The checklist is pinned.",
    },
    "open.invite_failed": {"ja": "招待できなかった人：{users}（{error}）", "en": "Could not invite: {users} ({error})"},
    # questions and modals
    "question.label": {"ja": "質問 {n}/{total}", "en": "Question {n} of {total}"},
    "question.button": {"ja": "回答する", "en": "Answer"},
    "step.submit": {"ja": "保存", "en": "Save"},
    "step.cancel": {"ja": "キャンセル", "en": "Cancel"},
    "step.other": {"ja": "その他の項目", "en": "Other items"},
    "step.other_hint": {
        "ja": "上にない項目があれば（例：学校名）",
        "en": "Anything not listed above (e.g. school name)",
    },
    "step.current": {"ja": "現在の回答：{who}（{when}）", "en": "Current answer: {who} ({when})"},
    # checklist and status
    "checklist.header": {"ja": "チェックリスト：{title}", "en": "Checklist: {title}"},
    "checklist.progress": {
        "ja": "必須 {rd}/{rt} 回答済み・任意 {od}/{ot}",
        "en": "Required {rd}/{rt} answered · optional {od}/{ot}",
    },
    "checklist.required": {"ja": "必須", "en": "required"},
    "checklist.optional": {"ja": "任意", "en": "optional"},
    "checklist.open": {"ja": "未回答", "en": "open"},
    "checklist.default": {"ja": "{value}（既定）", "en": "{value} (default)"},
    "checklist.by": {"ja": "<@{user}>・{when}", "en": "<@{user}> · {when}"},
    "checklist.revised": {"ja": "（{n}回回答）", "en": " ({n} revisions)"},
    "checklist.closed": {"ja": "クローズ済み：{when}、<@{user}>", "en": "Closed {when} by <@{user}>"},
    "checklist.final": {"ja": "最終チェックリスト", "en": "Final checklist"},
    "checklist.complete": {"ja": "必須項目がすべてそろいました。", "en": "Every required item is answered."},
    # the draft
    "draft.header": {"ja": "公表文の下書き（第{version}版）", "en": "Draft disclosure (version {version})"},
    "draft.header.notice": {
        "ja": "本人通知の下書き（第{version}版）",
        "en": "Draft notice to the affected people (version {version})",
    },
    "draft.header.faq": {
        "ja": "想定問答の下書き（第{version}版）",
        "en": "Draft Q&A for the contact desk (version {version})",
    },
    "draft.header.ppc": {
        "ja": "個人情報保護委員会への報告の下書き（第{version}版）",
        "en": "Draft report to the PPC (version {version})",
    },
    "draft.changed": {"ja": "第{previous}版からの変更：{items}", "en": "Changed since version {previous}: {items}"},
    "draft.changed_wording": {
        "ja": "第{previous}版からの変更：文面のみ（回答は同じ）",
        "en": "Changed since version {previous}: wording only (same answers)",
    },
    "draft.unknown_doc": {
        "ja": "「{doc}」という文書はありません。`/leak-draft public`（公表文）、`notice`（本人通知）、`ppc`（個人情報保護委員会への報告）のいずれかを指定してください。",
        "en": 'There is no document "{doc}". Use `/leak-draft public` (disclosure), `notice` (notice to the people affected) or `ppc` (report to the PPC).',
    },
    "draft.hold": {
        "ja": ":warning: {doc}第{version}版の最大件数（{new}）が、すでに投稿した版の最大件数（{old}）を上回っています。",
        "en": ":warning: Version {version} of the {doc} states a maximum ({new}) above the one already posted ({old}).",
    },
    "draft.hold_why": {
        "ja": "公表する数字が後から増えると、「まだ隠しているのでは」と受け取られ、信頼を大きく損ないます（2014年のベネッセの事案では、件数の上方修正が批判を強めました）。最大件数は最初から最大の見込みで示すのが原則です。内容を確認したうえで、投稿してよければボタンを押してください。",
        "en": 'A published number that grows later reads as "they are still hiding something" and costs trust (in the 2014 Benesse leak, raising the count deepened the criticism). Give the largest possible number from the start. Check it, then press the button to post this version.',
    },
    "doc.public": {"ja": "公表文", "en": "disclosure"},
    "doc.notice": {"ja": "本人通知", "en": "notice to the affected people"},
    "doc.faq": {"ja": "想定問答", "en": "Q&A for the contact desk"},
    "draft.unknown_doc_any": {
        "ja": "「{doc}」という文書はありません。`/leak-draft public`（公表文）、`notice`（本人通知）、`ppc`（個人情報保護委員会への報告）、`faq`（想定問答）のいずれかを、必要なら `ja` または `en` を添えて指定してください。",
        "en": 'There is no document "{doc}". Use `/leak-draft public` (disclosure), `notice` (notice to the people affected), `ppc` (report to the PPC) or `faq` (Q&A for the contact desk), with `ja` or `en` if you like.',
    },
    "step.other_hint.card_bank_detail": {
        "ja": "上にない項目があれば（例：暗証番号）",
        "en": "Anything not listed above (e.g. PIN)",
    },
    "doc.ppc": {"ja": "個人情報保護委員会への報告", "en": "report to the PPC"},
    "draft.hold_checked": {
        "ja": "<@{user}> が最大件数の増加を確認しました。",
        "en": "<@{user}> checked the higher maximum.",
    },
    "draft.hold_title": {"ja": "最大件数の増加", "en": "A higher maximum"},
    "draft.hold_button": {"ja": "確認して投稿する", "en": "Checked: post it"},
    "draft.hold_confirm": {"ja": "増えた最大件数で投稿しますか？", "en": "Post it with the higher maximum?"},
    "draft.hold_done": {
        "ja": "<@{user}> が確認し、第{version}版を投稿しました。",
        "en": "<@{user}> checked it; version {version} is posted.",
    },
    "draft.note": {
        "ja": "下書きです。公表前に法務・広報の確認を受けてください。",
        "en": "This is a draft. Have legal and PR review it before anything is published.",
    },
    "draft.unchanged": {"ja": "第{version}版から変更はありません。", "en": "Unchanged since version {version}."},
    "draft.file": {
        "ja": "第{version}版の全文（Markdown）です。",
        "en": "The full text of version {version} (Markdown).",
    },
    # the channel canvas (the current public draft) and the bookmarks
    "canvas.shows": {
        "ja": "第{version}版（{when}作成）を表示しています。新しい版ができるたびに、このキャンバスは書き換わります。各版の投稿とファイルはチャンネルに残ります。",
        "en": "This shows version {version} (made {when}). It is rewritten with every new version; each version's message and files stay in the channel.",
    },
    "canvas.refused.tier": {
        "ja": "このワークスペースのSlackプランではチャンネルキャンバスを作れないため、下書きはこれまでどおりチャンネルへの投稿とファイルで共有します（Slackの応答：{error}）。",
        "en": "This workspace's Slack plan has no channel canvases, so the drafts stay in the channel's messages and files, as before (Slack said: {error}).",
    },
    "canvas.refused.disabled": {
        "ja": "このワークスペースではキャンバスが無効になっているため、下書きはこれまでどおりチャンネルへの投稿とファイルで共有します（Slackの応答：{error}）。管理者がキャンバスを有効にすると、次の版からキャンバスに表示します。",
        "en": "Canvases are turned off in this workspace, so the drafts stay in the channel's messages and files, as before (Slack said: {error}). Once an admin turns canvases on, the next version goes into the canvas.",
    },
    "canvas.refused.scope": {
        "ja": "このアプリに canvases:write の権限がないため、キャンバスを作れませんでした。下書きはこれまでどおりチャンネルへの投稿とファイルで共有します。管理者は最新の manifest.yml でアプリを再インストールしてください（Slackの応答：{error}）。",
        "en": "The app lacks the canvases:write permission, so it could not make the canvas; the drafts stay in the channel's messages and files, as before. An admin should reinstall the app with the current manifest.yml (Slack said: {error}).",
    },
    "canvas.refused.token": {
        "ja": "このボットのトークンではキャンバスを作れないため、下書きはこれまでどおりチャンネルへの投稿とファイルで共有します。SLACK_BOT_TOKEN にボットトークン（xoxb-）を設定してください（Slackの応答：{error}）。",
        "en": "This bot's token cannot make canvases, so the drafts stay in the channel's messages and files, as before. Set SLACK_BOT_TOKEN to the bot token (xoxb-) (Slack said: {error}).",
    },
    "canvas.refused.taken": {
        "ja": "このチャンネルには別の方が作ったキャンバスがあるため、上書きしません。下書きはこれまでどおりチャンネルへの投稿とファイルで共有します（Slackの応答：{error}）。",
        "en": "This channel already has a canvas someone else made, and the bot does not overwrite it; the drafts stay in the channel's messages and files, as before (Slack said: {error}).",
    },
    "canvas.refused.restricted": {
        "ja": "ワークスペースの設定により、ボットはこのチャンネルのキャンバスを作れません。下書きはこれまでどおりチャンネルへの投稿とファイルで共有します（Slackの応答：{error}）。",
        "en": "The workspace's settings do not let the bot make this channel's canvas; the drafts stay in the channel's messages and files, as before (Slack said: {error}).",
    },
    "canvas.refused.other": {
        "ja": "チャンネルキャンバスを作れませんでした。下書きはこれまでどおりチャンネルへの投稿とファイルで共有します（Slackの応答：{error}）。",
        "en": "The channel canvas could not be made; the drafts stay in the channel's messages and files, as before (Slack said: {error}).",
    },
    "bookmark.checklist": {"ja": "チェックリスト（ピン留め）", "en": "Checklist (pinned)"},
    "bookmark.ppc": {"ja": "個人情報保護委員会：漏えい等の報告", "en": "PPC: reporting a leak"},
    "bookmark.draft.docx": {
        "ja": "公表文の下書き 第{version}版（Word）",
        "en": "Draft disclosure, version {version} (Word)",
    },
    "bookmark.draft.md": {
        "ja": "公表文の下書き 第{version}版（Markdown）",
        "en": "Draft disclosure, version {version} (Markdown)",
    },
    "draft.missing": {
        "ja": "下書きを作るには、次の必須項目への回答が必要です：",
        "en": "The draft needs answers to these required items first:",
    },
    # owners
    "owner.pick": {"ja": "担当者を選ぶ", "en": "Choose an owner"},
    "owner.shown": {"ja": "担当：<@{user}>", "en": "owner: <@{user}>"},
    "owner.set": {
        "ja": "<@{by}> が「{items}」の担当を <@{user}> にしました。",
        "en": "<@{by}> made <@{user}> the owner of {items}.",
    },
    "owner.cleared": {"ja": "<@{by}> が「{items}」の担当を外しました。", "en": "<@{by}> removed the owner of {items}."},
    "nudge.dm": {
        "ja": "<#{channel}> で、あなたが担当の必須項目がまだ未回答です。",
        "en": "Required items you own in <#{channel}> are still open.",
    },
    # nudges
    "nudge.text": {
        "ja": "未回答の必須項目が{n}件あります。公表文の下書きにはこれらの回答が必要です。",
        "en": "{n} required items are still open. The draft disclosure needs them.",
    },
    "nudge.answer": {"ja": "次の質問に回答", "en": "Answer the next one"},
    "nudge.snooze_1800": {"ja": "30分後に", "en": "In 30 minutes"},
    "nudge.snooze_3600": {"ja": "1時間後に", "en": "In 1 hour"},
    "nudge.snooze_14400": {"ja": "4時間後に", "en": "In 4 hours"},
    "nudge.snoozed": {
        "ja": "<@{user}> がリマインドを {until} まで止めました。",
        "en": "<@{user}> snoozed reminders until {until}.",
    },
    # closing
    "close.question": {
        "ja": "このインシデントをクローズしますか？リマインドは止まり、最終チェックリストと最新の下書きが投稿されます。チャンネルは記録として残ります。",
        "en": "Close this incident? Reminders stop, the final checklist and the latest draft are posted, and the channel stays as the record.",
    },
    "close.button": {"ja": "クローズする", "en": "Close incident"},
    "close.cancel": {"ja": "やめる", "en": "Keep it open"},
    "close.confirm_title": {"ja": "クローズの確認", "en": "Close the incident?"},
    "close.confirm_text": {"ja": "本当にクローズしますか？", "en": "Really close it?"},
    "close.done": {"ja": "<@{user}> がインシデントをクローズしました。", "en": "<@{user}> closed the incident."},
    "close.kept": {"ja": "クローズしませんでした。", "en": "The incident stays open."},
    "close.already": {"ja": "このインシデントはすでにクローズされています。", "en": "This incident is already closed."},
    "close.no_draft": {
        "ja": "必須項目が未回答のため、下書きはまだありません：",
        "en": "There is no draft yet; these required items are still open:",
    },
    # review and publication (issue 12)
    "review.modal_title": {"ja": "レビュー担当", "en": "Reviewers"},
    "review.modal_intro": {
        "ja": "文書ごとに、公表・送付の前に承認する人を選んでください。変更は誰がいつ行ったかとともに記録されます。",
        "en": "For each document, pick who must approve it before it goes out. Every change is kept with who made it and when.",
    },
    "review.modal_submit": {"ja": "保存", "en": "Save"},
    "review.modal_cancel": {"ja": "やめる", "en": "Cancel"},
    "review.label": {"ja": "{doc}の承認者", "en": "Reviewers of the {doc}"},
    "review.button_set": {"ja": "レビュー担当を設定", "en": "Set reviewers"},
    "review.not_member": {
        "ja": "{users} はこのチャンネルのメンバーではありません。先に招待してください（保存されていません）。",
        "en": "{users} are not in this channel. Invite them first (nothing was saved).",
    },
    "review.set": {
        "ja": "<@{by}> が{doc}の承認者を {users} にしました。",
        "en": "<@{by}> made {users} the reviewers of the {doc}.",
    },
    "review.cleared": {
        "ja": "<@{by}> が{doc}の承認者を外しました。",
        "en": "<@{by}> removed the reviewers of the {doc}.",
    },
    "review.unchanged": {"ja": "承認者に変更はありませんでした。", "en": "The reviewers are unchanged."},
    "review.request": {
        "ja": "{doc} 第{version}版の確認をお願いします。承認者：{users}",
        "en": "Please review version {version} of the {doc}. Reviewers: {users}",
    },
    "review.reset": {
        "ja": "第{previous}版への承認はこの版には引き継がれません。あらためて承認が必要です。",
        "en": "Approvals of version {previous} do not carry over: this version needs approval again.",
    },
    "review.approve": {"ja": "承認", "en": "Approve"},
    "review.request_changes": {"ja": "修正を依頼", "en": "Request changes"},
    "review.approved": {
        "ja": "<@{user}> が{doc} 第{version}版を承認しました（{n}/{total}）。",
        "en": "<@{user}> approved version {version} of the {doc} ({n}/{total}).",
    },
    "review.changes_requested": {
        "ja": "<@{user}> が{doc} 第{version}版の修正を依頼しました：{comment}",
        "en": "<@{user}> requested changes to version {version} of the {doc}: {comment}",
    },
    "review.recorded_approve": {
        "ja": "{doc} 第{version}版への承認を記録しました。",
        "en": "Your approval of version {version} of the {doc} is recorded.",
    },
    "review.recorded_changes": {
        "ja": "{doc} 第{version}版への修正依頼を記録しました。",
        "en": "Your request for changes to version {version} of the {doc} is recorded.",
    },
    "review.already": {
        "ja": "{doc} 第{version}版へのあなたの判断（{decision}）はすでに記録されています。1つの版に判断できるのは1回だけです。",
        "en": "Your decision on version {version} of the {doc} ({decision}) is already recorded. Each reviewer decides once per version.",
    },
    "review.decision.approve": {"ja": "承認", "en": "approved"},
    "review.decision.changes": {"ja": "修正依頼", "en": "changes requested"},
    "review.not_reviewer": {
        "ja": "{doc}の承認者ではないため、判断できません。承認者：{users}（`/leak-reviewers` で変更できます）。何も記録していません。",
        "en": "You are not a reviewer of the {doc}, so you cannot decide on it. Reviewers: {users} (change them with `/leak-reviewers`). Nothing was recorded.",
    },
    "review.no_reviewers": {
        "ja": "{doc}には承認者がいません（`/leak-reviewers` で設定できます）。何も記録していません。",
        "en": "The {doc} has no reviewers (set them with `/leak-reviewers`). Nothing was recorded.",
    },
    "review.stale": {
        "ja": "これは{doc} 第{version}版のボタンですが、すでに第{latest}版があります。最新の版で判断してください。何も記録していません。",
        "en": "This button is for version {version} of the {doc}, but version {latest} exists now. Decide on the latest version. Nothing was recorded.",
    },
    "review.unknown_version": {
        "ja": "このボタンの版が見つかりません。何も記録していません。",
        "en": "The version this button names does not exist. Nothing was recorded.",
    },
    "review.wrong_incident": {
        "ja": "このボタンはこのチャンネルのインシデントのものではないため、何も記録していません。",
        "en": "This button belongs to another incident than this channel's, so nothing was recorded.",
    },
    "review.comment_intro": {
        "ja": "{doc} 第{version}版への修正依頼",
        "en": "Changes to version {version} of the {doc}",
    },
    "review.comment_label": {"ja": "修正してほしい点（必須）", "en": "What should change (required)"},
    "review.comment_title": {"ja": "修正を依頼", "en": "Request changes"},
    "review.comment_submit": {"ja": "送信", "en": "Send"},
    "review.comment_required": {"ja": "修正してほしい点を書いてください。", "en": "Please say what should change."},
    "review.comment_too_long": {
        "ja": "長すぎます（{length}文字、上限は{limit}文字）。",
        "en": "Too long ({length} characters; the limit is {limit}).",
    },
    "review.all_approved": {
        "ja": "{doc} 第{version}版は承認者全員（{users}）が承認しました。公表・送付したら「公表を記録」を押してください。",
        "en": 'Every reviewer ({users}) approved version {version} of the {doc}. Once it is out, press "Record publication".',
    },
    "review.publish": {"ja": "公表を記録", "en": "Record publication"},
    "review.not_approved": {
        "ja": "{doc} 第{version}版はまだ承認者全員の承認を得ていないため、公表を記録できません。承認待ち：{waiting}。何も記録していません。",
        "en": "Version {version} of the {doc} is not approved by every reviewer yet, so its publication cannot be recorded. Waiting for: {waiting}. Nothing was recorded.",
    },
    "review.publish_title": {"ja": "公表の記録", "en": "Record publication"},
    "review.publish_intro": {
        "ja": "{doc} 第{version}版をいつ・どの方法で公表（送付）したかを記録します。",
        "en": "Record when and how version {version} of the {doc} went out.",
    },
    "review.published_at": {"ja": "公表・送付した日時", "en": "When it went out"},
    "review.published_how": {"ja": "方法", "en": "How"},
    "review.published_url": {"ja": "URL（任意）", "en": "URL (optional)"},
    "review.how.web": {"ja": "ウェブページ", "en": "web page"},
    "review.how.press": {"ja": "記者会見", "en": "press conference"},
    "review.how.email": {"ja": "電子メール", "en": "e-mail"},
    "review.how.letter": {"ja": "書面（郵送）", "en": "letter"},
    "review.how.other": {"ja": "その他", "en": "other"},
    "review.bad_url": {
        "ja": "http:// または https:// で始まるURLを入力してください。",
        "en": "Enter a URL starting with http:// or https://.",
    },
    "review.bad_when": {"ja": "日時を選んでください。", "en": "Please pick the date and time."},
    "review.published": {
        "ja": "<@{user}> が{doc} 第{version}版の公表を記録しました：{line}",
        "en": "<@{user}> recorded the publication of version {version} of the {doc}: {line}",
    },
    "review.item.public": {
        "ja": "{when} {how}で公表（公表文 第{version}版）{url}",
        "en": "Published {when} by {how} (disclosure, version {version}) {url}",
    },
    "review.item.notice": {
        "ja": "{when} {how}で本人に通知（本人通知 第{version}版）{url}",
        "en": "The people affected were told {when} by {how} (notice, version {version}) {url}",
    },
    "review.item.other": {
        "ja": "{when} {how}（{doc} 第{version}版）{url}",
        "en": "{when} by {how} ({doc}, version {version}) {url}",
    },
    "review.summary": {"ja": "*レビューと公表*", "en": "*Review and publication*"},
    "review.summary_doc": {
        "ja": "{doc}：最新 第{version}版、承認 {n}/{total}",
        "en": "{doc}: latest version {version}, approved {n}/{total}",
    },
    "review.summary_none": {
        "ja": "{doc}：承認者 {users}、まだ版がありません",
        "en": "{doc}: reviewers {users}, no version yet",
    },
    "review.summary_waiting": {"ja": "承認待ち：{users}", "en": "waiting for {users}"},
    "review.summary_changes": {"ja": "修正依頼：{users}", "en": "changes requested by {users}"},
    "review.summary_done": {"ja": "承認済み", "en": "approved"},
    "review.summary_published": {"ja": "公表済み（{when}、{how}）", "en": "published ({when}, {how})"},
    "review.trail": {"ja": "*記録*", "en": "*Record*"},
    "review.trail_reviewers": {
        "ja": "{when} <@{by}> が{doc}の承認者を {users} に",
        "en": "{when} <@{by}> set the reviewers of the {doc} to {users}",
    },
    "review.trail_decision": {
        "ja": "{when} <@{user}>：{doc} 第{version}版を{decision}",
        "en": "{when} <@{user}>: version {version} of the {doc} {decision}",
    },
    "review.trail_publication": {
        "ja": "{when} <@{user}>：{doc} 第{version}版の公表を記録（{line}）",
        "en": "{when} <@{user}> recorded the publication of version {version} of the {doc} ({line})",
    },
    "review.nobody": {"ja": "なし", "en": "nobody"},
    "review.form_unknown": {
        "ja": "このフォームはボットがあなたに開いたものとして記録がないため、受け付けませんでした。開き直してください。",
        "en": "This form is not one the bot opened for you, so it was not accepted. Open it again.",
    },
    "review.nudge": {
        "ja": "<#{channel}> の{doc} 第{version}版が、あなたの承認を{since}待っています。",
        "en": "Version {version} of the {doc} in <#{channel}> has been waiting for your review for {since}.",
    },
    "review.nudge_act": {
        "ja": "ここで承認するか修正を依頼できます（チャンネルの依頼メッセージと同じボタンです）。",
        "en": "Approve or request changes here (the same buttons as on the request in the channel).",
    },
    "review.nudge_snoozed": {
        "ja": "{doc} 第{version}版のリマインドを {until} まで止めました。",
        "en": "Reminders about version {version} of the {doc} are snoozed until {until}.",
    },
    "review.nudge_nothing": {
        "ja": "{doc} 第{version}版について、あなたへのリマインドはありません（判断済みか、承認者が変わりました）。何も変更していません。",
        "en": "There are no reminders for you about version {version} of the {doc} (you decided, or the reviewers changed). Nothing was changed.",
    },
    "review.nudge_bad": {
        "ja": "このボタンは読み取れませんでした。何も変更していません。",
        "en": "This button could not be read. Nothing was changed.",
    },
    "job.review_nudge": {"ja": "承認者へのリマインドの送信", "en": "remind a reviewer"},
    "job.review": {"ja": "レビュー依頼の投稿", "en": "post the review request"},
    "job.publish_offer": {"ja": "公表ボタンの投稿", "en": "post the publish button"},
    # the incident desk (App Home, /leak-list)
    "home.header": {"ja": "対応中のインシデント（{n}件）", "en": "Open incidents ({n})"},
    "home.none": {
        "ja": "あなたが参加しているインシデントチャンネルで対応中のものはありません。",
        "en": "No open incident in a channel you are in.",
    },
    "home.drills_header": {"ja": "訓練中（実際の事案ではありません）", "en": "Fire drills (not real incidents)"},
    "home.closed_header": {"ja": "最近クローズしたインシデント", "en": "Recently closed"},
    "home.row": {
        "ja": "*{title}*　<#{channel}>\n開始から{age}・必須 {done}/{total} 回答済み・下書き {draft}・次の担当 {owner}",
        "en": "*{title}*  <#{channel}>\nopened {age} ago · required {done}/{total} answered · draft {draft} · next owner {owner}",
    },
    "home.closed_row": {
        "ja": "*{title}*　<#{channel}>　{when} にクローズ",
        "en": "*{title}*  <#{channel}>  closed {when}",
    },
    "home.no_draft": {"ja": "なし", "en": "none"},
    "home.draft_version": {"ja": "第{version}版", "en": "v{version}"},
    "home.no_owner": {"ja": "未割当", "en": "unassigned"},
    "home.no_deadline": {
        "ja": "報告期限：なし（または未計算）",
        "en": "Report deadlines: none (or not worked out yet)",
    },
    "home.next_button": {"ja": "次の質問に回答", "en": "Answer the next question"},
    "home.all_answered": {"ja": "すべて回答済み", "en": "all answered"},
    "home.page": {"ja": "{first}〜{last}件目／全{total}件", "en": "{first}–{last} of {total}"},
    "home.more_button": {"ja": "次の{n}件", "en": "Next {n}"},
    "home.previous_button": {"ja": "前へ", "en": "Previous"},
    "home.refused_title": {"ja": "インシデント", "en": "Incident"},
    "home.refused": {
        "ja": "このインシデントはクローズ済みか、あなたがそのチャンネルのメンバーではないため開けません。",
        "en": "This incident is closed, or you are not in its channel, so it cannot be opened.",
    },
    "home.nothing_open": {
        "ja": "このインシデントに未回答の項目はありません。",
        "en": "Nothing is open in this incident.",
    },
    "shortcut.source": {"ja": "元のメッセージ：{link}", "en": "Reported in: {link}"},
    "shortcut.refused_title": {"ja": "インシデント", "en": "Incident"},
    "shortcut.refused": {
        "ja": "このメッセージはあなたがメンバーではないインシデントチャンネルのものなので、使えません。",
        "en": "This message is in an incident channel you are not in, so it cannot be used.",
    },
    "timeline.header": {"ja": "経緯（{n}件）", "en": "Timeline ({n})"},
    "timeline.none": {
        "ja": "経緯はまだありません。`/leak-timeline 内容` で追加できます。",
        "en": "No timeline entries yet. Add one with `/leak-timeline text`.",
    },
    "timeline.line": {"ja": "• {when}　<@{user}>：{text}", "en": "• {when} <@{user}>: {text}"},
    "timeline.link": {"ja": "<{link}|元のメッセージ>", "en": "<{link}|message>"},
    "timeline.added": {"ja": "経緯に追加しました：{line}", "en": "Added to the timeline: {line}"},
    "timeline.already": {
        "ja": "このメッセージはすでに経緯にあります。",
        "en": "This message is already in the timeline.",
    },
    "timeline.empty": {"ja": "空の経緯は追加できません。", "en": "An empty entry cannot be added."},
    "timeline.refused_title": {"ja": "経緯", "en": "Timeline"},
    "timeline.add_button": {"ja": "経緯を追加", "en": "Add entry"},
    "timeline.modal_title": {"ja": "経緯を追加", "en": "Add to the timeline"},
    "timeline.modal_submit": {"ja": "追加", "en": "Add"},
    "timeline.modal_cancel": {"ja": "キャンセル", "en": "Cancel"},
    "timeline.at_label": {"ja": "日時", "en": "When"},
    "timeline.text_label": {"ja": "何があったか", "en": "What happened"},
    "timeline.text_hint": {
        "ja": "例：委託先から第一報を受領。経緯は追記のみで、後から消せません。",
        "en": "For example: first report received from the contractor. Entries are append-only.",
    },
    "timeline.future": {
        "ja": "未来の日時は経緯に書けません。起きた日時を選んでください。",
        "en": "The timeline records what happened: pick a time that is not in the future.",
    },
    "timeline.form_unknown": {
        "ja": "このフォームはボットがあなたに開いたものとして記録がないため、受け付けませんでした。`/leak-timeline` の「経緯を追加」から開き直してください。",
        "en": "This form is not one the bot opened for you, so it was not accepted. Open it again with Add entry under `/leak-timeline`.",
    },
    "list.more": {"ja": "ほか{n}件はアプリの「ホーム」タブで見られます。", "en": "{n} more on the app's Home tab."},
}


def t(key: str, lang: str, **values: Any) -> str:
    """Returns the message `key` in `lang`, with `values` filled in."""
    text = MESSAGES[key][lang]
    return text.format(**values) if values else text


@dataclass(frozen=True)
class Words:
    """A message chosen now and said later, in the language of whoever reads it (known only then)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def say(self, lang: str) -> str:
        return t(self.key, lang, **self.params)
