"""The two Telegram bots: webhooks, dialogs and notifications. Handlers parse, call a service, render."""
