"""The booking page at /app/, which also opens as a Telegram Mini App: the same services as every channel,
with the Telegram identity proven by the Mini App's signed initData."""
