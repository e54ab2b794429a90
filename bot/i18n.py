"""Everything the bot says, in Japanese and English. Text is data: one entry a message."""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    # validation, shown under the input in the modal
    "error.required": {"ja": "入力してください。", "en": "Please fill this in."},
    "error.too_long": {"ja": "長すぎます（{length}文字、上限は{limit}文字）。", "en": "Too long ({length} characters; the limit is {limit})."},
    "error.count.empty": {"ja": "件数を入力してください。", "en": "Please enter a count."},
    "error.count.negative": {"ja": "件数にマイナスは使えません。", "en": "A count cannot be negative."},
    "error.count.not_a_number": {"ja": "件数として読めません。例：7600000、7,600,000、760万、約2,070万件", "en": "This is not a count. Examples: 7600000, 7,600,000, 760万, 約2,070万件"},
    "error.count.too_large": {"ja": "件数が大きすぎます。", "en": "This count is too large."},
    "error.count.not_whole": {"ja": "件数は整数で入力してください。", "en": "A count must be a whole number."},
    "error.count.over_max": {"ja": "確認済み件数が最大件数を超えています。最大件数を見直してください（公表する数字を後から増やさないため）。", "en": "The confirmed count is larger than the maximum. Raise the maximum, so the published number never has to grow."},
    "error.secret.card": {"ja": "クレジットカード番号とみられる数字が含まれています。このボットにカード番号を書かないでください（入力は保存されていません）。", "en": "This looks like it contains a credit-card number. Never give card numbers to this bot (nothing was saved)."},
    "error.secret.my_number": {"ja": "マイナンバー（個人番号）とみられる数字が含まれています。このボットにマイナンバーを書かないでください（入力は保存されていません）。", "en": "This looks like it contains a My Number (individual number). Never give My Numbers to this bot (nothing was saved)."},
    "error.choice": {"ja": "選択肢から選んでください。", "en": "Please pick one of the choices."},
    "error.datetime": {"ja": "日時として読めません。", "en": "This is not a date and time."},
    "error.future": {"ja": "発覚日時に未来の日時は指定できません。", "en": "The discovery time cannot be in the future."},
    "error.users": {"ja": "ユーザーを選び直してください。", "en": "Please pick the people again."},
    "error.unexpected": {"ja": "処理中に問題が起きました（参照番号 {ref}）。もう一度試すか、管理者にこの番号を伝えてください。", "en": "Something went wrong (reference {ref}). Please try again, or give this reference to your admin."},
    # jobs that could not be done
    "job.failed": {"ja": "{what}ができませんでした（{error}）。インシデント #{id}。管理者に連絡してください。", "en": "Could not {what} ({error}), incident #{id}. Please contact your admin."},
    "job.slack": {"ja": "Slackへの投稿", "en": "post to Slack"},
    "job.setup": {"ja": "チャンネルの準備", "en": "set up the channel"},
    "job.invite": {"ja": "メンバーの招待", "en": "invite the responders"},
    "job.checklist": {"ja": "チェックリストの更新", "en": "update the checklist"},
    "job.draft": {"ja": "下書きの投稿", "en": "post the draft"},
    "job.close": {"ja": "クローズ記録の投稿", "en": "post the closing record"},
    "refused.not_saved": {"ja": "（この回答は保存されていません）", "en": "(This answer was not saved.)"},
    "cmd.not_incident_channel_plain": {"ja": "このインシデントは見つからないか、まだチャンネルがありません。", "en": "This incident does not exist or has no channel yet."},
    # access
    "access.not_member": {"ja": "このインシデントのチャンネルのメンバーだけが回答・変更できます。", "en": "Only members of this incident's channel can answer or change it."},
    "access.unknown": {"ja": "このインシデントのチャンネルのメンバーか確認できませんでした。", "en": "Could not check whether you are in this incident's channel."},
    "access.refused": {"ja": "この操作はこのチャンネルのインシデントのものではないため、実行しませんでした。", "en": "This action belongs to another incident, not this channel's, so nothing was done."},
    # commands used where they do not apply
    "cmd.not_incident_channel": {"ja": "`{command}` はインシデントチャンネル（`/leak-open` で作成）の中で使ってください。", "en": "Use `{command}` inside an incident channel (made by `/leak-open`)."},
    "cmd.unknown_item": {"ja": "「{item}」という項目はありません。使える項目：{items}", "en": "There is no item \"{item}\". Items: {items}"},
    "cmd.answer_usage": {"ja": "使い方：`/leak-answer <item-id>`。項目：{items}", "en": "Usage: `/leak-answer <item-id>`. Items: {items}"},
    "cmd.closed": {"ja": "このインシデントはクローズ済みです。チャンネルは記録として残っています。", "en": "This incident is closed; the channel stays as its record."},
    "cmd.modal_failed": {"ja": "入力画面を開けませんでした（{error}）。もう一度試してください。", "en": "Could not open the form ({error}). Please try again."},
    # /leak-next when nothing required is left
    "next.required_done": {"ja": "必須項目はすべて回答済みです。下書きはチャンネルに投稿済みで、`/leak-draft` でいつでも最新版を表示できます。", "en": "Every required item is answered. The draft is in the channel, and `/leak-draft` shows the latest version."},
    "next.optional_open": {"ja": "まだ回答のない任意項目：", "en": "Optional items still open:"},
    "next.nothing_open": {"ja": "任意項目も含めて、すべて回答済みです。", "en": "Every item, optional ones included, is answered."},
    "next.answer_button": {"ja": "回答する", "en": "Answer"},
    # opening an incident
    "open.submit": {"ja": "開始", "en": "Open"},
    "open.cancel": {"ja": "キャンセル", "en": "Cancel"},
    "open.progress_title": {"ja": "漏えい対応を開始", "en": "Opening the incident"},
    "open.progress": {"ja": "非公開チャンネルを作成しています…", "en": "Creating the private channel…"},
    "open.done": {"ja": "非公開チャンネル <#{channel}> を作成しました。チェックリストに沿って、一つずつ回答してください。", "en": "Created the private channel <#{channel}>. Answer the checklist there, one question at a time."},
    "open.failed": {"ja": "チャンネルを作成できませんでした（{error}）。回答は保存されています。管理者に連絡してください（インシデント #{id}）。", "en": "Could not create the channel ({error}). The answers are saved. Please contact your admin (incident #{id})."},
    "open.topic": {"ja": "漏えい対応 #{id}：{title}", "en": "Leak incident #{id}: {title}"},
    "open.welcome": {"ja": "<@{user}> が漏えい対応を開始しました。チェックリストをピン留めしました。", "en": "<@{user}> opened this leak incident. The checklist is pinned."},
    "open.invite_failed": {"ja": "招待できなかった人：{users}（{error}）", "en": "Could not invite: {users} ({error})"},
    # questions and modals
    "question.label": {"ja": "質問 {n}/{total}", "en": "Question {n} of {total}"},
    "question.button": {"ja": "回答する", "en": "Answer"},
    "step.submit": {"ja": "保存", "en": "Save"},
    "step.cancel": {"ja": "キャンセル", "en": "Cancel"},
    "step.other": {"ja": "その他の項目", "en": "Other items"},
    "step.other_hint": {"ja": "上にない項目があれば（例：学校名）", "en": "Anything not listed above (e.g. school name)"},
    "step.current": {"ja": "現在の回答：{who}（{when}）", "en": "Current answer: {who} ({when})"},
    # checklist and status
    "checklist.header": {"ja": "チェックリスト：{title}", "en": "Checklist: {title}"},
    "checklist.progress": {"ja": "必須 {rd}/{rt} 回答済み・任意 {od}/{ot}", "en": "Required {rd}/{rt} answered · optional {od}/{ot}"},
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
    "draft.header.notice": {"ja": "本人通知の下書き（第{version}版）", "en": "Draft notice to the affected people (version {version})"},
    "draft.header.faq": {"ja": "想定問答の下書き（第{version}版）", "en": "Draft Q&A for the contact desk (version {version})"},
    "draft.header.ppc": {"ja": "個人情報保護委員会への報告の下書き（第{version}版）", "en": "Draft report to the PPC (version {version})"},
    "draft.changed": {"ja": "第{previous}版からの変更：{items}", "en": "Changed since version {previous}: {items}"},
    "draft.changed_wording": {"ja": "第{previous}版からの変更：文面のみ（回答は同じ）", "en": "Changed since version {previous}: wording only (same answers)"},
    "draft.unknown_doc": {"ja": "「{doc}」という文書はありません。`/leak-draft public`（公表文）、`notice`（本人通知）、`ppc`（個人情報保護委員会への報告）のいずれかを指定してください。", "en": "There is no document \"{doc}\". Use `/leak-draft public` (disclosure), `notice` (notice to the people affected) or `ppc` (report to the PPC)."},
    "draft.hold": {"ja": ":warning: {doc}第{version}版の最大件数（{new}）が、すでに投稿した版の最大件数（{old}）を上回っています。", "en": ":warning: Version {version} of the {doc} states a maximum ({new}) above the one already posted ({old})."},
    "draft.hold_why": {"ja": "公表する数字が後から増えると、「まだ隠しているのでは」と受け取られ、信頼を大きく損ないます（2014年のベネッセの事案では、件数の上方修正が批判を強めました）。最大件数は最初から最大の見込みで示すのが原則です。内容を確認したうえで、投稿してよければボタンを押してください。", "en": "A published number that grows later reads as \"they are still hiding something\" and costs trust (in the 2014 Benesse leak, raising the count deepened the criticism). Give the largest possible number from the start. Check it, then press the button to post this version."},
    "doc.public": {"ja": "公表文", "en": "disclosure"},
    "doc.notice": {"ja": "本人通知", "en": "notice to the affected people"},
    "doc.faq": {"ja": "想定問答", "en": "Q&A for the contact desk"},
    "draft.unknown_doc_any": {"ja": "「{doc}」という文書はありません。`/leak-draft public`（公表文）、`notice`（本人通知）、`ppc`（個人情報保護委員会への報告）、`faq`（想定問答）のいずれかを、必要なら `ja` または `en` を添えて指定してください。", "en": "There is no document \"{doc}\". Use `/leak-draft public` (disclosure), `notice` (notice to the people affected), `ppc` (report to the PPC) or `faq` (Q&A for the contact desk), with `ja` or `en` if you like."},
    "step.other_hint.card_bank_detail": {"ja": "上にない項目があれば（例：暗証番号）", "en": "Anything not listed above (e.g. PIN)"},
    "doc.ppc": {"ja": "個人情報保護委員会への報告", "en": "report to the PPC"},
    "draft.hold_checked": {"ja": "<@{user}> が最大件数の増加を確認しました。", "en": "<@{user}> checked the higher maximum."},
    "draft.hold_title": {"ja": "最大件数の増加", "en": "A higher maximum"},
    "draft.hold_button": {"ja": "確認して投稿する", "en": "Checked: post it"},
    "draft.hold_confirm": {"ja": "増えた最大件数で投稿しますか？", "en": "Post it with the higher maximum?"},
    "draft.hold_done": {"ja": "<@{user}> が確認し、第{version}版を投稿しました。", "en": "<@{user}> checked it; version {version} is posted."},
    "draft.note": {"ja": "下書きです。公表前に法務・広報の確認を受けてください。", "en": "This is a draft. Have legal and PR review it before anything is published."},
    "draft.unchanged": {"ja": "第{version}版から変更はありません。", "en": "Unchanged since version {version}."},
    "draft.file": {"ja": "第{version}版の全文（Markdown）です。", "en": "The full text of version {version} (Markdown)."},
    "draft.missing": {"ja": "下書きを作るには、次の必須項目への回答が必要です：", "en": "The draft needs answers to these required items first:"},
    # owners
    "owner.pick": {"ja": "担当者を選ぶ", "en": "Choose an owner"},
    "owner.shown": {"ja": "担当：<@{user}>", "en": "owner: <@{user}>"},
    "owner.set": {"ja": "<@{by}> が「{items}」の担当を <@{user}> にしました。", "en": "<@{by}> made <@{user}> the owner of {items}."},
    "owner.cleared": {"ja": "<@{by}> が「{items}」の担当を外しました。", "en": "<@{by}> removed the owner of {items}."},
    "nudge.dm": {"ja": "<#{channel}> で、あなたが担当の必須項目がまだ未回答です。", "en": "Required items you own in <#{channel}> are still open."},
    # nudges
    "nudge.text": {"ja": "未回答の必須項目が{n}件あります。公表文の下書きにはこれらの回答が必要です。", "en": "{n} required items are still open. The draft disclosure needs them."},
    "nudge.answer": {"ja": "次の質問に回答", "en": "Answer the next one"},
    "nudge.snooze_1800": {"ja": "30分後に", "en": "In 30 minutes"},
    "nudge.snooze_3600": {"ja": "1時間後に", "en": "In 1 hour"},
    "nudge.snooze_14400": {"ja": "4時間後に", "en": "In 4 hours"},
    "nudge.snoozed": {"ja": "<@{user}> がリマインドを {until} まで止めました。", "en": "<@{user}> snoozed reminders until {until}."},
    # closing
    "close.question": {"ja": "このインシデントをクローズしますか？リマインドは止まり、最終チェックリストと最新の下書きが投稿されます。チャンネルは記録として残ります。", "en": "Close this incident? Reminders stop, the final checklist and the latest draft are posted, and the channel stays as the record."},
    "close.button": {"ja": "クローズする", "en": "Close incident"},
    "close.cancel": {"ja": "やめる", "en": "Keep it open"},
    "close.confirm_title": {"ja": "クローズの確認", "en": "Close the incident?"},
    "close.confirm_text": {"ja": "本当にクローズしますか？", "en": "Really close it?"},
    "close.done": {"ja": "<@{user}> がインシデントをクローズしました。", "en": "<@{user}> closed the incident."},
    "close.kept": {"ja": "クローズしませんでした。", "en": "The incident stays open."},
    "close.already": {"ja": "このインシデントはすでにクローズされています。", "en": "This incident is already closed."},
    "close.no_draft": {"ja": "必須項目が未回答のため、下書きはまだありません：", "en": "There is no draft yet; these required items are still open:"},
}


def t(key: str, lang: str, **values: Any) -> str:
    """Returns the message `key` in `lang`, with `values` filled in."""
    text = MESSAGES[key][lang]
    return text.format(**values) if values else text
