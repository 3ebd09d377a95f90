"""The Discord bot's parts: slash commands, message questions, answer buttons, over the engine.

`bot.discord_app.run_bot` starts it.
"""
