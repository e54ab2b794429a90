"""The incident story, one module per use case. Each works on an explicit unit of work
(`async with deps.repo.tx() as tx:`): it stores what happened and records, in the same transaction,
the Slack work that must follow as typed intents (jobs). The Slack adapter (bot/slack/adapter.py)
turns those into Web API calls after the commit; nothing here knows Slack or SQL.

- opening:    /leak-open submitted: the incident, its first answers, its channel set-up
- answering:  a checklist form submitted: access check, answers, what follows (question, checklist, draft)
- asking:     a checklist form about to be opened for someone (recorded, so only its submission counts)
- drafts:     when a new version of a document is due, /leak-draft, confirming a held version
- closing:    /leak-close confirmed
- owners:     owners of items, snoozing nudges
- nudges:     the sweep that claims due nudges
- membership: who is in an incident's channel, kept from set-up, invites and membership events
- home:       the incident desk (App Home, /leak-list): the incidents of the channels a person is in
- timeline:   the incident's 経緯, added by hand or from a message
- from_message: who may use a message shortcut on which message
- review:     reviewers per document, decisions per version, what was published
- review_nudges: reminders by DM to reviewers who have not decided on the latest version (and their snoozes)
- rehearsing: `leakbot drill`, a prepared scenario replayed into a drill incident
"""
