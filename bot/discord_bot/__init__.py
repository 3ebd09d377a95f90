"""The Discord bot's parts: slash commands, message questions, answer buttons, over the engine.

`bot.discord_bot.app.run_bot` starts it.
"""
