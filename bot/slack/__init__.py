"""The Slack adapter: typed intents in, Web API calls out; Block Kit is built only here (and in bot/ui)."""
