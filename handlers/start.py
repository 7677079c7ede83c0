"""/start, /help and the main-menu buttons."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.callbacks import MenuChoice
from bot.catalog.cards import render_entry_card
from bot.messaging import Reply
from handlers.context import BotContext
from handlers.menu import COMMANDS, FEATURES, MAIN_ACTIONS
from handlers.render import answer

SAFETY_LINE = (
    "🛟 I share general tips, not medical advice: serious, sudden or lasting back pain "
    "needs a doctor or physiotherapist."
)
ASK_HINT = (
    "💬 Just type your question as you would ask a friend, for example:\n"
    "• <i>how do I ease shoulder tension</i>\n"
    "• <i>what oil should I use</i>\n"
    "• <i>my lower back is stiff</i>\n"
    "• <i>how hard should I press</i>"
)


def start_reply(first_name: str | None) -> Reply:
    """The welcome message: what the bot can do, the main actions and one line of safety."""
    greeting = (
        f"👋 <b>Hi {escape(first_name, quote=False)}, I'm Massage Coach.</b>"
        if first_name
        else ("👋 <b>Hi, I'm Massage Coach.</b>")
    )
    lines = [greeting, "I help you give someone a good, safe back massage.", ""]
    lines.extend(f"• {feature}" for feature in FEATURES)
    lines.extend(["", SAFETY_LINE, "", "/help lists every command."])
    return Reply("\n".join(lines), buttons=MAIN_ACTIONS)


def help_reply() -> Reply:
    """Every command, one line each."""
    lines = ["<b>What I understand</b>", ""]
    for command in COMMANDS:
        example = (
            f" (e.g. <code>{escape(command.example, quote=False)}</code>)"
            if command.example
            else ""
        )
        lines.append(f"/{command.name} — {escape(command.description, quote=False)}{example}")
    lines.extend(["", "Or just type a question in your own words."])
    return Reply("\n".join(lines))


async def start(update: Update, context: BotContext) -> None:
    """Greet the user and show the main actions."""
    user = update.effective_user
    await answer(update, start_reply(user.first_name if user else None))


async def show_help(update: Update, context: BotContext) -> None:
    """List every command."""
    await answer(update, help_reply())


async def main_menu_button(update: Update, context: BotContext, press: MenuChoice) -> None:
    """Answer the /start buttons that need no feature of their own."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    if press.choice == "safety":
        entry = context.services.catalog.get("safety.see-a-professional")
        text = render_entry_card(entry, context.services.catalog) if entry else SAFETY_LINE
        await answer(update, Reply(text))
    else:
        await answer(update, Reply(ASK_HINT))
