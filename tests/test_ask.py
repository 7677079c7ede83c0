"""Questions, did-you-mean, browse menus, inline mode, groups and bad input, through the real
Application against the Bot API stand-in."""

from __future__ import annotations

import pytest

from bot import callbacks as cb
from standin import BotApiStandIn
from tests.support.app import RunningBot, button_data, buttons

GROUP = -100777


async def test_a_question_gets_the_card_with_session_and_related_buttons(
    bot: RunningBot,
) -> None:
    card = await bot.say("how do I ease shoulder tension")
    assert card["text"].startswith("Kneading the trapezius")
    assert "Pressure: medium" in card["text"]
    assert "Take care" in card["text"]
    data = [button["callback_data"] for button in buttons(card)]
    assert cb.SessionPractice("technique.trapezius-kneading").data() in data
    assert cb.SessionStart("routine.upper-back").data() in data
    assert any(isinstance(cb.parse(d), cb.OpenEntry) for d in data)


async def test_a_related_button_opens_that_card(bot: RunningBot) -> None:
    card = await bot.say("what oil should I use")
    query = await bot.press(card, "Apply oil")
    await bot.standin.wait_for_callback_answer(query)
    related = await bot.next_message()
    assert related["text"].startswith("Apply oil to the whole back")


async def test_close_candidates_come_back_as_did_you_mean_buttons(bot: RunningBot) -> None:
    reply = await bot.say("thumbs")
    assert "Did you mean" in reply["text"]
    assert 2 <= len(buttons(reply)) <= 3
    query = await bot.press(reply, "Thumb strips")
    await bot.standin.wait_for_callback_answer(query)
    card = await bot.next_message()
    assert card["text"].startswith("Thumb strips")


async def test_off_topic_gets_i_dont_know_with_browse_and_three_nearest(bot: RunningBot) -> None:
    reply = await bot.say("how do I bake bread")
    assert "don't know" in reply["text"]
    assert "/techniques" in reply["text"]
    assert len(buttons(reply)) == 3


async def test_warning_signs_are_answered_first_then_the_answer(bot: RunningBot) -> None:
    warning = await bot.say("she is pregnant, which oil can I use")
    assert "Massage in pregnancy" in warning["text"]
    assert "doctor" in warning["text"].lower()
    follow_up = await bot.next_message()
    assert "oil" in follow_up["text"].lower()


async def test_intents_reach_their_feature_not_a_random_entry(bot: RunningBot) -> None:
    reply = await bot.say("remind me every day at 9pm")
    assert "time zone" in reply["text"].lower()
    reply = await bot.say("start a 10 minute lower back session")
    assert "Lower back" in reply["text"]
    assert any("Start" in b["text"] for b in buttons(reply))


async def test_browse_menus_edit_one_message_and_go_back(bot: RunningBot) -> None:
    menu = await bot.say("/techniques")
    assert "Browse" in menu["text"]
    chat, message_id = bot.chat_id, menu["message_id"]
    await bot.press(menu, "Lower back")
    section = await bot.standin.wait_for_edit(chat, message_id)
    assert "Lower back" in section["text"]
    await bot.press(section, "Thumb strips")
    card = await bot.standin.wait_for_edit(chat, message_id)
    assert card["text"].startswith("Thumb strips")
    assert button_data(card, "⬅️ Back") == cb.BrowseSection("lower-back").data()
    await bot.press(card, "⬅️ Back")
    again = await bot.standin.wait_for_edit(chat, message_id)
    assert "Thumb strips" in [b["text"] for b in buttons(again)]
    await bot.press(again, "⬅️ Back")
    home = await bot.standin.wait_for_edit(chat, message_id)
    assert "Browse" in home["text"]


@pytest.mark.parametrize(("command", "expected"), [("/tips", "Tips"), ("/prepare", "Preparation")])
async def test_tips_and_prepare_shortcuts(bot: RunningBot, command: str, expected: str) -> None:
    reply = await bot.say(command)
    assert expected in reply["text"]
    assert len(buttons(reply)) >= 4


async def test_start_offers_browsing(bot: RunningBot) -> None:
    welcome = await bot.say("/start")
    await bot.press(welcome, "Browse techniques")
    menu = await bot.standin.wait_for_edit(bot.chat_id, welcome["message_id"])
    assert "Browse" in menu["text"]


@pytest.mark.parametrize(
    "data",
    ["v1:ask:technique.nothing", "v1:brs:nowhere", "v1:bre:tips:x", "v1:br:", "br:s:tips"],
)
async def test_forged_or_stale_buttons_expire(bot: RunningBot, data: str) -> None:
    menu = await bot.say("/techniques")
    query = bot.standin.user_presses(bot.chat_id, menu["message_id"], data, strict=False)
    answer = await bot.standin.wait_for_callback_answer(query)
    assert "expired" in str(answer).lower()


async def test_inline_mode_lists_matching_cards(bot: RunningBot) -> None:
    query = bot.standin.user_inline_query(bot.chat_id, "shoulder")
    answer = await bot.standin.wait_for_inline_answer(query)
    results = answer["results"]
    assert results and len(results) <= 10
    titles = [result["title"] for result in results]
    assert "Upper back and shoulders routine" in titles
    first = results[0]["input_message_content"]
    assert first["parse_mode"] == "HTML" and first["message_text"].startswith("<b>")


async def test_inline_mode_with_nothing_typed_lists_routines(bot: RunningBot) -> None:
    query = bot.standin.user_inline_query(bot.chat_id, "")
    answer = await bot.standin.wait_for_inline_answer(query)
    assert any("routine" in result["title"].lower() for result in answer["results"])


async def test_groups_get_answers_only_when_addressed(bot: RunningBot) -> None:
    standin: BotApiStandIn = bot.standin
    standin.user_sends_text(GROUP, "what oil should I use", chat_type="group", title="Friends")
    mention = f"@{standin.bot_username} how hard should I press"
    reply = await bot.say(mention, chat_id=GROUP, chat_type="group", title="Friends")
    assert reply["text"].startswith("No training?")  # the unaddressed question got nothing
    follow_up = standin.user_sends_text(
        GROUP,
        "and what oil?",
        chat_type="group",
        title="Friends",
        reply_to_message_id=reply["message_id"],
    )
    assert follow_up["reply_to_message"]["message_id"] == reply["message_id"]
    answer = await bot.next_message(chat_id=GROUP)
    assert "Massage oil or lotion" in answer["text"]


async def test_groups_answer_commands(bot: RunningBot) -> None:
    reply = await bot.say(
        f"/techniques@{bot.standin.bot_username}", chat_id=GROUP, chat_type="group", title="F"
    )
    assert "Browse" in reply["text"]


@pytest.mark.parametrize("text", ["   ", "🙂🙂🙂"])
async def test_empty_or_emoji_only_gets_a_hint(bot: RunningBot, text: str) -> None:
    reply = await bot.say(text)
    assert "in words" in reply["text"]


async def test_a_5000_character_message_is_answered_from_its_start(bot: RunningBot) -> None:
    reply = await bot.say("what oil should I use? " + "really " * 800)
    assert reply["text"].startswith("Massage oil or lotion")


async def test_other_languages_get_a_friendly_answer(bot: RunningBot) -> None:
    reply = await bot.say("как сделать массаж спины")
    assert "English" in reply["text"]


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
async def test_non_text_asks_for_text(bot: RunningBot, kind: str) -> None:
    bot.standin.user_sends(bot.chat_id, kind)
    reply = await bot.next_message()
    assert "as a message" in reply["text"]
